package server_test

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
	e := seedEdition(t, org)
	r, noms := shortlisted(t, env, org, protocol, e, []*v1.City{cityFor(t, org, e, "Gdańsk")}, func(r *reporting, i int) []*v1.Practice {
		if i == 0 {
			return []*v1.Practice{practice("Punkt informacyjny", r.categories[0], r.criteria...), practice("Porady prawne", r.categories[0], r.criteria...)}
		}
		return []*v1.Practice{practice("Rada imigrantów", r.categories[0], r.criteria...)}
	})
	id, c1 := r.id(), r.criteria[0]
	nA1, nA2, nB1 := noms[0][0], noms[0][1], noms[1][0]
	must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: meanRule(0, 5, 1, c1)}))
	j := newJuror(t, env, org, protocol, id, cityFor(t, org, e, "Wrocław"), fmt.Sprintf("juror.cache.%d@miasta.test", e.GetYear()), "Nguyễn Văn An")
	changeStage(t, org, id, v1.Stage_STAGE_JURY)

	// Warm the cache: a save and a cast read the shortlist and the rule.
	castScores(t, j, id, mark(nA1, c1, 1), mark(nA2, c1, 2), mark(nB1, c1, 3))

	// The organiser steps back to REVIEW, replaces nA2 by a new nomination of the same practice and
	// opens the jury again.
	must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW, Reason: "Dublet na liście"}))
	must(org.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: nA2.GetId(), Reason: "Dublet"}))
	nA3 := must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: nA2.GetPractice().GetId()})).GetNomination()
	changeStage(t, org, id, v1.Stage_STAGE_JURY)

	version := must(j.c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot().GetVersion()
	save := func(scores ...*v1.Score) func() error {
		return func() error {
			return errOf(j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: scores}))
		}
	}
	refused(t, env, connect.CodeInvalidArgument, "scores[1].nomination_id", save(mark(nA1, c1, 1), mark(nA2, c1, 2), mark(nB1, c1, 3)))
	saved := must(j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: []*v1.Score{mark(nA1, c1, 1), mark(nB1, c1, 3)}})).GetBallot()
	refused(t, env, connect.CodeFailedPrecondition, "scores", func() error {
		return errOf(j.c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: saved.GetVersion(), RequestId: uuid.NewString()}))
	})
	castScores(t, j, id, mark(nA1, c1, 1), mark(nA3, c1, 2), mark(nB1, c1, 3))

	// A frozen rule cannot change through the API; change it behind the server's back (as a
	// database operator could) and the next save must be checked against the stored rule, not the
	// cached one.
	tag, err := env.App.Pool.Exec(ctx, `UPDATE tally_rules SET rule = jsonb_set(rule, '{criteria,0,max}', '9'), version = version + 1
		WHERE edition_id = $1`, id)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("changing the stored rule: %v, %v", tag, err)
	}
	version = must(j.c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot().GetVersion()
	must(j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: []*v1.Score{mark(nA1, c1, 9), mark(nA3, c1, 2), mark(nB1, c1, 3)}}))
}
