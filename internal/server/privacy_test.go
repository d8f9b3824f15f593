package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestErasePerson: a juror who drafted comments, declared a conflict naming herself and cast is
// erased after the close, and so is an invited translator who never signed in. Afterwards neither's name nor
// address is in any column of any table (events included, which the erasure does not touch), the
// edition's bundle still verifies and counts the erased juror's cast, her browser session is gone and
// signing in again gives her no role; the export shows what is left; the erasure is recorded.
func TestErasePerson(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...), testenv.Practice("Szkoła dla wszystkich", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	krakow := testenv.CityFor(t, org, e, "Kraków")

	const email, name = "olena.erased@miasta.test", "Olena Kovalenko"
	inv := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_JUROR, CityId: krakow.GetId(), DisplayName: name, Pseudonym: "Jurorka 7",
	})).GetInvitation()
	env.IdP.AddUser(devidp.User{Subject: testenv.Subject(email), Email: email, EmailVerified: true, Name: name})
	token := env.Token(t, email)
	juror := env.Clients(testenv.Connect, token)
	me := testenv.Must(juror.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if len(me.GetAssignments()) != 1 {
		t.Fatalf("the juror holds %v; want one role", me.GetAssignments())
	}
	userID := me.GetUser().GetId()
	kept := env.NewJuror(t, org, testenv.Connect, r.ID(), krakow, "juror.kept@miasta.test", "Ana Pérez")
	const neverEmail, neverName = "never.signed.in@miasta.test", "Bogdana Nieobecna"
	never := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: r.ID(), Email: neverEmail, Role: v1.Role_ROLE_TRANSLATOR, Languages: []string{"uk"}, DisplayName: neverName,
	})).GetInvitation()
	browser, _, _ := browserLogin(t, env, "/", email)
	session := miastav1connect.NewIdentityServiceClient(browser, env.URL)

	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	nom := noms[0][0]
	var all []*v1.Score
	for _, c := range r.Criteria {
		all = append(all, testenv.Mark(nom, c, 4))
	}
	testenv.Must(juror.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: r.ID(), NominationId: noms[0][1].GetId(),
		Reason: "Kovalenko współpracowała z tym projektem"}))
	cast := testenv.CastScores(t, testenv.Juror{Clients: juror, Name: name}, r.ID(), all...)
	// A draft after the cast, with a comment: only the juror reads it, and it is hers to erase.
	testenv.Must(juror.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.ID(), ExpectedVersion: cast.GetVersion(), Scores: all,
		Comments: []*v1.NominationComment{{NominationId: nom.GetId(), Text: "Olena Kovalenko: solidny projekt"}}}))
	both := append([]*v1.Score{}, all...)
	for _, c := range r.Criteria {
		both = append(both, testenv.Mark(noms[0][1], c, 3))
	}
	testenv.CastScores(t, kept, r.ID(), both...)
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_TALLIED)

	person := &v1.PersonRef{Person: &v1.PersonRef_UserId{UserId: userID}}
	before := testenv.Must(org.Privacy.ExportPersonData(ctx, &v1.ExportPersonDataRequest{Person: person})).GetJson()
	for _, want := range []string{email, name, "solidny projekt", "współpracowała", inv.GetId()} {
		if !strings.Contains(before, want) {
			t.Errorf("the export before the erasure lacks %q:\n%s", want, before)
		}
	}

	// Refusals change nothing.
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(kept.Clients.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: person}))
	})
	env.Refused(t, connect.CodeNotFound, "person.user_id", func() error {
		return testenv.ErrOf(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: &v1.PersonRef{Person: &v1.PersonRef_UserId{UserId: "00000000-0000-4000-8000-000000000001"}}}))
	})
	env.Refused(t, connect.CodeInvalidArgument, testenv.AnyField, func() error {
		return testenv.ErrOf(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: &v1.PersonRef{}}))
	})
	if n := occurrences(t, env.App.Pool, "Kovalenko"); n == "" {
		t.Fatal("the juror's name is nowhere before the erasure: the scan finds nothing")
	}

	events := env.EventCount(t)
	erased := testenv.Must(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: person})).GetErasure()
	if erased.GetUserId() != userID || erased.GetErasedBy() == "" || erased.GetEraseTime() == nil || erased.GetCounts()["users"] != 1 {
		t.Errorf("the erasure = %v; want the user, the organiser, the time and one account", erased)
	}
	neverRef := &v1.PersonRef{Person: &v1.PersonRef_InvitationId{InvitationId: never.GetId()}}
	testenv.Must(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: neverRef}))
	env.Refused(t, connect.CodeFailedPrecondition, "person", func() error {
		return testenv.ErrOf(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: neverRef}))
	})
	env.Refused(t, connect.CodeFailedPrecondition, "person", func() error {
		return testenv.ErrOf(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: person}))
	})
	if got := env.EventCount(t); got != events {
		t.Errorf("erasing appended %d events; the log must not change", got-events)
	}

	for _, needle := range []string{"Kovalenko", "Olena", "olena.erased", "solidny projekt", "współpracowała", neverName, "never.signed.in"} {
		if where := occurrences(t, env.App.Pool, needle); where != "" {
			t.Errorf("%q is still in the database after the erasure: %s", needle, where)
		}
	}
	s := env.Verify(t, e.GetYear())
	if s.Counted != 2 {
		t.Errorf("the bundle counts %d casts; want 2 (the erased juror's cast stays and counts)", s.Counted)
	}

	// Her browser session ended; signing in again makes a new account with no role.
	if _, err := session.GetMe(ctx, &v1.GetMeRequest{}); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Errorf("the erased juror's browser session: GetMe = %v; want Unauthenticated", err)
	}
	again := testenv.Must(juror.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if again.GetUser().GetId() == userID || len(again.GetAssignments()) != 0 {
		t.Errorf("signing in after the erasure gives %v; want a new account with no role", again)
	}
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(juror.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: r.ID()}))
	})

	after := testenv.Must(org.Privacy.ExportPersonData(ctx, &v1.ExportPersonDataRequest{Person: person})).GetJson()
	var doc struct {
		Account  struct{ Email, Name string }
		Roles    []struct{ Pseudonym string }
		Erasures []json.RawMessage
		Sessions struct{ Count int }
	}
	if err := json.Unmarshal([]byte(after), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Account.Email != "" || doc.Account.Name != "" || len(doc.Roles) != 1 || doc.Roles[0].Pseudonym != "Jurorka 7" || len(doc.Erasures) != 1 || doc.Sessions.Count != 0 {
		t.Errorf("the export after the erasure = %s; want no name or address, the role under its pseudonym, the erasure and no session", after)
	}
}

// occurrences names every table column in which needle occurs (as text, or as UTF-8 bytes in a bytea),
// or "" when it occurs nowhere.
func occurrences(t *testing.T, pool *pgxpool.Pool, needle string) string {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	rows, err := pool.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'jsonb', 'json', 'ARRAY', 'character varying', 'bytea')`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ table, name, kind string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name, &c.kind)
	})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, c := range cols {
		cond := fmt.Sprintf("%s::text ILIKE '%%' || $1 || '%%'", pgx.Identifier{c.name}.Sanitize())
		if c.kind == "bytea" {
			cond = fmt.Sprintf("position(convert_to($1, 'UTF8') in %s) > 0", pgx.Identifier{c.name}.Sanitize())
		}
		var n int
		if err := pool.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", pgx.Identifier{c.table}.Sanitize(), cond), needle).Scan(&n); err != nil {
			t.Fatalf("scanning %s.%s: %v", c.table, c.name, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c.table, c.name, n))
		}
	}
	return strings.Join(found, ", ")
}

// TestPersonDataIsThePlatformOrganisers: an edition's own organiser, whose role lets them withdraw
// that edition's invitations, may not erase or export the person behind one (a person spans
// editions); a platform organiser exports an invitee who never signed in.
func TestPersonDataIsThePlatformOrganisers(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	co, _ := editionWide(t, env, org, e.GetId(), v1.Role_ROLE_ORGANISER, "wspolorganizatorka.dane@miasta.test")
	inv := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: e.GetId(), Email: "tlumacz.dane@miasta.test", Role: v1.Role_ROLE_TRANSLATOR, Languages: []string{"vi"}, DisplayName: "Trần Văn Dịch",
	})).GetInvitation()
	person := &v1.PersonRef{Person: &v1.PersonRef_InvitationId{InvitationId: inv.GetId()}}
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(co.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: person}))
	})
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(co.Privacy.ExportPersonData(ctx, &v1.ExportPersonDataRequest{Person: person}))
	})
	doc := testenv.Must(org.Privacy.ExportPersonData(ctx, &v1.ExportPersonDataRequest{Person: person})).GetJson()
	var got struct {
		Account     json.RawMessage
		Invitations []struct {
			Email       string
			DisplayName string `json:"display_name"`
		}
		Mail []struct {
			RecipientEmail string `json:"recipient_email"`
		}
	}
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatal(err)
	}
	if string(got.Account) != "null" || len(got.Invitations) != 1 || got.Invitations[0].Email != "tlumacz.dane@miasta.test" || got.Invitations[0].DisplayName != "Trần Văn Dịch" {
		t.Errorf("the export of an invitee who never signed in = %s; want no account and their one invitation", doc)
	}
	for _, m := range got.Mail {
		if m.RecipientEmail != "tlumacz.dane@miasta.test" {
			t.Errorf("the export holds mail to %q", m.RecipientEmail)
		}
	}
}

// TestPrivacyNotice: anyone reads the notice, the platform's default until an organiser writes one
// for a language; only organisers write it, and bad input is refused.
func TestPrivacyNotice(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	anon := env.Clients(testenv.Connect, "")
	pl := testenv.Must(anon.Privacy.GetPrivacyNotice(ctx, &v1.GetPrivacyNoticeRequest{})).GetNotice()
	if pl.GetEdited() || pl.GetLanguage() != "pl" || !strings.Contains(pl.GetText(), "Administratorem danych") {
		t.Errorf("the default notice = %v; want the Polish default", pl)
	}
	vi := testenv.Must(anon.Privacy.GetPrivacyNotice(ctx, &v1.GetPrivacyNoticeRequest{Language: "vi"})).GetNotice()
	if vi.GetEdited() || !strings.Contains(vi.GetText(), "controller of personal data") {
		t.Errorf("the default Vietnamese notice = %v; want the English default", vi)
	}
	env.Refused(t, connect.CodeUnauthenticated, testenv.AnyField, func() error {
		return testenv.ErrOf(anon.Privacy.SetPrivacyNotice(ctx, &v1.SetPrivacyNoticeRequest{Language: "vi", Text: "x"}))
	})
	env.Refused(t, connect.CodeInvalidArgument, "language", func() error {
		return testenv.ErrOf(org.Privacy.SetPrivacyNotice(ctx, &v1.SetPrivacyNoticeRequest{Language: "de", Text: "x"}))
	})
	env.Refused(t, connect.CodeInvalidArgument, "text", func() error {
		return testenv.ErrOf(org.Privacy.SetPrivacyNotice(ctx, &v1.SetPrivacyNoticeRequest{Language: "vi", Text: ""}))
	})
	const text = "Thông báo về quyền riêng tư.\n\nLiên hệ: fundacja@example.org"
	set := testenv.Must(org.Privacy.SetPrivacyNotice(ctx, &v1.SetPrivacyNoticeRequest{Language: "vi", Text: text})).GetNotice()
	if !set.GetEdited() || set.GetUpdateTime() == nil {
		t.Errorf("the saved notice = %v; want it edited, with its time", set)
	}
	if got := testenv.Must(anon.Privacy.GetPrivacyNotice(ctx, &v1.GetPrivacyNoticeRequest{Language: "vi"})).GetNotice(); got.GetText() != text || !got.GetEdited() {
		t.Errorf("the Vietnamese notice after saving = %v; want the organisers' text", got)
	}
	if got := testenv.Must(anon.Privacy.GetPrivacyNotice(ctx, &v1.GetPrivacyNoticeRequest{Language: "pl"})).GetNotice(); got.GetEdited() {
		t.Errorf("the Polish notice changed with the Vietnamese: %v", got)
	}
}
