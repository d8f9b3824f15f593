package jury_test

import (
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// SaveBallot and CastBallot keep each edition's shortlist and frozen rule in memory. Nothing in the
// server drops an entry when they change: an entry is used only while the edition row and the rule
// row it was read under are unchanged in the database, which is what makes it safe for several
// replicas. This test changes both underneath a warm cache and checks that saves and casts follow.
func TestBallotCacheFollowsShortlistAndRuleChanges(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	protocol := testenv.Protocols[0]
	org := env.Clients(protocol, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, protocol, e, []*v1.City{testenv.CityFor(t, org, e, "Gdańsk")}, func(r *testenv.Reporting, i int) []*v1.Practice {
		if i == 0 {
			return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...), testenv.Practice("Porady prawne", r.Categories[0], r.Criteria...)}
		}
		return []*v1.Practice{testenv.Practice("Rada imigrantów", r.Categories[0], r.Criteria...)}
	})
	id, c1 := r.ID(), r.Criteria[0]
	nA1, nA2, nB1 := noms[0][0], noms[0][1], noms[1][0]
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, c1)}))
	j := env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, e, "Wrocław"), fmt.Sprintf("juror.cache.%d@miasta.test", e.GetYear()), "Nguyễn Văn An")
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)

	// Warm the cache: a save and a cast read the shortlist and the rule.
	testenv.CastScores(t, j, id, testenv.Mark(nA1, c1, 1), testenv.Mark(nA2, c1, 2), testenv.Mark(nB1, c1, 3))

	// The organiser steps back to REVIEW, replaces nA2 by a new nomination of the same practice and
	// opens the jury again.
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW, Reason: "Dublet na liście"}))
	testenv.Must(org.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: nA2.GetId(), Reason: "Dublet"}))
	nA3 := testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: nA2.GetPractice().GetId()})).GetNomination()
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)

	version := testenv.Must(j.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot().GetVersion()
	save := func(scores ...*v1.Score) func() error {
		return func() error {
			return testenv.ErrOf(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: scores}))
		}
	}
	env.Refused(t, connect.CodeInvalidArgument, "scores[1].nomination_id", save(testenv.Mark(nA1, c1, 1), testenv.Mark(nA2, c1, 2), testenv.Mark(nB1, c1, 3)))
	saved := testenv.Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: []*v1.Score{testenv.Mark(nA1, c1, 1), testenv.Mark(nB1, c1, 3)}})).GetBallot()
	env.Refused(t, connect.CodeFailedPrecondition, "scores", func() error {
		return testenv.ErrOf(j.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: saved.GetVersion(), RequestId: uuid.NewString()}))
	})
	testenv.CastScores(t, j, id, testenv.Mark(nA1, c1, 1), testenv.Mark(nA3, c1, 2), testenv.Mark(nB1, c1, 3))

	// A frozen rule cannot change through the API; change it behind the server's back (as a
	// database operator could) and the next save must be checked against the stored rule, not the
	// cached one.
	tag, err := env.App.Pool.Exec(ctx, `UPDATE tally_rules SET rule = jsonb_set(rule, '{criteria,0,max}', '9'), version = version + 1
		WHERE edition_id = $1`, id)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("changing the stored rule: %v, %v", tag, err)
	}
	version = testenv.Must(j.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot().GetVersion()
	testenv.Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: []*v1.Score{testenv.Mark(nA1, c1, 9), testenv.Mark(nA3, c1, 2), testenv.Mark(nB1, c1, 3)}}))
}
