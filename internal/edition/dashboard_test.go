package edition_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// violations are the PreconditionFailure violations of a refused call, as type → descriptions.
func violations(t *testing.T, err error) map[string][]string {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%v is not a Connect error", err)
	}
	out := map[string][]string{}
	for _, d := range ce.Details() {
		m, err := d.Value()
		if err != nil {
			t.Fatal(err)
		}
		if pf, ok := m.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				out[v.GetType()] = append(out[v.GetType()], v.GetDescription())
			}
		}
	}
	return out
}

// lastStageChange is the payload of the edition's last edition.stage_changed event.
func lastStageChange(t *testing.T, env *testenv.Env, editionID string) map[string]any {
	t.Helper()
	var raw []byte
	if err := env.App.Pool.QueryRow(t.Context(), `SELECT payload FROM events WHERE edition_id = $1 AND kind = 'edition.stage_changed' ORDER BY id DESC LIMIT 1`, editionID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func blockerFields(d *v1.EditionDashboard) []string {
	var out []string
	for _, b := range d.GetBlockers() {
		out = append(out, b.GetField()+": "+b.GetMessage())
	}
	return out
}

// TestDashboardAndWarnings walks an edition from DRAFT to ANNOUNCED reading the dashboard at each
// stage (blockers, warnings, counts), and checks that closing the round with a juror who has not
// cast, and announcing with a category without a winner, are refused naming them unless the
// organiser acknowledges the warning with a reason, which the log records as an override.
func TestDashboardAndWarnings(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	ed := testenv.SeedEdition(t, org)
	id := ed.GetId()
	dash := func(t *testing.T) *v1.EditionDashboard {
		t.Helper()
		return testenv.Must(org.Editions.GetEditionDashboard(ctx, &v1.GetEditionDashboardRequest{EditionId: id})).GetDashboard()
	}

	testenv.Step(t, "a draft without a deadline is blocked on it", func(t *testing.T) {
		d := dash(t)
		if d.GetNextStage() != v1.Stage_STAGE_REPORTING {
			t.Errorf("next = %v; want REPORTING", d.GetNextStage())
		}
		bs := blockerFields(d)
		if len(bs) != 1 || !strings.HasPrefix(bs[0], "timeline.reporting_deadline: ") || d.GetBlockers()[0].GetReason() == "" {
			t.Errorf("blockers = %q; want the reporting deadline's, with its message key", bs)
		}
		if d.GetCities() != 1 || d.GetReportsByStatus()["NOT_STARTED"] != 1 || d.GetCitiesWithoutExpert() != 1 || d.GetExperts() != 0 {
			t.Errorf("counts = %v; want one city, not started, without an expert", d)
		}
		// The dashboard's blocker is the refusal ChangeStage gives.
		err := testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REPORTING}))
		if testenv.Field(err) != d.GetBlockers()[0].GetField() {
			t.Errorf("ChangeStage refused with %v; the dashboard said %q", err, bs)
		}
	})

	testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: id, Number: 2, NamePl: "Miejski punkt obsługi cudzoziemców", NameEn: "City service point for foreigners"}))
	r, noms := env.Shortlisted(t, org, testenv.Connect, ed, []*v1.City{testenv.CityFor(t, org, ed, "Gdańsk")}, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Praktyka z miasta "+r.Cities[i].GetName(), r.Categories[0], r.Criteria[0])}
	})

	testenv.Step(t, "in review, the missing rule blocks the jury", func(t *testing.T) {
		d := dash(t)
		if d.GetNextStage() != v1.Stage_STAGE_JURY || d.GetReportsByStatus()["ACCEPTED"] != 2 || d.GetReportsSubmitted() != 2 || d.GetNominations() != 2 || d.GetExperts() != 2 || d.GetCitiesWithoutExpert() != 0 {
			t.Errorf("dashboard = %v; want 2 accepted reports, 2 nominations, 2 experts", d)
		}
		bs := blockerFields(d)
		if len(bs) != 1 || !strings.Contains(bs[0], "tally rule") || d.GetRuleSet() {
			t.Errorf("blockers = %q; want the tally rule's alone", bs)
		}
	})

	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	ana := env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, ed, "Kraków"), "ana.dash@miasta.test", "Ana Pérez")
	env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, ed, "Wrocław"), "kwame.dash@miasta.test", "Kwame Mensah")
	testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: id, Email: "thu.dash@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: testenv.CityFor(t, org, ed, "Lublin").GetId(), DisplayName: "Nguyễn Thu",
	}))
	if d := dash(t); len(d.GetBlockers()) != 0 || len(d.GetWarnings()) != 0 || !d.GetRuleSet() {
		t.Fatalf("with the rule set: blockers %q, warnings %v; want none", blockerFields(d), d.GetWarnings())
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	testenv.CastScores(t, ana, id, testenv.Mark(noms[0][0], r.Criteria[0], 4), testenv.Mark(noms[1][0], r.Criteria[0], 2))

	testenv.Step(t, "during the jury, the dashboard counts casts and names who has not cast", func(t *testing.T) {
		d := dash(t)
		if d.GetJurors() != 3 || d.GetJurorsCast() != 1 || d.GetJurorsNotSignedIn() != 1 || !d.GetRuleFrozen() {
			t.Errorf("jurors = %d, cast %d, not signed in %d; want 3, 1, 1", d.GetJurors(), d.GetJurorsCast(), d.GetJurorsNotSignedIn())
		}
		var names []string
		for _, w := range d.GetWarnings() {
			if w.GetType() != "JUROR_NOT_CAST" {
				t.Errorf("warning %v; want only JUROR_NOT_CAST", w)
			}
			names = append(names, w.GetDescription())
		}
		if strings.Join(names, ", ") != "Kwame Mensah, Nguyễn Thu" {
			t.Errorf("warned of %q; want Kwame Mensah and Nguyễn Thu", names)
		}
		progress := map[string]string{}
		for _, p := range d.GetPeople() {
			progress[p.GetDisplayName()] = p.GetRole() + " " + p.GetProgress()
		}
		if progress["Ana Pérez"] != "JUROR CAST" || progress["Kwame Mensah"] != "JUROR NOT_STARTED" || progress["Nguyễn Thu"] != "JUROR NOT_STARTED" {
			t.Errorf("people = %v", progress)
		}
	})

	testenv.Step(t, "closing the round without acknowledgement is refused, naming the jurors", func(t *testing.T) {
		err := env.Refused(t, connect.CodeFailedPrecondition, "acknowledge_warnings", func() error {
			return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED}))
		})
		if got := violations(t, err)["JUROR_NOT_CAST"]; strings.Join(got, ", ") != "Kwame Mensah, Nguyễn Thu" {
			t.Errorf("violations = %q", got)
		}
		if !strings.Contains(err.Error(), "Kwame Mensah, Nguyễn Thu") {
			t.Errorf("message %q does not name the jurors", err)
		}
		env.Refused(t, connect.CodeInvalidArgument, "reason", func() error {
			return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true}))
		})
	})

	testenv.Step(t, "acknowledged with a reason, the round closes and the log records the override", func(t *testing.T) {
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true, Reason: "Dwoje jurorów zrezygnowało"}))
		p := lastStageChange(t, env, id)
		if p["to"] != "TALLIED" || p["override"] != true || p["reason"] != "Dwoje jurorów zrezygnowało" {
			t.Errorf("stage_changed = %v; want an override with the reason", p)
		}
	})

	testenv.Step(t, "announcing with a category without a winner is refused, naming it", func(t *testing.T) {
		d := dash(t)
		if len(d.GetWarnings()) != 1 || d.GetWarnings()[0].GetType() != "CATEGORY_WITHOUT_WINNER" || d.GetWarnings()[0].GetDescription() != "2. Miejski punkt obsługi cudzoziemców" {
			t.Fatalf("warnings = %v; want category 2 without a winner", d.GetWarnings())
		}
		err := env.Refused(t, connect.CodeFailedPrecondition, "acknowledge_warnings", func() error {
			return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_ANNOUNCED}))
		})
		if got := violations(t, err)["CATEGORY_WITHOUT_WINNER"]; len(got) != 1 || got[0] != "2. Miejski punkt obsługi cudzoziemców" {
			t.Errorf("violations = %q", got)
		}
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_ANNOUNCED, AcknowledgeWarnings: true, Reason: "Brak zgłoszeń w kategorii 2"}))
		if p := lastStageChange(t, env, id); p["override"] != true || p["reason"] != "Brak zgłoszeń w kategorii 2" {
			t.Errorf("stage_changed = %v", p)
		}
		if d := dash(t); d.GetNextStage() != v1.Stage_STAGE_UNSPECIFIED || len(d.GetBlockers())+len(d.GetWarnings()) != 0 {
			t.Errorf("announced: next %v, blockers %q, warnings %v; want none", d.GetNextStage(), blockerFields(d), d.GetWarnings())
		}
	})
}

// TestAcknowledgingNothingIsAnOrdinaryMove: when the warning has gone by the time the organiser
// confirms (every juror cast meanwhile), the move is recorded as an ordinary one, without a reason,
// as the audit specification wants of a forward move that overrides nothing.
func TestAcknowledgingNothingIsAnOrdinaryMove(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id := r.ID()
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	j := env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, r.Edition, "Kraków"), "solo.dash@miasta.test", "Solo")
	deadline := time.Now().Add(72 * time.Hour)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(r.Deadline), JuryDeadline: timestamppb.New(deadline)}}))
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	testenv.CastScores(t, j, id, testenv.Mark(nA, r.Criteria[0], 4), testenv.Mark(nB, r.Criteria[0], 3))
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true, Reason: uuid.NewString()}))
	if p := lastStageChange(t, env, id); p["override"] != false || p["reason"] != "" {
		t.Errorf("stage_changed = %v; want an ordinary move", p)
	}
}
