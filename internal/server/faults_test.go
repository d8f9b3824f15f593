package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestKillServerWhileJurorsCast crashes the server (kill -9) while 200 jurors cast, restarts it, and
// checks that every acknowledged cast is there exactly once, that nothing is half-written, that
// retrying with the same request ids never casts twice, and that the audit log still verifies.
func TestKillServerWhileJurorsCast(t *testing.T) {
	const n = 200
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id, crit := r.ID(), r.Criteria[0]
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, crit)}))
	home := testenv.CityFor(t, org, r.Edition, "Białystok")
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("lawnik.kill.%03d@miasta.test", i)
		env.NewJuror(t, org, testenv.Connect, id, home, emails[i], fmt.Sprintf("Ławnik %03d", i))
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)

	proc := env.NewServerProcess(t)
	proc.Start()
	remote := &testenv.Env{URL: proc.URL()}
	jurors := make([]testenv.Clients, n)
	for i := range n {
		jurors[i] = remote.Clients(testenv.Connect, env.Token(t, emails[i]))
		testenv.Must(jurors[i].Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: []*v1.Score{
			testenv.Mark(nA, crit, int32(i%6)), testenv.Mark(nB, crit, int32(i*7%6)),
		}}))
	}

	requests := make([]string, n)
	acked := make([]*v1.BallotCast, n)
	var mu sync.Mutex
	ackCount := 0
	killed := make(chan struct{})
	var wg sync.WaitGroup
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for i := range n {
		requests[i] = uuid.NewString()
		wg.Go(func() {
			resp, err := jurors[i].Jury.CastBallot(cctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: 1, RequestId: requests[i]})
			if err != nil {
				return // refused or cut off by the crash: it may or may not have committed
			}
			mu.Lock()
			defer mu.Unlock()
			acked[i] = resp.GetCast()
			if ackCount++; ackCount == n/4 {
				close(killed)
			}
		})
	}
	select {
	case <-killed:
	case <-cctx.Done():
		t.Fatal("a quarter of the casts never acknowledged")
	}
	proc.Kill()
	wg.Wait()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()

	// No cast is half-written: every cast row has its event and every cast event its row.
	var orphans int
	if err := env.App.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM ballot_casts c WHERE NOT EXISTS (
		          SELECT 1 FROM events e WHERE e.id = c.event_id AND e.kind = 'ballot.cast' AND e.payload->>'cast_id' = c.id::text))
		     + (SELECT count(*) FROM events e WHERE e.kind = 'ballot.cast' AND NOT EXISTS (
		          SELECT 1 FROM ballot_casts c WHERE c.id::text = e.payload->>'cast_id'))`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d half-written casts (%v)", orphans, err)
	}
	for i, c := range acked {
		if c == nil {
			continue
		}
		var rows int
		if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM ballot_casts WHERE id = $1`, c.GetId()).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("acknowledged cast of juror %d is there %d times (%v); want exactly once", i, rows, err)
		}
	}

	// Restarted, every juror retries with the same request id: acknowledged casts come back as they
	// were, the others cast now, and nobody ends up with two casts.
	proc.Start()
	for i := range n {
		resp, err := jurors[i].Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: 1, RequestId: requests[i]})
		if err != nil {
			t.Fatalf("juror %d's retry after the restart: %v", i, err)
		}
		if acked[i] != nil && resp.GetCast().GetId() != acked[i].GetId() {
			t.Fatalf("juror %d's retry cast again (%s, first %s)", i, resp.GetCast().GetId(), acked[i].GetId())
		}
	}
	var casts, jurorsWithCasts int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT assignment_id) FROM ballot_casts WHERE edition_id = $1`, id).Scan(&casts, &jurorsWithCasts); err != nil {
		t.Fatal(err)
	}
	if casts != n || jurorsWithCasts != n {
		t.Fatalf("%d casts by %d jurors after the retries; want exactly one each for %d", casts, jurorsWithCasts, n)
	}

	// The audit log covers every event and verifies.
	env.Verify(t, r.Edition.GetYear())
	proc.Kill()
}
