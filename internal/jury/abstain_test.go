package jury_test

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
	e := testenv.SeedEdition(t, org)
	testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 2, NamePl: "Długofalowość", NameEn: "Long-term nature"}))
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, []*v1.City{testenv.CityFor(t, org, e, "Gdańsk")}, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Praktyka "+r.Cities[i].GetName(), r.Categories[0], r.Criteria...)}
	})
	id, c1, c2 := r.ID(), r.Criteria[0], r.Criteria[1]
	a, b := noms[0][0], noms[1][0]
	rule := &v1.TallyRule{Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1, Criteria: []*v1.CriterionRule{
		{CriterionId: c1.GetId(), MinScore: 0, MaxScore: 5, Weight: 2},
		{CriterionId: c2.GetId(), MinScore: 0, MaxScore: 5, Weight: 1, NonRanking: true},
	}}
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: rule}))
	home := testenv.CityFor(t, org, e, "Białystok")
	var jurors []testenv.Juror
	for _, name := range []string{"Ana", "Bogdan", "Chi"} {
		jurors = append(jurors, env.NewJuror(t, org, testenv.GRPC, id, home, "abstain."+name+"@miasta.test", name))
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)

	rec := testenv.Must(jurors[2].Clients.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: a.GetId(), Reason: "Znam tę praktykę zbyt słabo."})).GetRecusal()
	if rec.GetKind() != v1.RecusalKind_RECUSAL_KIND_ABSTAINED {
		t.Fatalf("Abstain = %v; want an abstention", rec)
	}
	testenv.CastScores(t, jurors[0], id, testenv.Mark(a, c1, 5), testenv.Mark(a, c2, 0), testenv.Mark(b, c1, 3), testenv.Mark(b, c2, 5))
	testenv.CastScores(t, jurors[1], id, testenv.Mark(a, c1, 4), testenv.Mark(a, c2, 1), testenv.Mark(b, c1, 4), testenv.Mark(b, c2, 5))
	testenv.CastScores(t, jurors[2], id, testenv.Mark(b, c1, 5), testenv.Mark(b, c2, 5))
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)

	tl := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
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
