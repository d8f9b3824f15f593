package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// openTransaction starts a transaction on url that holds a transaction id until the test ends (as a
// long report or a migration does), and returns it.
func openTransaction(t *testing.T, u string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// TestLogIntegratesPastOtherDatabasesTransactions: transaction ids are cluster-wide, and a transaction
// held open in another database of the cluster used to stop every event from being integrated. It must
// not; a transaction of the platform's own database does hold integration back (one of its events may
// still commit), and readiness then says how far behind the log is.
func TestLogIntegratesPastOtherDatabasesTransactions(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	other, err := url.Parse(dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	other.Path = "/postgres"
	openTransaction(t, other.String())

	seedEdition(t, org)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatalf("with a transaction open in another database, the log did not integrate the new events: %v", err)
	}

	own := openTransaction(t, env.Config.DatabaseURL)
	seedEdition(t, org)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(env.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "audit log:") && strings.Contains(string(body), "not yet integrated") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readiness with the log held back = %d %q; want 200 and the lag", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := own.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatalf("once the transaction ended, the log did not catch up: %v", err)
	}
}

// TestCloseIsNotOvertakenByLaterCasts: a close waits for the casts in flight when it starts, and casts
// that arrive while it waits wait behind it and then find the round closed, instead of being accepted
// ahead of it for as long as casts keep arriving.
func TestCloseIsNotOvertakenByLaterCasts(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := seedEdition(t, org)
	r, noms := shortlisted(t, env, org, testenv.Connect, e, nil, func(r *reporting, i int) []*v1.Practice {
		return []*v1.Practice{practice("Punkt informacyjny", r.categories[0], r.criteria...)}
	})
	must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.id(), Rule: meanRule(0, 5, 1, r.criteria...)}))
	j := newJuror(t, env, org, testenv.Connect, r.id(), cityFor(t, org, e, "Kraków"), "juror.close@miasta.test", "Ana Pérez")
	changeStage(t, org, r.id(), v1.Stage_STAGE_JURY)
	saved := must(j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.id(), Scores: []*v1.Score{mark(noms[0][0], r.criteria[0], 4)}})).GetBallot()

	// A cast in flight: its transaction holds the edition the way a cast does, until released.
	inflight := openTransaction(t, env.Config.DatabaseURL)
	if _, err := inflight.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, hashtext($2::text))`, int32(db.EditionLockClass), r.id()); err != nil {
		t.Fatal(err)
	}
	if _, err := inflight.Exec(ctx, `SELECT 1 FROM editions WHERE id = $1 FOR SHARE`, r.id()); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() {
		_, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.id(), Stage: v1.Stage_STAGE_TALLIED})
		closed <- err
	}()
	waitForLockWaiters(t, env, 1)
	// A cast arriving while the close waits.
	cast := make(chan error, 1)
	go func() {
		_, err := j.c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.id(), ExpectedVersion: saved.GetVersion(), RequestId: uuid.NewString()})
		cast <- err
	}()
	select {
	case err := <-cast:
		t.Fatalf("a cast that arrived while the close waited finished first (%v): it overtook the close", err)
	case <-time.After(500 * time.Millisecond):
	}
	if err := inflight.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("the close: %v", err)
	}
	if err := <-cast; testenv.Code(err) != connect.CodeFailedPrecondition {
		t.Fatalf("the cast that waited behind the close = %v; want FailedPrecondition (the round is closed)", err)
	}
}

// waitForLockWaiters waits until n sessions of the test's database wait for a lock.
func waitForLockWaiters(t *testing.T, env *testenv.Env, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := env.App.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions wait for a lock; want %d", waiting, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
