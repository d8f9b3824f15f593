package translation_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestTranslationsFromInvitationToTheJurorsCast walks the translations over Connect and gRPC: an
// organiser invites a translator with languages (no city), who binds on sign-in and translates a
// nominated practice into one of them only; a juror reads the shortlist's translations (never who
// made them) once the round is open and casts saying which version they read; the organisers see
// that in the jury's progress, and the public audit bundle knows nothing of it. Bad input answers
// InvalidArgument with the field at fault.
func TestTranslationsFromInvitationToTheJurorsCast(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	for _, proto := range testenv.Protocols {
		t.Run(string(proto), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(proto, env.Token(t, demo.OrganiserEmail))
			e := testenv.SeedEdition(t, org)
			home := testenv.CityFor(t, org, e, "Kalisz")
			r, noms := env.Shortlisted(t, org, proto, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
				return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}
			})
			nom := noms[0][0]
			email := fmt.Sprintf("tlumaczka.%d.%s@miasta.test", e.GetYear(), strings.ToLower(string(proto)))
			_, err := org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka", Languages: []string{"pl"}})
			wantViolation(t, err, connect.CodeInvalidArgument, "languages[0]")
			_, err = org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka"})
			wantViolation(t, err, connect.CodeInvalidArgument, "languages")
			inv := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka", Language: "uk", Languages: []string{"uk", "es"}})).GetInvitation()
			if inv.GetCity() != nil || len(inv.GetLanguages()) != 2 {
				t.Fatalf("the translator's invitation = %v; want no city and two languages", inv)
			}
			env.IdP.AddUser(testenv.User(email, true))
			tr := env.Clients(proto, env.Token(t, email))
			me := testenv.Must(tr.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
			if len(me.GetAssignments()) != 1 || me.GetAssignments()[0].GetRole() != v1.Role_ROLE_TRANSLATOR {
				t.Fatalf("the translator's roles = %v", me.GetAssignments())
			}
			list := testenv.Must(tr.Translations.ListTranslatablePractices(ctx, &v1.ListTranslatablePracticesRequest{EditionId: r.ID()}))
			if len(list.GetPractices()) != 1 || !list.GetPractices()[0].GetPractice().GetNominated() || strings.Join(list.GetLanguages(), ",") != "es,uk" {
				t.Fatalf("the translator's list = %v", list)
			}
			pid := nom.GetPractice().GetId()
			got := testenv.Must(tr.Translations.GetPracticeTranslation(ctx, &v1.GetPracticeTranslationRequest{PracticeId: pid, Language: "uk"}))
			var texts []*v1.NewTranslatedText
			for _, s := range got.GetPractice().GetTexts() {
				texts = append(texts, &v1.NewTranslatedText{Field: s.GetField(), Text: "uk: " + strings.ReplaceAll(s.GetText(), "\n", " "), SourceSha256: s.GetSha256()})
			}
			saved := testenv.Must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "uk", Status: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED, Texts: texts})).GetTranslation()
			if saved.GetVersion() != 1 || !saved.GetComplete() || saved.GetMadeBy().GetName() != "Tłumaczka" {
				t.Fatalf("the saved translation = %v", saved)
			}
			_, err = tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "vi", Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT})
			if testenv.Code(err) != connect.CodePermissionDenied {
				t.Fatalf("saving into a language not assigned = %v; want PermissionDenied", err)
			}
			_, err = tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "uk", ExpectedVersion: 1, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT, Texts: []*v1.NewTranslatedText{{Field: "summary", Text: "x"}}})
			wantViolation(t, err, connect.CodeInvalidArgument, "texts[0].field")
			_, err = tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "uk", ExpectedVersion: 0, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT})
			if testenv.Code(err) != connect.CodeAborted || len(connectErr(err).Details()) == 0 {
				t.Fatalf("a stale save = %v; want Aborted with the current translation", err)
			}
			// XLIFF: a bad file imported for real is InvalidArgument naming every bad unit.
			x := testenv.Must(org.Translations.ExportXliff(ctx, &v1.ExportXliffRequest{EditionId: r.ID(), Language: "es"}))
			bad := bytes.Replace(x.GetXliff(), []byte(`trgLang="es"`), []byte(`trgLang="vi"`), 1)
			_, err = org.Translations.ImportXliff(ctx, &v1.ImportXliffRequest{EditionId: r.ID(), Language: "es", Xliff: bad, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT})
			wantViolation(t, err, connect.CodeInvalidArgument, "xliff")
			var detail *v1.ImportXliffResponse
			for _, d := range connectErr(err).Details() {
				if v, derr := d.Value(); derr == nil {
					if r, ok := v.(*v1.ImportXliffResponse); ok {
						detail = r
					}
				}
			}
			if len(detail.GetProblems()) == 0 || detail.GetProblems()[0].GetKind() != v1.XliffProblemKind_XLIFF_PROBLEM_KIND_WRONG_TARGET_LANGUAGE {
				t.Fatalf("the refused import's detail = %v; want the wrong target language, by kind", detail)
			}
			dry := testenv.Must(org.Translations.ImportXliff(ctx, &v1.ImportXliffRequest{EditionId: r.ID(), Language: "es", Xliff: bad, DryRun: true, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT}))
			if len(dry.GetProblems()) == 0 || dry.GetProblems()[0].GetKind() != v1.XliffProblemKind_XLIFF_PROBLEM_KIND_WRONG_TARGET_LANGUAGE {
				t.Fatalf("the dry run of a Vietnamese file = %v", dry.GetProblems())
			}

			// The jury round: a juror reads the Ukrainian translation and casts saying so.
			j := env.NewJuror(t, org, proto, r.ID(), home, fmt.Sprintf("juror.tr.%d.%s@miasta.test", e.GetYear(), strings.ToLower(string(proto))), "Олена")
			_, err = j.Clients.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.ID(), Language: "uk"})
			if testenv.Code(err) != connect.CodeFailedPrecondition {
				t.Fatalf("a juror reading translations before the round = %v; want FailedPrecondition", err)
			}
			testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
			testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
			bt := testenv.Must(j.Clients.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.ID(), Language: "uk"})).GetTranslations()
			if len(bt) != 1 || bt[0].GetVersion() != 1 || bt[0].GetMadeBy() != nil || bt[0].GetOutdated() || len(bt[0].GetTexts()) != len(texts) {
				t.Fatalf("the juror's translations = %v; want version 1 of the one practice, without who made it", bt)
			}
			if _, err := tr.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.ID(), Language: "uk"}); testenv.Code(err) != connect.CodePermissionDenied {
				t.Fatalf("a translator reading the ballot's translations = %v; want PermissionDenied", err)
			}
			var scores []*v1.Score
			for _, c := range r.Criteria {
				scores = append(scores, testenv.Mark(nom, c, 4))
			}
			b := testenv.Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.ID(), Scores: scores})).GetBallot()
			for field, read := range map[string]*v1.TranslationRead{
				"translations_read[0].version":     {PracticeId: pid, Language: "uk", Version: 2},
				"translations_read[0].practice_id": {PracticeId: uuid.NewString(), Language: "uk", Version: 1},
			} {
				_, err := j.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.ID(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString(), TranslationsRead: []*v1.TranslationRead{read}})
				wantViolation(t, err, connect.CodeInvalidArgument, field)
			}
			testenv.Must(j.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.ID(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString(),
				TranslationsRead: []*v1.TranslationRead{{PracticeId: pid, Language: "uk", Version: 1}}}))
			reads := jurorProgress(t, org, r.ID(), j.Assignment.GetId()).GetTranslationsRead()
			if len(reads) != 1 || reads[0].GetPracticeId() != pid || reads[0].GetLanguage() != "uk" || reads[0].GetVersion() != 1 {
				t.Fatalf("the organisers see the juror read %v; want uk version 1", reads)
			}
			testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_TALLIED)
			testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_ANNOUNCED)
			bundle := env.Bundle(t, e.GetYear())
			for _, secret := range []string{"translation", `"uk"`, "uk: "} {
				if bytes.Contains(bundle, []byte(secret)) {
					t.Errorf("the public audit bundle contains %q", secret)
				}
			}
		})
	}
}

func connectErr(err error) *connect.Error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	return new(connect.Error)
}

// jurorProgress is one juror's line in the jury's progress.
func jurorProgress(t *testing.T, org testenv.Clients, editionID, assignmentID string) *v1.JurorProgress {
	t.Helper()
	for _, jp := range testenv.Must(org.Jury.GetJuryProgress(t.Context(), &v1.GetJuryProgressRequest{EditionId: editionID, PageSize: 100})).GetJurors() {
		if jp.GetAssignmentId() == assignmentID {
			return jp
		}
	}
	t.Fatalf("no juror %s in the jury's progress", assignmentID)
	return nil
}

// wantViolation checks that err has code and a BadRequest detail naming field.
func wantViolation(t *testing.T, err error, code connect.Code, field string) {
	t.Helper()
	if testenv.Code(err) != code {
		t.Fatalf("error = %v; want %v naming %s", err, code, field)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a Connect error", err)
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if br, ok := v.(*errdetails.BadRequest); derr == nil && ok {
			for _, fv := range br.GetFieldViolations() {
				if fv.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("error %v names no field %s", err, field)
}

// TestTheExpertPreviewsTheirReportAsJurorsReadIt: a city's expert, and organisers, read every
// translation of the report's practices in every language, without who made them, each text marked
// outdated when it translates another version of the original than the report's; an expert of
// another city, a translator and a juror are refused, and bad ids name their field.
func TestTheExpertPreviewsTheirReportAsJurorsReadIt(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	for _, proto := range testenv.Protocols {
		t.Run(string(proto), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(proto, env.Token(t, demo.OrganiserEmail))
			r := env.ReportingEdition(t, org, proto, 48*time.Hour)
			expert, other := r.Experts[0], r.Experts[1]
			city := r.Cities[0].GetId()
			req := &v1.ListReportTranslationsRequest{EditionId: r.ID(), CityId: city}

			// Not saved yet: nothing to translate, and no error.
			none := testenv.Must(expert.Translations.ListReportTranslations(ctx, req))
			if len(none.GetTranslations()) != 0 || none.GetReportVersion() != 0 {
				t.Fatalf("an unsaved report's translations = %v; want none", none)
			}
			acc := testenv.AcceptedReport(t, r, 0,
				testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...),
				testenv.Practice("Szkoła językowa", r.Categories[1], r.Criteria...))
			first, second := acc.GetPractices()[0].GetId(), acc.GetPractices()[1].GetId()
			if got := testenv.Must(expert.Translations.ListReportTranslations(ctx, req)); len(got.GetTranslations()) != 0 || got.GetReportVersion() != acc.GetVersion() {
				t.Fatalf("an accepted report's translations before any was made = %v; want none, at version %d", got, acc.GetVersion())
			}

			email := fmt.Sprintf("tlumacz.podglad.%d.%s@miasta.test", r.Edition.GetYear(), strings.ToLower(string(proto)))
			testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumacz", Language: "uk", Languages: []string{"uk", "es"}}))
			env.IdP.AddUser(testenv.User(email, true))
			tr := env.Clients(proto, env.Token(t, email))
			// Ukrainian: the second practice whole, from the original as it is.
			src := testenv.Must(tr.Translations.GetPracticeTranslation(ctx, &v1.GetPracticeTranslationRequest{PracticeId: second, Language: "uk"})).GetPractice()
			var whole []*v1.NewTranslatedText
			for _, s := range src.GetTexts() {
				whole = append(whole, &v1.NewTranslatedText{Field: s.GetField(), Text: "uk: " + strings.ReplaceAll(s.GetText(), "\n", " "), SourceSha256: s.GetSha256()})
			}
			testenv.Must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: second, Language: "uk", Status: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED, Texts: whole}))
			// Spanish: the first practice's title only, translated from an older title.
			older := "sha256:" + strings.Repeat("0", 64)
			testenv.Must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: first, Language: "es", Status: v1.TranslationStatus_TRANSLATION_STATUS_MACHINE,
				Texts: []*v1.NewTranslatedText{{Field: "title", Text: "Punto de información", SourceSha256: older}}}))

			for who, c := range map[string]testenv.Clients{"the expert": expert, "an organiser": org} {
				got := testenv.Must(c.Translations.ListReportTranslations(ctx, req))
				ts := got.GetTranslations()
				if len(ts) != 2 || got.GetReportVersion() != acc.GetVersion() {
					t.Fatalf("%s reads %v at version %d; want two translations at version %d", who, ts, got.GetReportVersion(), acc.GetVersion())
				}
				es, uk := ts[0], ts[1] // by practice in the report's order, then language
				if es.GetPracticeId() != first || es.GetLanguage() != "es" || !es.GetOutdated() || es.GetComplete() || len(es.GetTexts()) != 1 || !es.GetTexts()[0].GetOutdated() ||
					es.GetStatus() != v1.TranslationStatus_TRANSLATION_STATUS_MACHINE || es.GetMadeBy() != nil {
					t.Errorf("%s reads the Spanish translation as %v; want the first practice's title only, outdated, a machine's, without who made it", who, es)
				}
				if uk.GetPracticeId() != second || uk.GetLanguage() != "uk" || uk.GetOutdated() || !uk.GetComplete() || len(uk.GetTexts()) != len(whole) || uk.GetVersion() != 1 || uk.GetMadeBy() != nil {
					t.Errorf("%s reads the Ukrainian translation as %v; want the second practice whole, current, without who made it", who, uk)
				}
				if uk.GetTexts()[0].GetText() != whole[0].GetText() {
					t.Errorf("%s reads the Ukrainian title as %q; want %q", who, uk.GetTexts()[0].GetText(), whole[0].GetText())
				}
			}

			// Only the city's expert and organisers.
			j := env.NewJuror(t, org, proto, r.ID(), r.Cities[1], fmt.Sprintf("juror.podglad.%d.%s@miasta.test", r.Edition.GetYear(), strings.ToLower(string(proto))), "Juror")
			for who, c := range map[string]testenv.Clients{"the other city's expert": other, "a translator": tr, "a juror": j.Clients} {
				if _, err := c.Translations.ListReportTranslations(ctx, req); testenv.Code(err) != connect.CodePermissionDenied {
					t.Errorf("%s reading the report's translations = %v; want PermissionDenied", who, err)
				}
			}
			_, err := expert.Translations.ListReportTranslations(ctx, &v1.ListReportTranslationsRequest{EditionId: r.ID(), CityId: "Warszawa"})
			wantViolation(t, err, connect.CodeInvalidArgument, "city_id")
			_, err = expert.Translations.ListReportTranslations(ctx, &v1.ListReportTranslationsRequest{EditionId: "2015", CityId: city})
			wantViolation(t, err, connect.CodeInvalidArgument, "edition_id")
			_, err = org.Translations.ListReportTranslations(ctx, &v1.ListReportTranslationsRequest{EditionId: r.ID(), CityId: uuid.NewString()})
			wantViolation(t, err, connect.CodeNotFound, "city_id")
		})
	}
}
