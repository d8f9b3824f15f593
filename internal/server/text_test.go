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
	r := reportingEdition(t, env, org, testenv.Connect, time.Hour)
	city := r.cities[0].GetId()
	expert := r.experts[0]
	good := practice("Punkt informacyjny", r.categories[0], r.criteria...)
	withPractice := func(edit func(p *v1.Practice)) []*v1.Practice {
		p := practice("Punkt informacyjny", r.categories[0], r.criteria...)
		edit(p)
		return []*v1.Practice{p}
	}

	// A juror of a second edition whose jury is open, with a nomination to score.
	j := seedEdition(t, org)
	jr, noms := shortlisted(t, env, org, testenv.Connect, j, nil, func(r *reporting, i int) []*v1.Practice {
		return []*v1.Practice{practice("Szkoła", r.categories[0], r.criteria...)}
	})
	must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: jr.id(), Rule: meanRule(0, 5, 1, jr.criteria...)}))
	changeStage(t, org, jr.id(), v1.Stage_STAGE_JURY)
	juror := newJuror(t, env, org, testenv.GRPC, jr.id(), cityFor(t, org, jr.edition, "Sopot"), "juror.tekst@miasta.test", "Juror")
	nom := noms[0][0].GetId()

	for _, bad := range []string{"\x00", "\x1b[31m", "\u0085"} {
		cases := []struct {
			name, field string
			call        func(s string) error
		}{
			{"city name", "name", func(s string) error {
				return errOf(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Gdy" + s + "nia"}))
			}},
			{"report introduction", "introduction", func(s string) error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Introduction: "Wstęp" + s, Practices: []*v1.Practice{good}}))
			}},
			{"practice title", "practices[0].title", func(s string) error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Title += s })}))
			}},
			{"practice description", "practices[0].description", func(s string) error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Description += s })}))
			}},
			{"narrative", "practices[0].narratives[1].text", func(s string) error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Narratives[1].Text += s })}))
			}},
			{"evidence link", "practices[0].evidence_links[1]", func(s string) error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.EvidenceLinks[1] += s })}))
			}},
			{"invitation name", "display_name", func(s string) error {
				return errOf(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.id(), Email: "nowy@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: city, DisplayName: "Jan" + s}))
			}},
			{"CSV import", "csv", func(s string) error {
				return errOf(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: r.id(), Csv: "name,email,role,home_city\nJan" + s + ",jan@miasta.test,juror," + r.cities[0].GetName() + "\n"}))
			}},
			{"stage change reason", "reason", func(s string) error {
				return errOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.id(), Stage: v1.Stage_STAGE_DRAFT, Reason: "Błąd" + s}))
			}},
			{"conflict reason", "reason", func(s string) error {
				return errOf(juror.c.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: jr.id(), NominationId: nom, Reason: "Znam" + s}))
			}},
			{"abstention reason", "reason", func(s string) error {
				return errOf(juror.c.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: jr.id(), NominationId: nom, Reason: "Nie wiem" + s}))
			}},
			{"ballot comment", "comments[0].text", func(s string) error {
				return errOf(juror.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: jr.id(), Comments: []*v1.NominationComment{{NominationId: nom, Text: "Dobre" + s}}}))
			}},
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%U", tc.name, []rune(bad)[0]), func(t *testing.T) {
				err := refused(t, env, connect.CodeInvalidArgument, tc.field, func() error { return tc.call(bad) })
				// (A link with a control character is not a valid URI either, which protovalidate says first.)
				if !strings.Contains(err.Error(), "control character") && !strings.Contains(err.Error(), "valid URI") {
					t.Errorf("message %q does not say what is wrong", err.Error())
				}
			})
		}
	}

	t.Run("one line", func(t *testing.T) {
		for _, s := range []string{"\n", "\t", "\r"} {
			refused(t, env, connect.CodeInvalidArgument, "name", func() error {
				return errOf(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Gdańsk" + s + "Sopot"}))
			})
			refused(t, env, connect.CodeInvalidArgument, "practices[0].title", func() error {
				return errOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Practices: withPractice(func(p *v1.Practice) { p.Title += s + "x" })}))
			})
		}
	})
	t.Run("multi-line", func(t *testing.T) {
		intro := "Pierwszy akapit.\n\n\tDrugi akapit.\r\nKoniec."
		saved := must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.id(), CityId: city, Introduction: intro,
			Practices: withPractice(func(p *v1.Practice) { p.Description = "Linia 1\nLinia 2" })})).GetReport()
		if saved.GetIntroduction() != intro || saved.GetPractices()[0].GetDescription() != "Linia 1\nLinia 2" {
			t.Fatalf("multi-line text came back as %q, %q", saved.GetIntroduction(), saved.GetPractices()[0].GetDescription())
		}
	})
	t.Run("CSV cells are one line", func(t *testing.T) {
		res := must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: r.id(), DryRun: true,
			Csv: "name,email,role,home_city\n\"Jan\tKowalski\",jan@miasta.test,juror," + r.cities[0].GetName() + "\n"}))
		if len(res.GetProblems()) != 1 || res.GetProblems()[0].GetField() != "name" || res.GetProblems()[0].GetLine() != 2 {
			t.Fatalf("a tab in a name cell: problems %v; want one, in line 2, column name", res.GetProblems())
		}
	})
}
