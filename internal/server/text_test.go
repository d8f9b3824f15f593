package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestControlCharactersAreInvalidArgument sends a NUL (which PostgreSQL cannot store: it was
// Internal) and an ESC sequence (which was stored and returned as it was) in every kind of text field
// the trials found, over both protocols: each is InvalidArgument naming the field, and nothing
// changes. Tab, newline and carriage return pass in multi-line text and are refused in one-line text.
func TestControlCharactersAreInvalidArgument(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, time.Hour)
	city := r.Cities[0].GetId()
	expert := r.Experts[0]
	good := testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)
	withPractice := func(edit func(p *v1.Practice)) []*v1.Practice {
		p := testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)
		edit(p)
		return []*v1.Practice{p}
	}

	// A juror of a second edition whose jury is open, with a nomination to score.
	j := testenv.SeedEdition(t, org)
	jr, noms := env.Shortlisted(t, org, testenv.Connect, j, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Szkoła", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: jr.ID(), Rule: testenv.MeanRule(0, 5, 1, jr.Criteria...)}))
	testenv.ChangeStage(t, org, jr.ID(), v1.Stage_STAGE_JURY)
	juror := env.NewJuror(t, org, testenv.GRPC, jr.ID(), testenv.CityFor(t, org, jr.Edition, "Sopot"), "juror.tekst@miasta.test", "Juror")
	nom := noms[0][0].GetId()

	for _, bad := range []string{"\x00", "\x1b[31m", "\u0085"} {
		cases := []struct {
			name, field string
			call        func(s string) error
		}{
			{"city name", "name", func(s string) error {
				return testenv.ErrOf(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Gdy" + s + "nia"}))
			}},
			{"report introduction", "introduction", func(s string) error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Introduction: "Wstęp" + s, Practices: []*v1.Practice{good}}))
			}},
			{"practice title", "practices[0].title", func(s string) error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Title += s })}))
			}},
			{"practice description", "practices[0].description", func(s string) error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Description += s })}))
			}},
			{"narrative", "practices[0].narratives[1].text", func(s string) error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Narratives[1].Text += s })}))
			}},
			{"evidence link", "practices[0].evidence_links[1]", func(s string) error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.EvidenceLinks[1] += s })}))
			}},
			{"invitation name", "display_name", func(s string) error {
				return testenv.ErrOf(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: "nowy@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: city, DisplayName: "Jan" + s}))
			}},
			{"CSV import", "csv", func(s string) error {
				return testenv.ErrOf(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: r.ID(), Source: &v1.ImportInvitationsRequest_Csv{Csv: "name,email,role,home_city\nJan" + s + ",jan@miasta.test,juror," + r.Cities[0].GetName() + "\n"}}))
			}},
			{"stage change reason", "reason", func(s string) error {
				return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_DRAFT, Reason: "Błąd" + s}))
			}},
			{"conflict reason", "reason", func(s string) error {
				return testenv.ErrOf(juror.Clients.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: jr.ID(), NominationId: nom, Reason: "Znam" + s}))
			}},
			{"abstention reason", "reason", func(s string) error {
				return testenv.ErrOf(juror.Clients.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: jr.ID(), NominationId: nom, Reason: "Nie wiem" + s}))
			}},
			{"ballot comment", "comments[0].text", func(s string) error {
				return testenv.ErrOf(juror.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: jr.ID(), Comments: []*v1.NominationComment{{NominationId: nom, Text: "Dobre" + s}}}))
			}},
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%U", tc.name, []rune(bad)[0]), func(t *testing.T) {
				err := env.Refused(t, connect.CodeInvalidArgument, tc.field, func() error { return tc.call(bad) })
				// (A link with a control character is not a valid URI either, which protovalidate says first.)
				if !strings.Contains(err.Error(), "control character") && !strings.Contains(err.Error(), "valid URI") {
					t.Errorf("message %q does not say what is wrong", err.Error())
				}
			})
		}
	}

	t.Run("one line", func(t *testing.T) {
		for _, s := range []string{"\n", "\t", "\r"} {
			env.Refused(t, connect.CodeInvalidArgument, "name", func() error {
				return testenv.ErrOf(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Gdańsk" + s + "Sopot"}))
			})
			env.Refused(t, connect.CodeInvalidArgument, "practices[0].title", func() error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Title += s + "x" })}))
			})
		}
	})
	t.Run("multi-line", func(t *testing.T) {
		intro := "Pierwszy akapit.\n\n\tDrugi akapit.\r\nKoniec."
		saved := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Introduction: intro,
			Practices: withPractice(func(p *v1.Practice) { p.Description = "Linia 1\nLinia 2" })})).GetReport()
		if saved.GetIntroduction() != intro || saved.GetPractices()[0].GetDescription() != "Linia 1\nLinia 2" {
			t.Fatalf("multi-line text came back as %q, %q", saved.GetIntroduction(), saved.GetPractices()[0].GetDescription())
		}
	})
	t.Run("CSV cells are one line", func(t *testing.T) {
		res := testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: r.ID(), DryRun: true,
			Source: &v1.ImportInvitationsRequest_Csv{Csv: "name,email,role,home_city\n\"Jan\tKowalski\",jan@miasta.test,juror," + r.Cities[0].GetName() + "\n"}}))
		if len(res.GetProblems()) != 1 || res.GetProblems()[0].GetField() != "name" || res.GetProblems()[0].GetLine() != 2 {
			t.Fatalf("a tab in a name cell: problems %v; want one, in line 2, column name", res.GetProblems())
		}
	})
}
