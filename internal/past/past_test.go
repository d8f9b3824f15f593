package past_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/past"
)

// TestThe2015EditionIsWhatItsAnnouncementStates: the shipped document of 2015 holds the facts of its
// published announcement (seed 004) and no distinction it does not state.
func TestThe2015EditionIsWhatItsAnnouncementStates(t *testing.T) {
	t.Parallel()
	doc, err := past.Published.ReadFile("editions/2015.json")
	if err != nil {
		t.Fatal(err)
	}
	e, err := past.Parse(doc)
	if err != nil {
		t.Fatalf("the shipped 2015 document does not parse: %v", err)
	}
	if e.GetYear() != 2015 || e.GetOrganiser() != "Fundacja „Inna Przestrzeń”" {
		t.Errorf("year %d, organiser %q", e.GetYear(), e.GetOrganiser())
	}
	if got := strings.Join(e.GetExpertCities(), ","); got != "Warszawa,Kraków,Lublin,Poznań,Łódź,Gdańsk" {
		t.Errorf("expert cities %s", got)
	}
	var jury []string
	for _, j := range e.GetJury() {
		jury = append(jury, j.GetName()+"/"+j.GetOrigin()["pl"]+"/"+j.GetCity())
	}
	if got := strings.Join(jury, ","); got != "Priscilla Rubia/Kenia/Łódź,Harris Mawusi/Ghana/Gdańsk,Jose Torres/Kuba/Wrocław,Edward Krajczyński/Ukraina/Lublin,Ngo Hoang Minh/Wietnam/Warszawa" {
		t.Errorf("jury %s", got)
	}
	if len(e.GetCategories()) != 11 || e.GetCategories()[4].GetName()["pl"] != "Miejski punkt obsługi cudzoziemców" {
		t.Errorf("categories %v; want the eleven areas the jury distinguished", e.GetCategories())
	}
	// 14 May 2015, 15:30 in Warsaw (summer time, UTC+2), in the White Stork Synagogue in Wrocław.
	if got := e.GetCeremonyTime().AsTime().UTC().Format("2006-01-02 15:04"); got != "2015-05-14 13:30" {
		t.Errorf("ceremony at %s UTC", got)
	}
	if e.GetCeremonyPlace()["pl"] != "Synagoga pod Białym Bocianem, Wrocław" || !strings.Contains(e.GetCeremonyOccasion()["pl"], "IV Międzysektorowego Forum Lokalnych Polityk Migracyjnych") {
		t.Errorf("ceremony place %v occasion %v", e.GetCeremonyPlace(), e.GetCeremonyOccasion())
	}
	// The announcement names no city per category: the archive must not say who won what.
	if len(e.GetDistinctions()) != 0 || len(e.GetRecommendations()) != 0 {
		t.Errorf("distinctions %v recommendations %v; the record states none", e.GetDistinctions(), e.GetRecommendations())
	}
}

func organiser(t *testing.T) *auth.Principal {
	return &auth.Principal{UserID: uuid.Nil, Email: "org@miasta.test", EmailVerified: true, Organiser: true}
}

// TestImportPastEditions: an import is checked, stored and read back; it replaces only when told; a
// year run on the platform is refused both ways; the cities a distinction names are matched to the
// platform's (added when missing) and their pages can list the distinction.
func TestImportPastEditions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	org := organiser(t)
	editions := edition.NewService(pool, slog.New(slog.DiscardHandler))
	svc := past.NewService(pool, editions)

	added, err := svc.ImportPublished(ctx, org)
	if err != nil || len(added) != 1 || added[0] != 2015 {
		t.Fatalf("ImportPublished = %v, %v; want 2015", added, err)
	}
	if again, err := svc.ImportPublished(ctx, org); err != nil || len(again) != 0 {
		t.Fatalf("ImportPublished again = %v, %v; want nothing new", again, err)
	}
	got, err := svc.Get(ctx, 2015)
	if err != nil || got.GetName()["en"] != "Open Cities 2015" || got.GetImportTime() == nil {
		t.Fatalf("Get(2015) = %v, %v", got, err)
	}
	// The platform cannot run an edition in a year the archive holds.
	if _, err := editions.Create(ctx, org, edition.NewEdition{Year: 2015, Name: "Miasta Otwarte 2015"}); !fault.Is(err, fault.AlreadyExists) {
		t.Errorf("creating a platform edition of 2015 = %v; want AlreadyExists", err)
	}

	lodz, err := editions.CreateCity(ctx, org, "Łódź")
	if err != nil {
		t.Fatal(err)
	}
	e2014 := &v1.PastEdition{
		Year:       2014,
		Name:       map[string]string{"pl": "Miasta Otwarte 2014"},
		Categories: []*v1.PastCategory{{Number: 1, Name: map[string]string{"pl": "Punkt obsługi", "en": "Service point"}}},
		Distinctions: []*v1.PastDistinction{
			{CategoryNumber: 1, City: "łódź", PracticeTitle: map[string]string{"pl": "Punkt Informacyjny dla Cudzoziemców"}},
			{CategoryNumber: 1, City: "Zamość"},
		},
		Sources: []*v1.PastSource{{Title: "Wyniki 2014", Url: "https://example.org/2014"}},
	}
	imported, err := svc.Import(ctx, org, e2014, false)
	if err != nil {
		t.Fatal(err)
	}
	ds := imported.GetDistinctions()
	if ds[0].GetCityId() != lodz.ID.String() || ds[0].GetCity() != "Łódź" || ds[1].GetCityId() == "" {
		t.Fatalf("distinctions' cities %v; want Łódź matched (its Polish spelling kept) and Zamość added", ds)
	}
	of, err := svc.OfCity(ctx, lodz.ID)
	if err != nil || len(of) != 1 || of[0].Edition.GetYear() != 2014 || of[0].Distinction.GetPracticeTitle()["pl"] != "Punkt Informacyjny dla Cudzoziemców" {
		t.Fatalf("OfCity(Łódź) = %v, %v", of, err)
	}
	if _, err := svc.Import(ctx, org, e2014, false); !fault.Is(err, fault.AlreadyExists) {
		t.Errorf("importing 2014 again without replace = %v; want AlreadyExists", err)
	}
	fewer := proto.CloneOf(e2014)
	fewer.Distinctions = fewer.Distinctions[1:]
	if _, err := svc.Import(ctx, org, fewer, true); err != nil {
		t.Fatal(err)
	}
	if of, _ := svc.OfCity(ctx, lodz.ID); len(of) != 0 {
		t.Errorf("after a replace without it, Łódź still lists %v", of)
	}
	all, err := svc.List(ctx)
	if err != nil || len(all) != 2 || all[0].GetYear() != 2015 || all[1].GetYear() != 2014 {
		t.Fatalf("List = %v, %v; want 2015 then 2014", all, err)
	}

	if _, err := editions.Create(ctx, org, edition.NewEdition{Year: 2020, Name: "Miasta Otwarte 2020"}); err != nil {
		t.Fatal(err)
	}
	on := proto.CloneOf(e2014)
	on.Year = 2020
	if _, err := svc.Import(ctx, org, on, true); !fault.Is(err, fault.AlreadyExists) {
		t.Errorf("importing over a platform edition = %v; want AlreadyExists", err)
	}
	if _, err := svc.Get(ctx, 2016); !fault.Is(err, fault.NotFound) {
		t.Errorf("Get(2016) = %v; want NotFound", err)
	}
}

// TestPastEditionChecks: a document that would state something unclear is refused, naming the field,
// and nothing is stored.
func TestPastEditionChecks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	svc := past.NewService(pool, edition.NewService(pool, slog.New(slog.DiscardHandler)))
	base := func() *v1.PastEdition {
		return &v1.PastEdition{
			Year:       2014,
			Name:       map[string]string{"pl": "Miasta Otwarte 2014"},
			Categories: []*v1.PastCategory{{Number: 1, Name: map[string]string{"pl": "Punkt obsługi"}}},
			Sources:    []*v1.PastSource{{Title: "Wyniki 2014"}},
		}
	}
	for _, c := range []struct {
		what  string
		edit  func(*v1.PastEdition)
		field string
	}{
		{"a name without its Polish original", func(e *v1.PastEdition) { e.Name = map[string]string{"en": "Open Cities 2014"} }, "name"},
		{"a distinction in no category", func(e *v1.PastEdition) {
			e.Distinctions = []*v1.PastDistinction{{CategoryNumber: 2, City: "Łódź"}}
		}, "distinctions[0].category_number"},
		{"two categories with one number", func(e *v1.PastEdition) {
			e.Categories = append(e.Categories, &v1.PastCategory{Number: 1, Name: map[string]string{"pl": "Inna"}})
		}, "categories[1].number"},
		{"no source", func(e *v1.PastEdition) { e.Sources = nil }, "sources"},
		{"a source that is not https", func(e *v1.PastEdition) { e.Sources[0].Url = "javascript:alert(1)" }, "sources[0].url"},
		{"a language the award does not use", func(e *v1.PastEdition) { e.Name["de"] = "Offene Städte" }, "name"},
		{"a year before the award", func(e *v1.PastEdition) { e.Year = 2013 }, "year"},
		{"a justification without Polish", func(e *v1.PastEdition) {
			e.Distinctions = []*v1.PastDistinction{{CategoryNumber: 1, City: "Łódź", Justification: map[string]string{"en": "Because"}}}
		}, "distinctions[0].justification"},
	} {
		e := base()
		c.edit(e)
		_, err := svc.Import(ctx, organiser(t), e, false)
		f, ok := fault.As(err)
		if !ok || f.Kind != fault.Invalid || !strings.HasPrefix(f.Field, c.field) {
			t.Errorf("%s: %v; want InvalidArgument naming %s", c.what, err, c.field)
		}
	}
	if all, err := svc.List(ctx); err != nil || len(all) != 0 {
		t.Errorf("after refused imports the archive holds %v, %v", all, err)
	}
	if _, err := past.Parse([]byte(`{"year": "twenty"}`)); !fault.Is(err, fault.Invalid) {
		t.Errorf("Parse of a broken document = %v; want InvalidArgument", err)
	}
}
