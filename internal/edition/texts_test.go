package edition_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// TestTextsInTheEditionsLanguages: the jury opens only when every name and description is in each of
// the edition's languages; texts are replaced, removed and limited as the API says, all or nothing.
func TestTextsInTheEditionsLanguages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	e := f.draft(t, 2031, "pl", "uk")
	if got := e.Languages; len(got) != 2 || got[0] != "pl" || got[1] != "uk" {
		t.Fatalf("languages = %v; want [pl uk]", got)
	}
	cat, err := f.svc.CreateCategory(ctx, f.org, edition.Category{EditionID: e.ID, Number: 1, NamePL: "Przestrzeń", NameEN: "Space", Description: "Opis"})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Names["pl"] != "Przestrzeń" || cat.Names["en"] != "Space" || cat.Descriptions["pl"] != "Opis" || len(cat.Descriptions) != 1 {
		t.Fatalf("a new category's texts = %v %v; want its Polish and English names and its Polish description", cat.Names, cat.Descriptions)
	}

	// One bad text refuses the whole request and changes nothing.
	_, _, _, err = f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{
		{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: "Простір"},
		{SubjectID: cat.ID, Field: edition.FieldName, Language: "pl", Text: "Nowa"},
	})
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || fe.Field != "texts[1].language" {
		t.Fatalf("a Polish text = %v; want Invalid on texts[1].language", err)
	}
	long := make([]rune, 301)
	for i := range long {
		long[i] = 'ї'
	}
	_, _, _, err = f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: string(long)}})
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || fe.Field != "texts[0].text" {
		t.Fatalf("a 301-character name = %v; want Invalid on texts[0].text", err)
	}
	_, _, _, err = f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{{SubjectID: e.ID, Field: edition.FieldDescription, Language: "uk", Text: "x"}})
	if fe, ok := fault.As(err); !ok || fe.Field != "texts[0].field" {
		t.Fatalf("an edition's description = %v; want Invalid on texts[0].field", err)
	}
	other := f.draft(t, 2032)
	_, _, _, err = f.svc.SetTexts(ctx, f.org, other.ID, []edition.Text{{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: "x"}})
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.NotFound || fe.Field != "texts[0].subject_id" {
		t.Fatalf("another edition's category = %v; want NotFound on texts[0].subject_id", err)
	}
	cats, err := edition.Categories(ctx, f.pool, e.ID)
	if err != nil || len(cats[0].Names) != 2 {
		t.Fatalf("after refused requests the category's names = %v (%v); want only pl and en", cats[0].Names, err)
	}

	f.readyForJury(t, e, cat)
	// Missing: the edition's name, the category's name and description in uk.
	err = f.toJury(t, e)
	fe, ok := fault.As(err)
	missing, _ := fe.Detail.(edition.MissingTexts)
	if !ok || fe.Kind != fault.FailedPrecondition || len(missing) != 3 {
		t.Fatalf("opening the jury without Ukrainian texts = %v (%v); want FailedPrecondition listing 3 texts", err, missing)
	}
	_, cs, _, err := f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{
		{SubjectID: e.ID, Field: edition.FieldName, Language: "uk", Text: "Відкриті міста"},
		{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: "Простір"},
		{SubjectID: cat.ID, Field: edition.FieldDescription, Language: "uk", Text: "Опис"},
		{SubjectID: cat.ID, Field: edition.FieldName, Language: "en", Text: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := cs[0].Names; n["uk"] != "Простір" || n["en"] != "" || n["pl"] != "Przestrzeń" {
		t.Fatalf("names after setting uk and removing en = %v", n)
	}
	if err := f.toJury(t, e); err != nil {
		t.Fatalf("with every text in pl and uk (en is not an edition language) the jury did not open: %v", err)
	}
	// Once the jury is open a text can be corrected, not removed, and the languages stay.
	_, _, _, err = f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: ""}})
	if !fault.Is(err, fault.FailedPrecondition) {
		t.Fatalf("removing a Ukrainian text in JURY = %v; want FailedPrecondition", err)
	}
	if _, _, _, err := f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{{SubjectID: cat.ID, Field: edition.FieldName, Language: "uk", Text: "Простір міста"}}); err != nil {
		t.Fatalf("correcting a text in JURY: %v", err)
	}
	if _, err := f.svc.SetLanguages(ctx, f.org, e.ID, []string{"pl"}); !fault.Is(err, fault.FailedPrecondition) {
		t.Fatalf("changing languages in JURY = %v; want FailedPrecondition", err)
	}
	if _, err := f.svc.SetLanguages(ctx, f.org, other.ID, []string{"uk"}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("languages without Polish = %v; want Invalid", err)
	}
	if o, err := f.svc.SetLanguages(ctx, f.org, other.ID, []string{"vi", "pl", "es"}); err != nil || len(o.Languages) != 3 || o.Languages[0] != "pl" || o.Languages[1] != "es" {
		t.Fatalf("languages vi, pl, es = %v (%v); want them in the platform's order pl, es, vi", o.Languages, err)
	}
}

// textsFixture is an edition service without other domains' stage hooks, and an organiser.
type textsFixture struct {
	pool *pgxpool.Pool
	svc  *edition.Service
	org  *auth.Principal
}

func newFixture(t *testing.T) textsFixture {
	pool := dbtest.NewPool(t)
	var userID uuid.UUID
	if err := pool.QueryRow(t.Context(), `INSERT INTO users (issuer, subject, email, email_verified, name) VALUES ('test', 'org', 'org@miasta.test', true, 'Org') RETURNING id`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	return textsFixture{pool: pool, svc: edition.NewService(pool, slog.New(slog.DiscardHandler)),
		org: &auth.Principal{UserID: userID, Email: "org@miasta.test", EmailVerified: true, Organiser: true}}
}

func (f textsFixture) draft(t *testing.T, year int32, languages ...string) edition.Edition {
	t.Helper()
	e, err := f.svc.Create(t.Context(), f.org, edition.NewEdition{Year: year, Name: "Edycja", Languages: languages})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// readyForJury takes e to REVIEW with a city, cat and a criterion.
func (f textsFixture) readyForJury(t *testing.T, e edition.Edition, cat edition.Category) {
	t.Helper()
	ctx := t.Context()
	city, err := f.svc.CreateCity(ctx, f.org, "Lublin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddCity(ctx, f.org, e.ID, city.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateCriterion(ctx, f.org, edition.Criterion{EditionID: e.ID, Number: 1, NamePL: "Skuteczność", NameEN: "Effectiveness"}); err != nil {
		t.Fatal(err)
	}
	crit, err := edition.Criteria(ctx, f.pool, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.svc.SetTexts(ctx, f.org, e.ID, []edition.Text{{SubjectID: crit[0].ID, Field: edition.FieldName, Language: "uk", Text: "Ефективність"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(72 * time.Hour)
	if _, err := f.svc.SetTimeline(ctx, f.org, e.ID, edition.Timeline{ReportingDeadline: &deadline}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []edition.Stage{edition.Reporting, edition.Review} {
		if _, err := f.svc.ChangeStage(ctx, f.org, e.ID, edition.StageChange{Target: s}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f textsFixture) toJury(t *testing.T, e edition.Edition) error {
	_, err := f.svc.ChangeStage(t.Context(), f.org, e.ID, edition.StageChange{Target: edition.Jury})
	return err
}
