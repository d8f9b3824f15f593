package deliberation_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestDeliberationReproducesKrippendorff drives Krippendorff's worked example ("Computing
// Krippendorff's Alpha-Reliability", 2011: 4 observers, 12 units, values 1–5, missing data) through
// the whole platform: twelve nominations in one category on one 1–5 criterion, four jurors who mark
// them as the observers did and abstain where the example has no value. The deliberation after the
// close must give the published ordinal alpha, 0.815, over the 40 pairable values.
func TestDeliberationReproducesKrippendorff(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, _ int) []*v1.Practice {
		var ps []*v1.Practice
		for u := range 12 {
			ps = append(ps, testenv.Practice(fmt.Sprintf("Praktyka %02d", u+1), r.Categories[0], r.Criteria...))
		}
		return ps
	})
	id := r.ID()
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(1, 5, 1, r.Criteria...)}))
	// 0: no value in the example.
	data := [][12]int32{
		{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
		{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
		{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
		{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
	}
	krakow := testenv.CityFor(t, org, e, "Kraków")
	var jurors []testenv.Juror
	for j := range data {
		jurors = append(jurors, env.NewJuror(t, org, testenv.Connect, id, krakow, fmt.Sprintf("obserwator.%c@miasta.test", 'a'+j), fmt.Sprintf("Observer %c", 'A'+j)))
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	units := noms[0]
	if len(units) != 12 {
		t.Fatalf("%d nominations; want 12", len(units))
	}
	for j, row := range data {
		var scores []*v1.Score
		for u, v := range row {
			if v == 0 {
				testenv.Must(jurors[j].Clients.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: units[u].GetId(), Reason: "Brak wartości w przykładzie."}))
				continue
			}
			scores = append(scores, testenv.Mark(units[u], r.Criteria[0], v))
		}
		testenv.CastScores(t, jurors[j], id, scores...)
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
	d := testenv.Must(org.Results.GetDeliberation(ctx, &v1.GetDeliberationRequest{EditionId: id})).GetDeliberation()
	var cat *v1.DeliberationCategory
	for _, c := range d.GetCategories() {
		if c.GetCategory().GetId() == r.Categories[0].GetId() {
			cat = c
		}
	}
	if cat == nil {
		t.Fatalf("no deliberation for the category: %v", d)
	}
	a := cat.GetAgreement()
	if a.Alpha == nil || math.Abs(a.GetAlpha()-0.815) > 0.0005 || a.GetPairable() != 40 {
		t.Errorf("the category's agreement = %v; want ordinal alpha 0.815 over 40 pairable values (Krippendorff 2011)", a)
	}
}
