package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

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
			e := seedEdition(t, org)
			home := cityFor(t, org, e, "Kalisz")
			r, noms := shortlisted(t, env, org, proto, e, nil, func(r *reporting, i int) []*v1.Practice {
				return []*v1.Practice{practice("Punkt informacyjny", r.categories[0], r.criteria...)}
			})
			nom := noms[0][0]
			email := fmt.Sprintf("tlumaczka.%d.%s@miasta.test", e.GetYear(), strings.ToLower(string(proto)))
			_, err := org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.id(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka", Languages: []string{"pl"}})
			wantViolation(t, err, connect.CodeInvalidArgument, "languages[0]")
			_, err = org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.id(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka"})
			wantViolation(t, err, connect.CodeInvalidArgument, "languages")
			inv := must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.id(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumaczka", Language: "uk", Languages: []string{"uk", "es"}})).GetInvitation()
			if inv.GetCity() != nil || len(inv.GetLanguages()) != 2 {
				t.Fatalf("the translator's invitation = %v; want no city and two languages", inv)
			}
			env.IdP.AddUser(devUser(email, true))
			tr := env.Clients(proto, env.Token(t, email))
			me := must(tr.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
			if len(me.GetAssignments()) != 1 || me.GetAssignments()[0].GetRole() != v1.Role_ROLE_TRANSLATOR {
				t.Fatalf("the translator's roles = %v", me.GetAssignments())
			}
			list := must(tr.Translations.ListTranslatablePractices(ctx, &v1.ListTranslatablePracticesRequest{EditionId: r.id()}))
			if len(list.GetPractices()) != 1 || !list.GetPractices()[0].GetPractice().GetNominated() || strings.Join(list.GetLanguages(), ",") != "es,uk" {
				t.Fatalf("the translator's list = %v", list)
			}
			pid := nom.GetPractice().GetId()
			got := must(tr.Translations.GetPracticeTranslation(ctx, &v1.GetPracticeTranslationRequest{PracticeId: pid, Language: "uk"}))
			var texts []*v1.NewTranslatedText
			for _, s := range got.GetPractice().GetTexts() {
				texts = append(texts, &v1.NewTranslatedText{Field: s.GetField(), Text: "uk: " + strings.ReplaceAll(s.GetText(), "\n", " "), SourceSha256: s.GetSha256()})
			}
			saved := must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "uk", Status: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED, Texts: texts})).GetTranslation()
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
			x := must(org.Translations.ExportXliff(ctx, &v1.ExportXliffRequest{EditionId: r.id(), Language: "es"}))
			bad := bytes.Replace(x.GetXliff(), []byte(`trgLang="es"`), []byte(`trgLang="vi"`), 1)
			_, err = org.Translations.ImportXliff(ctx, &v1.ImportXliffRequest{EditionId: r.id(), Language: "es", Xliff: bad, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT})
			wantViolation(t, err, connect.CodeInvalidArgument, "xliff")
			dry := must(org.Translations.ImportXliff(ctx, &v1.ImportXliffRequest{EditionId: r.id(), Language: "es", Xliff: bad, DryRun: true, Status: v1.TranslationStatus_TRANSLATION_STATUS_DRAFT}))
			if len(dry.GetProblems()) == 0 || dry.GetProblems()[0].GetKind() != v1.XliffProblemKind_XLIFF_PROBLEM_KIND_WRONG_TARGET_LANGUAGE {
				t.Fatalf("the dry run of a Vietnamese file = %v", dry.GetProblems())
			}

			// The jury round: a juror reads the Ukrainian translation and casts saying so.
			j := newJuror(t, env, org, proto, r.id(), home, fmt.Sprintf("juror.tr.%d.%s@miasta.test", e.GetYear(), strings.ToLower(string(proto))), "Олена")
			_, err = j.c.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.id(), Language: "uk"})
			if testenv.Code(err) != connect.CodeFailedPrecondition {
				t.Fatalf("a juror reading translations before the round = %v; want FailedPrecondition", err)
			}
			must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.id(), Rule: meanRule(0, 5, 1, r.criteria...)}))
			changeStage(t, org, r.id(), v1.Stage_STAGE_JURY)
			bt := must(j.c.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.id(), Language: "uk"})).GetTranslations()
			if len(bt) != 1 || bt[0].GetVersion() != 1 || bt[0].GetMadeBy() != nil || bt[0].GetOutdated() || len(bt[0].GetTexts()) != len(texts) {
				t.Fatalf("the juror's translations = %v; want version 1 of the one practice, without who made it", bt)
			}
			if _, err := tr.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: r.id(), Language: "uk"}); testenv.Code(err) != connect.CodePermissionDenied {
				t.Fatalf("a translator reading the ballot's translations = %v; want PermissionDenied", err)
			}
			var scores []*v1.Score
			for _, c := range r.criteria {
				scores = append(scores, mark(nom, c, 4))
			}
			b := must(j.c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.id(), Scores: scores})).GetBallot()
			for field, read := range map[string]*v1.TranslationRead{
				"translations_read[0].version":     {PracticeId: pid, Language: "uk", Version: 2},
				"translations_read[0].practice_id": {PracticeId: uuid.NewString(), Language: "uk", Version: 1},
			} {
				_, err := j.c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.id(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString(), TranslationsRead: []*v1.TranslationRead{read}})
				wantViolation(t, err, connect.CodeInvalidArgument, field)
			}
			must(j.c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.id(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString(),
				TranslationsRead: []*v1.TranslationRead{{PracticeId: pid, Language: "uk", Version: 1}}}))
			reads := progress(t, org, r.id())[j.assignment.GetId()].GetTranslationsRead()
			if len(reads) != 1 || reads[0].GetPracticeId() != pid || reads[0].GetLanguage() != "uk" || reads[0].GetVersion() != 1 {
				t.Fatalf("the organisers see the juror read %v; want uk version 1", reads)
			}
			changeStage(t, org, r.id(), v1.Stage_STAGE_TALLIED)
			changeStage(t, org, r.id(), v1.Stage_STAGE_ANNOUNCED)
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
