package jury_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestCloseIsNotOvertakenByLaterCasts: a close waits for the casts in flight when it starts, and casts
// that arrive while it waits wait behind it and then find the round closed, instead of being accepted
// ahead of it for as long as casts keep arriving.
func TestCloseIsNotOvertakenByLaterCasts(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	j := env.NewJuror(t, org, testenv.Connect, r.ID(), testenv.CityFor(t, org, e, "Kraków"), "juror.close@miasta.test", "Ana Pérez")
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	saved := testenv.Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.ID(), Scores: []*v1.Score{testenv.Mark(noms[0][0], r.Criteria[0], 4)}})).GetBallot()

	// A cast in flight: its transaction holds the edition the way a cast does, until released.
	inflight := dbtest.OpenTransaction(t, env.Config.DatabaseURL)
	if _, err := inflight.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, hashtext($2::text))`, int32(db.EditionLockClass), r.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := inflight.Exec(ctx, `SELECT 1 FROM editions WHERE id = $1 FOR SHARE`, r.ID()); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() {
		// The juror's cast is still in flight: the organiser closes knowing they have not cast.
		_, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true, Reason: "the deadline has passed"})
		closed <- err
	}()
	waitForLockWaiters(t, env, 1)
	// A cast arriving while the close waits.
	cast := make(chan error, 1)
	go func() {
		_, err := j.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.ID(), ExpectedVersion: saved.GetVersion(), RequestId: uuid.NewString()})
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
