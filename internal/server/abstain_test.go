package server_test

import (
	"context"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestAbstainAndNonRankingCriterion is a hand-computed tally. Criterion 1 (weight 2) ranks;
// criterion 2 is non-ranking (shown, not counted). The third juror abstains on A.
//
//	A: juror 1 → 2×5 = 10, juror 2 → 2×4 = 8, juror 3 abstains → mean 9
//	B: juror 1 → 2×3 = 6,  juror 2 → 2×4 = 8, juror 3 → 2×5 = 10 → mean 8
//
// A wins 9 to 8. Counting the abstainer as 0 would give A 6, and counting criterion 2 would give
// B 13 against A 9.5: either mistake makes B the winner.
func TestAbstainAndNonRankingCriterion(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := seedEdition(t, org)
	must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 2, NamePl: "Długofalowość", NameEn: "Long-term nature"}))
	r, noms := shortlisted(t, env, org, testenv.Connect, e, []*v1.City{cityFor(t, org, e, "Gdańsk")}, func(r *reporting, i int) []*v1.Practice {
		return []*v1.Practice{practice("Praktyka "+r.cities[i].GetName(), r.categories[0], r.criteria...)}
	})
	id, c1, c2 := r.id(), r.criteria[0], r.criteria[1]
	a, b := noms[0][0], noms[1][0]
	rule := &v1.TallyRule{Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1, Criteria: []*v1.CriterionRule{
		{CriterionId: c1.GetId(), MinScore: 0, MaxScore: 5, Weight: 2},
		{CriterionId: c2.GetId(), MinScore: 0, MaxScore: 5, Weight: 1, NonRanking: true},
	}}
	must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: rule}))
	home := cityFor(t, org, e, "Białystok")
	var jurors []juryMember
	for _, name := range []string{"Ana", "Bogdan", "Chi"} {
		jurors = append(jurors, newJuror(t, env, org, testenv.GRPC, id, home, "abstain."+name+"@miasta.test", name))
	}
	changeStage(t, org, id, v1.Stage_STAGE_JURY)

	rec := must(jurors[2].c.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: a.GetId(), Reason: "Znam tę praktykę zbyt słabo."})).GetRecusal()
	if rec.GetKind() != v1.RecusalKind_RECUSAL_KIND_ABSTAINED {
		t.Fatalf("Abstain = %v; want an abstention", rec)
	}
	castScores(t, jurors[0], id, mark(a, c1, 5), mark(a, c2, 0), mark(b, c1, 3), mark(b, c2, 5))
	castScores(t, jurors[1], id, mark(a, c1, 4), mark(a, c2, 1), mark(b, c1, 4), mark(b, c2, 5))
	castScores(t, jurors[2], id, mark(b, c1, 5), mark(b, c2, 5))
	changeStage(t, org, id, v1.Stage_STAGE_TALLIED)

	tl := must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
	ra, rb := tallied(t, tl, a.GetId()), tallied(t, tl, b.GetId())
	if !isRat(ra.GetScore(), 9, 1) || !isRat(rb.GetScore(), 8, 1) || !ra.GetWinner() || rb.GetWinner() || ra.GetRank() != 1 {
		t.Fatalf("A = %v (%v), B = %v (%v); want A 9 winning over B 8", ra.GetScore(), ra.GetWinner(), rb.GetScore(), rb.GetWinner())
	}
	if len(ra.GetRecusals()) != 1 || ra.GetRecusals()[0].GetKind() != v1.RecusalKind_RECUSAL_KIND_ABSTAINED || len(ra.GetJurors()) != 2 {
		t.Fatalf("A's recusals %v and jurors %d; want one abstention and two counted jurors", ra.GetRecusals(), len(ra.GetJurors()))
	}
	for _, c := range ra.GetCriteria() {
		if c.GetCriterionId() == c2.GetId() && (!c.GetNonRanking() || !isRat(c.GetScore(), 1, 2)) {
			t.Fatalf("A's non-ranking criterion = %v; want it shown, flagged, at 1/2", c)
		}
	}
}
