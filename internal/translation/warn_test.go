package translation_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestOpeningTheJuryWarnsOfUntranslatedNominations: in an edition run in Polish and English, opening
// the jury while a nomination has no English translation is refused naming it (and the dashboard
// says so first); acknowledged with a reason, the jury opens.
func TestOpeningTheJuryWarnsOfUntranslatedNominations(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	testenv.Must(org.Editions.SetLanguages(ctx, &v1.SetLanguagesRequest{EditionId: e.GetId(), Languages: []string{"pl", "en"}}))
	testenv.Must(org.Editions.SetTexts(ctx, &v1.SetTextsRequest{EditionId: e.GetId(), Texts: []*v1.Text{
		{SubjectId: e.GetId(), Field: v1.TextField_TEXT_FIELD_NAME, Language: "en", Text: "Open Cities " + e.GetName()},
	}}))
	r, _ := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))

	d := testenv.Must(org.Editions.GetEditionDashboard(ctx, &v1.GetEditionDashboardRequest{EditionId: r.ID()})).GetDashboard()
	if len(d.GetWarnings()) != 1 || d.GetWarnings()[0].GetType() != "TRANSLATION_MISSING" || !strings.HasPrefix(d.GetWarnings()[0].GetDescription(), "Punkt informacyjny (") || !strings.HasSuffix(d.GetWarnings()[0].GetSubject(), "/en") {
		t.Fatalf("dashboard warnings = %v; want the practice without English", d.GetWarnings())
	}
	err := env.Refused(t, connect.CodeFailedPrecondition, "acknowledge_warnings", func() error {
		return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_JURY}))
	})
	var named []string
	for _, det := range connectErr(err).Details() {
		if m, _ := det.Value(); m != nil {
			if pf, ok := m.(*errdetails.PreconditionFailure); ok {
				for _, v := range pf.GetViolations() {
					named = append(named, v.GetType()+" "+v.GetDescription())
				}
			}
		}
	}
	if len(named) != 1 || !strings.HasPrefix(named[0], "TRANSLATION_MISSING Punkt informacyjny") {
		t.Errorf("violations = %q", named)
	}
	testenv.ChangeStageDespite(t, org, r.ID(), v1.Stage_STAGE_JURY, "the translation comes during the round")
}
