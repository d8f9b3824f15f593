package translation_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/translation"
)

// world is an edition in REVIEW with one accepted report (two practices, narratives on two
// criteria), one submitted one, an organiser, a translator into uk and vi, and the services.
type world struct {
	t                    *testing.T
	pool                 *pgxpool.Pool
	svc                  *translation.Service
	users                *identity.Store
	org, translator      *auth.Principal
	expert, otherExpert  *auth.Principal
	edition              edition.Edition
	crit1, crit2         edition.Criterion
	accepted             report.Report // Gdańsk's
	submittedPracticeID  uuid.UUID     // Lublin's, not accepted
	translatorAssignment auth.Assignment
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newWorld(t *testing.T, year int32) *world {
	t.Helper()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	log := slog.New(slog.DiscardHandler)
	w := &world{t: t, pool: pool, svc: translation.NewService(pool, log)}
	w.users = identity.NewStore(pool, []string{"org@miasta.test"}, log)
	signIn := func(email string) *auth.Principal {
		p, err := w.users.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: email, Email: email, EmailVerified: true, Name: email})
		must(t, err)
		return p
	}
	w.org = signIn("org@miasta.test")
	editions := edition.NewService(pool, log, report.StageHook)
	deadline := time.Now().Add(72 * time.Hour)
	e, err := editions.Create(ctx, w.org, edition.NewEdition{Year: year, Name: "Edycja", Timeline: edition.Timeline{ReportingDeadline: &deadline}})
	must(t, err)
	gdansk, err := editions.CreateCity(ctx, w.org, "Gdańsk")
	must(t, err)
	lublin, err := editions.CreateCity(ctx, w.org, "Lublin")
	must(t, err)
	for _, c := range []edition.City{gdansk, lublin} {
		_, err = editions.AddCity(ctx, w.org, e.ID, c.ID)
		must(t, err)
	}
	cat, err := editions.CreateCategory(ctx, w.org, edition.Category{EditionID: e.ID, Number: 1, NamePL: "Przestrzeń przyjazna imigrantom", NameEN: "Immigrant-friendly space"})
	must(t, err)
	w.crit1, err = editions.CreateCriterion(ctx, w.org, edition.Criterion{EditionID: e.ID, Number: 1, NamePL: "Kompleksowość", NameEN: "Comprehensiveness"})
	must(t, err)
	w.crit2, err = editions.CreateCriterion(ctx, w.org, edition.Criterion{EditionID: e.ID, Number: 2, NamePL: "Skuteczność", NameEN: "Effectiveness"})
	must(t, err)
	for _, inv := range []identity.NewInvitation{
		{Email: "gdansk@miasta.test", Role: auth.RoleExpert, CityID: gdansk.ID, DisplayName: "Ekspert z Gdańska"},
		{Email: "lublin@miasta.test", Role: auth.RoleExpert, CityID: lublin.ID, DisplayName: "Ekspertka z Lublina"},
		{Email: "tlumacz@miasta.test", Role: auth.RoleTranslator, DisplayName: "Тетяна Перекладачка", Languages: []string{"uk", "vi"}},
	} {
		inv.EditionID = e.ID
		_, err := w.users.Invite(ctx, w.org, inv)
		must(t, err)
	}
	w.expert, w.otherExpert, w.translator = signIn("gdansk@miasta.test"), signIn("lublin@miasta.test"), signIn("tlumacz@miasta.test")
	w.translatorAssignment, _ = w.translator.Holds(e.ID, auth.RoleTranslator)
	_, err = editions.ChangeStage(ctx, w.org, e.ID, edition.StageChange{Target: edition.Reporting})
	must(t, err)
	reports := report.NewService(pool, log)
	r, err := reports.Save(ctx, w.expert, e.ID, gdansk.ID, report.Edit{Introduction: "Wstęp.", Practices: []report.Practice{
		{Title: "Centrum Wielokulturowe", CategoryID: cat.ID, Description: "Porady prawne, kursy języka polskiego\ni spotkania sąsiedzkie & <warsztaty>.",
			Narratives: []report.Narrative{{CriterionID: w.crit2.ID, Text: "Z porad skorzystało 3 000 osób."}, {CriterionID: w.crit1.ID, Text: "Łączy pomoc prawną, językową i kulturalną."}}},
		{Title: "Gdańska Rada Imigrantów", CategoryID: cat.ID},
	}})
	must(t, err)
	r, err = reports.Submit(ctx, w.expert, e.ID, gdansk.ID, r.Version)
	must(t, err)
	w.accepted, err = reports.Accept(ctx, w.org, e.ID, gdansk.ID, r.Version)
	must(t, err)
	lr, err := reports.Save(ctx, w.otherExpert, e.ID, lublin.ID, report.Edit{Practices: []report.Practice{{Title: "Lubelski punkt informacyjny", CategoryID: cat.ID}}})
	must(t, err)
	_, err = reports.Submit(ctx, w.otherExpert, e.ID, lublin.ID, lr.Version)
	must(t, err)
	w.submittedPracticeID = lr.Practices[0].ID
	w.edition, err = editions.ChangeStage(ctx, w.org, e.ID, edition.StageChange{Target: edition.Review})
	must(t, err)
	return w
}

func (w *world) practice(i int) report.Practice { return w.accepted.Practices[i] }

func kindOf(err error) fault.Kind {
	if f, ok := fault.As(err); ok {
		return f.Kind
	}
	return 0
}

// TestTranslatorsWriteTheirLanguagesOnly: a translator sees the accepted practices (not the
// submitted report's) in their languages, writes a versioned translation into one of them (a stale
// save is refused with the current translation), and everything else is refused with the right kind:
// another language, an organiser's or expert's save, a text the original does not have, a title of
// two lines, an unaccepted practice.
func TestTranslatorsWriteTheirLanguagesOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2040)
	ctx := t.Context()
	sums, languages, _, err := w.svc.List(ctx, w.translator, w.edition.ID, 0, "")
	must(t, err)
	if !slices.Equal(languages, []string{"uk", "vi"}) || len(sums) != 2 || sums[0].Practice.ID != w.practice(0).ID {
		t.Fatalf("the translator's list = %d practices in %v; want Gdańsk's two in uk, vi", len(sums), languages)
	}
	if got := len(sums[0].Practice.Texts); got != 4 {
		t.Fatalf("the first practice has %d texts to translate; want 4 (title, description, two narratives)", got)
	}
	if sums[1].Practice.Texts[0].Field != translation.FieldTitle || len(sums[1].Practice.Texts) != 1 {
		t.Fatalf("a practice with only a title has texts %+v", sums[1].Practice.Texts)
	}
	if _, _, _, err := w.svc.List(ctx, w.expert, w.edition.ID, 0, ""); kindOf(err) != fault.PermissionDenied {
		t.Fatalf("an expert listing translations = %v; want PermissionDenied", err)
	}
	_, langs, _, err := w.svc.List(ctx, w.org, w.edition.ID, 0, "")
	if err != nil || len(langs) != 4 {
		t.Fatalf("the organiser's languages = %v, %v; want all four", langs, err)
	}

	p := w.practice(0)
	narr := translation.NarrativeField(w.crit1.ID)
	edit := translation.Edit{Status: translation.Draft, Texts: []translation.NewText{
		{Field: translation.FieldTitle, Text: "Багатокультурний центр"},
		{Field: narr, Text: "Поєднує правову, мовну та культурну допомогу."},
		{Field: translation.FieldDescription, Text: "  "}, // empty: no translation of the description yet
	}}
	tr, err := w.svc.Save(ctx, w.translator, p.ID, "uk", edit)
	must(t, err)
	if tr.Version != 1 || len(tr.Texts) != 2 || tr.Complete || tr.Outdated || tr.MadeBy != translation.ByTranslator || tr.MadeByName != "Тетяна Перекладачка" {
		t.Fatalf("the first save = %+v; want version 1, two texts, incomplete, by the translator", tr)
	}
	if tr.Texts[0].Field != translation.FieldTitle || tr.Texts[1].Field != narr {
		t.Fatalf("texts are not in the original's order: %+v", tr.Texts)
	}
	// A second tab saving against version 0 meets version 1.
	_, err = w.svc.Save(ctx, w.translator, p.ID, "uk", edit)
	if f, ok := fault.As(err); !ok || f.Kind != fault.Aborted {
		t.Fatalf("a stale save = %v; want Aborted", err)
	} else if cur, ok := f.Detail.(translation.Translation); !ok || cur.Version != 1 {
		t.Fatalf("the stale save's detail = %#v; want the current translation", f.Detail)
	}
	for _, c := range []struct {
		name string
		who  *auth.Principal
		id   uuid.UUID
		lang string
		edit translation.Edit
		want fault.Kind
	}{
		{"another language", w.translator, p.ID, "es", translation.Edit{Status: translation.Draft}, fault.PermissionDenied},
		{"an organiser", w.org, p.ID, "uk", translation.Edit{ExpectedVersion: 1, Status: translation.Draft}, fault.PermissionDenied},
		{"an expert", w.expert, p.ID, "uk", translation.Edit{ExpectedVersion: 1, Status: translation.Draft}, fault.PermissionDenied},
		{"a text the original lacks", w.translator, w.practice(1).ID, "uk", translation.Edit{Status: translation.Draft, Texts: []translation.NewText{{Field: translation.FieldDescription, Text: "Опис"}}}, fault.Invalid},
		{"a narrative of an unknown criterion", w.translator, p.ID, "vi", translation.Edit{Status: translation.Draft, Texts: []translation.NewText{{Field: "narrative." + uuid.NewString(), Text: "x"}}}, fault.Invalid},
		{"a title of two lines", w.translator, p.ID, "vi", translation.Edit{Status: translation.Draft, Texts: []translation.NewText{{Field: translation.FieldTitle, Text: "Trung tâm\nĐa văn hóa"}}}, fault.Invalid},
		{"an over-long title", w.translator, p.ID, "vi", translation.Edit{Status: translation.Draft, Texts: []translation.NewText{{Field: translation.FieldTitle, Text: strings.Repeat("a", 601)}}}, fault.Invalid},
		{"a practice not accepted", w.translator, w.submittedPracticeID, "uk", translation.Edit{Status: translation.Draft}, fault.FailedPrecondition},
		{"no such practice", w.translator, uuid.New(), "uk", translation.Edit{Status: translation.Draft}, fault.NotFound},
	} {
		if _, err := w.svc.Save(ctx, c.who, c.id, c.lang, c.edit); kindOf(err) != c.want {
			t.Errorf("%s: save = %v; want kind %d", c.name, err, c.want)
		}
	}
	if _, _, err := w.svc.Get(ctx, w.translator, p.ID, "es"); kindOf(err) != fault.PermissionDenied {
		t.Errorf("reading a language not assigned = %v; want PermissionDenied", err)
	}
	_, got, err := w.svc.Get(ctx, w.org, p.ID, "uk")
	if err != nil || got.Version != 1 || got.MadeByName != "Тетяна Перекладачка" {
		t.Fatalf("the organiser reads %+v, %v; want version 1 with its translator", got, err)
	}
}

// TestEditedOriginalsMakeTranslationsOutdated: a text translated from an older version of its
// original (the hash the translator saw, or the original changing underneath) reads as outdated, in
// the translator's view and the jurors' alike, until it is saved again against the current one.
func TestEditedOriginalsMakeTranslationsOutdated(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2041)
	ctx := t.Context()
	p := w.practice(0)
	pr, _, err := w.svc.Get(ctx, w.translator, p.ID, "vi")
	must(t, err)
	desc, _ := pr.Text(translation.FieldDescription)
	texts := []translation.NewText{
		{Field: translation.FieldTitle, Text: "Trung tâm Đa văn hóa"},
		{Field: translation.FieldDescription, Text: "Tư vấn pháp lý, khóa học tiếng Ba Lan\nvà gặp gỡ hàng xóm.", SourceSHA256: desc.SHA256},
		{Field: translation.NarrativeField(w.crit2.ID), Text: "3.000 người đã được tư vấn."},
		{Field: translation.NarrativeField(w.crit1.ID), Text: "Kết hợp hỗ trợ pháp lý, ngôn ngữ và văn hóa."},
	}
	tr, err := w.svc.Save(ctx, w.translator, p.ID, "vi", translation.Edit{Status: translation.Reviewed, Texts: texts})
	must(t, err)
	if !tr.Complete || tr.Outdated {
		t.Fatalf("a full translation = complete %v, outdated %v; want complete and up to date", tr.Complete, tr.Outdated)
	}
	// The original's description changes (as an organiser correcting an accepted report would).
	if _, err := w.pool.Exec(ctx, "UPDATE practices SET description = description || ' Od 2015 r. także w soboty.' WHERE id = $1", p.ID); err != nil {
		t.Fatal(err)
	}
	_, tr, err = w.svc.Get(ctx, w.translator, p.ID, "vi")
	must(t, err)
	if !tr.Outdated || !tr.Texts[1].Outdated || tr.Texts[0].Outdated {
		t.Fatalf("after the original changed: %+v; want the description (only) outdated", tr)
	}
	sums, _, _, err := w.svc.List(ctx, w.translator, w.edition.ID, 0, "")
	must(t, err)
	if vi := sums[0].Translations[1]; vi.Language != "vi" || !vi.Outdated {
		t.Fatalf("the list shows %+v for vi; want it outdated", vi)
	}
	// A save that keeps the old hash keeps it outdated; the hash of what the translator sees now clears it.
	pr, _, err = w.svc.Get(ctx, w.translator, p.ID, "vi")
	must(t, err)
	now, _ := pr.Text(translation.FieldDescription)
	if now.SHA256 == desc.SHA256 {
		t.Fatal("the original's hash did not change with its text")
	}
	tr, err = w.svc.Save(ctx, w.translator, p.ID, "vi", translation.Edit{ExpectedVersion: tr.Version, Status: translation.Draft, Texts: texts})
	must(t, err)
	if !tr.Outdated {
		t.Fatal("a save against the old version of the original cleared the outdated mark")
	}
	texts[1] = translation.NewText{Field: translation.FieldDescription, Text: texts[1].Text + " Từ năm 2015 cả thứ Bảy.", SourceSHA256: now.SHA256}
	tr, err = w.svc.Save(ctx, w.translator, p.ID, "vi", translation.Edit{ExpectedVersion: tr.Version, Status: translation.Draft, Texts: texts})
	must(t, err)
	if tr.Outdated || tr.Version != 3 {
		t.Fatalf("after translating the current original: outdated %v, version %d; want up to date, version 3", tr.Outdated, tr.Version)
	}
}
