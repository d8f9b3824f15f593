package search_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/search"
)

// corpus is a small archive written straight into the tables, as the services would leave it:
// three cities, an announced edition (2015), one at the jury (2016), another announced (2017), and
// reports in every status. The stages and statuses are set last, so that the triggers fill the index
// as they do when organisers accept and announce.
type corpus struct {
	pool                   *pgxpool.Pool
	lodz, krakow, gdansk   uuid.UUID
	cat2015, cat2017       uuid.UUID
	lodz2015, tajny, szkic uuid.UUID
	jury2016, szkoly2017   uuid.UUID
	krakowReport2017       uuid.UUID
	gdanskPractices        []uuid.UUID
}

func seed(t *testing.T) *corpus {
	t.Helper()
	ctx := t.Context()
	c := &corpus{pool: dbtest.NewPool(t)}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := c.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	city := func(name string) uuid.UUID {
		id := uuid.New()
		exec(`INSERT INTO cities (id, name) VALUES ($1, $2)`, id, name)
		return id
	}
	c.lodz, c.krakow, c.gdansk = city("Łódź"), city("Kraków"), city("Gdańsk")
	editions := map[int]uuid.UUID{}
	categories := map[int]uuid.UUID{}
	for _, year := range []int{2015, 2016, 2017} {
		e := uuid.New()
		editions[year] = e
		exec(`INSERT INTO editions (id, year, name) VALUES ($1, $2, $3)`, e, year, fmt.Sprintf("Miasta Otwarte %d", year))
		for _, ct := range []uuid.UUID{c.lodz, c.krakow, c.gdansk} {
			exec(`INSERT INTO edition_cities (edition_id, city_id) VALUES ($1, $2)`, e, ct)
		}
		k := uuid.New()
		categories[year] = k
		exec(`INSERT INTO categories (id, edition_id, number, name_pl, name_en, name_texts) VALUES ($1, $2, 5, 'Miejski punkt obsługi cudzoziemców', 'City service point for foreigners', '{"en": "City service point for foreigners", "uk": "Міський пункт обслуговування іноземців"}')`, k, e)
	}
	c.cat2015, c.cat2017 = categories[2015], categories[2017]
	report := func(year int, city uuid.UUID) uuid.UUID {
		id := uuid.New()
		exec(`INSERT INTO reports (id, edition_id, city_id, status, version) VALUES ($1, $2, $3, 'DRAFT', 1)`, id, editions[year], city)
		return id
	}
	position := 0
	practice := func(report uuid.UUID, year int, title, description, targets, narrative string) uuid.UUID {
		id := uuid.New()
		position++
		exec(`INSERT INTO practices (id, report_id, position, title, description, category_id, partners, target_groups, narratives)
			VALUES ($1, $2, $3, $4, $5, $6, 'Fundacja „Ocalenie”', $7, jsonb_build_array(jsonb_build_object('criterion_id', gen_random_uuid(), 'text', $8::text)))`,
			id, report, position, title, description, categories[year], targets, narrative)
		return id
	}
	r := report(2015, c.lodz)
	c.lodz2015 = practice(r, 2015, "Centrum Wielokulturowe", "Punkt informacyjny dla migrantów. Wspiera integrację cudzoziemców w mieście.", "uchodźcy z Ukrainy", "Długofalowe zaangażowanie samorządu.")
	exec(`INSERT INTO nominations (edition_id, category_id, practice_id, distinguished) VALUES ($1, $2, $3, true)`, editions[2015], categories[2015], c.lodz2015)
	exec(`UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, r)
	r = report(2015, c.krakow)
	c.tajny = practice(r, 2015, "Tajny projekt integracji", "Integracja migrantów, jeszcze nieprzyjęta.", "migranci", "")
	exec(`UPDATE reports SET status = 'SUBMITTED' WHERE id = $1`, r)
	r = report(2015, c.gdansk)
	c.szkic = practice(r, 2015, "Szkic integracji", "Integracja migrantów, szkic.", "migranci", "")
	r = report(2016, c.lodz)
	c.jury2016 = practice(r, 2016, "Program integracji 2016", "Integracja migrantów w Łodzi, w ocenie jury.", "migranci", "")
	exec(`UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, r)
	c.krakowReport2017 = report(2017, c.krakow)
	c.szkoly2017 = practice(c.krakowReport2017, 2017, "Integracja uczniów w szkołach", "Działania na rzecz integracji dzieci migrantów w krakowskich szkołach.", "uczniowie z doświadczeniem migracji", "Program obejmuje "+strings.Repeat("zajęcia pozalekcyjne i kursy języka polskiego, ", 50)+"a na końcu mediatorów międzykulturowych.")
	exec(`UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, c.krakowReport2017)
	r = report(2017, c.gdansk)
	for i := range 25 {
		c.gdanskPractices = append(c.gdanskPractices, practice(r, 2017, fmt.Sprintf("Wsparcie sąsiedzkie nr %d", i+1), "Wsparcie dla rodzin migrantów w dzielnicy.", "rodziny", ""))
	}
	exec(`UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, r)
	exec(`UPDATE editions SET stage = 'JURY' WHERE year = 2016`)
	exec(`UPDATE editions SET stage = 'ANNOUNCED' WHERE year IN (2015, 2017)`)
	return c
}

func (c *corpus) search(t *testing.T, q search.Query) search.Result {
	t.Helper()
	res, err := search.NewService(c.pool).Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res search.Result) []uuid.UUID {
	var out []uuid.UUID
	for _, h := range res.Hits {
		out = append(out, h.PracticeID)
	}
	return out
}

func sameSet(got, want []uuid.UUID) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	cmp := func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) }
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func TestDictionaryInUse(t *testing.T) {
	c := &corpus{pool: dbtest.NewPool(t)}
	d, err := search.NewService(c.pool).Dictionary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// make test installs hunspell-pl; a test machine without it would test only the fallback.
	if d != "ispell" {
		t.Fatalf("dictionary = %q; want ispell (is hunspell-pl installed? make test installs it)", d)
	}
}

func TestMatching(t *testing.T) {
	c := seed(t)
	for _, tc := range []struct {
		query string
		want  []uuid.UUID
	}{
		// Diacritics: the city's name.
		{"lodz", []uuid.UUID{c.lodz2015}},
		{"ŁÓDŹ", []uuid.UUID{c.lodz2015}},
		// Inflection: "integrację" and "integracji" are forms of "integracja".
		{"integracja", []uuid.UUID{c.lodz2015, c.szkoly2017}},
		{"integracji", []uuid.UUID{c.lodz2015, c.szkoly2017}},
		// Both at once.
		{"migrantow", append([]uuid.UUID{c.lodz2015, c.szkoly2017}, c.gdanskPractices...)},
		{"szkoła", []uuid.UUID{c.szkoly2017}},
		// Every word must match.
		{"integracja szkoly", []uuid.UUID{c.szkoly2017}},
		// Partners, the category's name in any language, the edition's year.
		{"ocalenie lodz", []uuid.UUID{c.lodz2015}},
		{"іноземців 2015", []uuid.UUID{c.lodz2015}},
		// A word deep in a long narrative.
		{"mediatorow", []uuid.UUID{c.szkoly2017}},
		// Nothing.
		{"kosmonauta", nil},
		// tsquery syntax is just text.
		{"lodz & | ! ' \\ :* ( <->", []uuid.UUID{c.lodz2015}},
	} {
		res := c.search(t, search.Query{Text: tc.query, PageSize: 50})
		if !sameSet(ids(res), tc.want) || int(res.Total) != len(tc.want) {
			t.Errorf("%q found %v (total %d); want %v", tc.query, ids(res), res.Total, tc.want)
		}
	}
}

// A word the Polish dictionary knows matches its forms, not every word that starts like it: the
// stem prefix is for words the dictionary does not know. "integracja" is its own lemma, and a
// practice that says only "integracyjny" (an adjective of its own) or the English "integration" is not
// about it as far as the dictionary can tell, though it is found by those words.
func TestKnownWordMatchesItsFormsOnly(t *testing.T) {
	c := seed(t)
	ctx := t.Context()
	poznan, report, klub := uuid.New(), uuid.New(), uuid.New()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO cities (id, name) VALUES ($1, 'Poznań')`, []any{poznan}},
		{`INSERT INTO edition_cities (edition_id, city_id) SELECT id, $1 FROM editions WHERE year = 2017`, []any{poznan}},
		{`INSERT INTO reports (id, edition_id, city_id, status, version) SELECT $1, id, $2, 'DRAFT', 1 FROM editions WHERE year = 2017`, []any{report, poznan}},
		{`INSERT INTO practices (id, report_id, position, title, description, category_id, partners, target_groups, narratives)
			VALUES ($1, $2, 1, 'Klub integracyjny', 'Spotkania sąsiadów, zaproszenia kursywą (an integration club).', $3, '', 'sąsiedzi', '[]')`, []any{klub, report, c.cat2017}},
		// Accepted in an announced edition: the trigger indexes it at once.
		{`UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, []any{report}},
	} {
		if _, err := c.pool.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	for _, tc := range []struct {
		query string
		want  []uuid.UUID
	}{
		{"integracja", []uuid.UUID{c.lodz2015, c.szkoly2017}},
		{"integracyjny", []uuid.UUID{klub}},
		{"integration", []uuid.UUID{klub}},
		// A known word is no prefix: "kursy" finds the courses, not the italics ("kursywą").
		{"kursy", []uuid.UUID{c.szkoly2017}},
		// A word no text holds is: "migr" finds every form of migrant.
		{"migr", append([]uuid.UUID{c.lodz2015, c.szkoly2017}, c.gdanskPractices...)},
		// A word no text holds (a prefix, as typed) is not one the dictionary knows: its stem
		// "integra" finds both.
		{"integracyj", []uuid.UUID{klub, c.lodz2015, c.szkoly2017}},
	} {
		res := c.search(t, search.Query{Text: tc.query, PageSize: 50})
		if !sameSet(ids(res), tc.want) || int(res.Total) != len(tc.want) {
			t.Errorf("%q found %v (total %d); want %v", tc.query, ids(res), res.Total, tc.want)
		}
	}
	var known bool
	if err := c.pool.QueryRow(ctx, `SELECT known FROM search_words WHERE word = 'integracja'`).Scan(&known); err != nil || !known {
		t.Errorf("search_words.known for integracja = %v, %v; want true (the dictionary knows it)", known, err)
	}
	if err := c.pool.QueryRow(ctx, `SELECT known FROM search_words WHERE word = 'integration'`).Scan(&known); err != nil || known {
		t.Errorf("search_words.known for integration = %v, %v; want false (not Polish)", known, err)
	}
}

// A search matching more practices than the service ranks is listed newest edition first, its total
// says "more than", its facets are the editions, categories and cities without counts, and its pages
// still go through every match once. A small rank limit reaches that path with the small corpus.
func TestBroadSearch(t *testing.T) {
	c := seed(t)
	svc := search.NewService(c.pool).WithRankLimit(5)
	run := func(q search.Query) search.Result {
		t.Helper()
		res, err := svc.Search(t.Context(), q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		return res
	}
	// The 27 practices that mention migrants, newest edition first, then by id.
	want := c.search(t, search.Query{Text: "migrantow", PageSize: 50})
	if want.Total != 27 || want.TotalIsLowerBound || want.Order != search.Relevance || !want.FacetsCounted {
		t.Fatalf("under the default limit: total %d (lower bound %v), order %v, facets counted %v; want 27 exact, ranked, counted",
			want.Total, want.TotalIsLowerBound, want.Order, want.FacetsCounted)
	}
	newest := slices.Clone(want.Hits)
	slices.SortFunc(newest, func(a, b search.Hit) int {
		return cmp.Or(cmp.Compare(b.EditionYear, a.EditionYear), strings.Compare(a.PracticeID.String(), b.PracticeID.String()))
	})
	var newestIDs []uuid.UUID
	for _, h := range newest {
		newestIDs = append(newestIDs, h.PracticeID)
	}
	// The target group "rodziny" is the Gdańsk practices', all of 2017: by id.
	families := slices.Clone(c.gdanskPractices)
	slices.SortFunc(families, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, tc := range []struct {
		name string
		q    search.Query
		want []uuid.UUID
	}{
		{"words", search.Query{Text: "migrantow", PageSize: 10}, newestIDs},
		{"target group alone", search.Query{TargetGroup: "rodziny", PageSize: 10}, families},
	} {
		var got []search.Hit
		q := tc.q
		for pages := 0; ; pages++ {
			res := run(q)
			if res.Total != 5 || !res.TotalIsLowerBound || res.Order != search.Newest || res.FacetsCounted {
				t.Fatalf("%s: total %d (lower bound %v), order %v, facets counted %v; want more than 5, newest first, not counted",
					tc.name, res.Total, res.TotalIsLowerBound, res.Order, res.FacetsCounted)
			}
			if !slices.Equal(res.Facets.Editions, []search.EditionCount{{Year: 2017}, {Year: 2015}}) || len(res.Facets.Cities) != 3 {
				t.Errorf("%s: facets %+v; want the announced editions and the cities, without counts", tc.name, res.Facets)
			}
			for _, f := range res.Facets.Cities {
				if f.Count != 0 {
					t.Errorf("%s: city facet %+v has a count", tc.name, f)
				}
			}
			got = append(got, res.Hits...)
			if res.NextPageToken == "" || pages > 5 {
				break
			}
			q.PageToken = res.NextPageToken
		}
		var gotIDs []uuid.UUID
		for _, h := range got {
			gotIDs = append(gotIDs, h.PracticeID)
		}
		if !slices.Equal(gotIDs, tc.want) {
			t.Errorf("%s: pages gave %v; want %v", tc.name, gotIDs, tc.want)
		}
	}
	// Pages keep the order they started in when the matches cross the limit between them (here the
	// limit moves instead: 27 matches are above 26 and below 30).
	first, err := search.NewService(c.pool).WithRankLimit(26).Search(t.Context(), search.Query{Text: "migrantow", PageSize: 10})
	if err != nil || first.Order != search.Newest {
		t.Fatalf("page 1 at a limit of 26: order %v, %v", first.Order, err)
	}
	crossed := ids(first)
	for token := first.NextPageToken; token != ""; {
		res, err := search.NewService(c.pool).WithRankLimit(30).Search(t.Context(), search.Query{Text: "migrantow", PageSize: 10, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if res.Order != search.Newest || res.Total != 27 || res.TotalIsLowerBound {
			t.Errorf("a later page at a limit of 30: order %v, total %d (lower bound %v); want newest first as page 1, 27 exact", res.Order, res.Total, res.TotalIsLowerBound)
		}
		crossed = append(crossed, ids(res)...)
		token = res.NextPageToken
	}
	if !slices.Equal(crossed, newestIDs) {
		t.Errorf("pages across the limit gave %v; want %v", crossed, newestIDs)
	}
	// The hits of a broad search still carry their snippet, marked.
	res := run(search.Query{Text: "migrantow", CityID: &c.krakow, EditionYear: 2017})
	if len(res.Hits) != 1 || res.Hits[0].PracticeID != c.szkoly2017 || res.Total != 1 || res.TotalIsLowerBound || res.Order != search.Relevance {
		t.Fatalf("narrowed to one: %+v", res)
	}
	if !slices.ContainsFunc(res.Hits[0].Snippet, func(p search.Part) bool { return p.Match && p.Text == "migrantów" }) {
		t.Errorf("snippet %+v; want migrantów marked", res.Hits[0].Snippet)
	}
	// Narrowed below the limit the page is ranked and counted, while the facets, which ignore their
	// own filters, still go over all 27.
	if res.FacetsCounted {
		t.Errorf("facets counted with 27 matches under a limit of 5: %+v", res.Facets)
	}
	// Few enough matches under every filter: ranked and counted as ever.
	res = run(search.Query{Text: "integracja"})
	if res.Total != 2 || res.TotalIsLowerBound || res.Order != search.Relevance || !res.FacetsCounted || !sameSet(ids(res), []uuid.UUID{c.lodz2015, c.szkoly2017}) {
		t.Errorf("integracja: %+v", res)
	}
	// The hits of the broad path, page by page, are the matches' own: a snippet each.
	res = run(search.Query{Text: "migrantow", PageSize: 3})
	for _, h := range res.Hits {
		if !slices.ContainsFunc(h.Snippet, func(p search.Part) bool { return p.Match }) {
			t.Errorf("broad hit %s: snippet %+v marks nothing", h.Title, h.Snippet)
		}
	}
}

func TestNonPublicNeverFound(t *testing.T) {
	c := seed(t)
	hidden := []uuid.UUID{c.tajny, c.szkic, c.jury2016}
	for _, q := range []string{"", "integracja", "tajny", "szkic", "program 2016", "migranci"} {
		res := c.search(t, search.Query{Text: q, PageSize: 50})
		for _, id := range ids(res) {
			if slices.Contains(hidden, id) {
				t.Errorf("%q found %s, which is not public", q, id)
			}
		}
	}
	// Browsing lists exactly the public practices: one of 2015 and 26 of 2017.
	if res := c.search(t, search.Query{}); res.Total != 27 {
		t.Errorf("browse total = %d; want 27", res.Total)
	}
	// A returned report leaves the index; accepted again, it is back.
	ctx := t.Context()
	if _, err := c.pool.Exec(ctx, `UPDATE reports SET status = 'RETURNED' WHERE id = $1`, c.krakowReport2017); err != nil {
		t.Fatal(err)
	}
	if res := c.search(t, search.Query{Text: "szkoły"}); len(res.Hits) != 0 {
		t.Errorf("a returned report's practice is found: %v", ids(res))
	}
	// Browsing counts from the index's standing counts, which follow too.
	if res := c.search(t, search.Query{}); res.Total != 26 || !slices.Equal(res.Facets.Editions, []search.EditionCount{{Year: 2017, Count: 25}, {Year: 2015, Count: 1}}) {
		t.Errorf("browse after the return: total %d, editions %+v; want 26: 25 of 2017, 1 of 2015", res.Total, res.Facets.Editions)
	}
	if _, err := c.pool.Exec(ctx, `UPDATE reports SET status = 'ACCEPTED' WHERE id = $1`, c.krakowReport2017); err != nil {
		t.Fatal(err)
	}
	if res := c.search(t, search.Query{Text: "szkoły"}); !sameSet(ids(res), []uuid.UUID{c.szkoly2017}) {
		t.Errorf("accepted again: %v; want the practice back", ids(res))
	}
	// The 2016 edition announced: its accepted practice appears, the draft and submitted ones do not.
	if _, err := c.pool.Exec(ctx, `UPDATE editions SET stage = 'ANNOUNCED' WHERE year = 2016`); err != nil {
		t.Fatal(err)
	}
	if res := c.search(t, search.Query{Text: "integracji", PageSize: 50}); !sameSet(ids(res), []uuid.UUID{c.lodz2015, c.szkoly2017, c.jury2016}) {
		t.Errorf("after 2016's announcement: %v", ids(res))
	}
	// A draft save (the expert's autosave) touches no index row: its report is not public.
	var before int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM search_practices`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := c.pool.Exec(ctx, `UPDATE reports SET version = version + 1, update_time = now() WHERE status = 'DRAFT'`); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM search_practices`).Scan(&after); err != nil || after != before {
		t.Errorf("index rows %d → %d (%v) after a draft save", before, after, err)
	}
}

func TestFilters(t *testing.T) {
	c := seed(t)
	lodz, gdansk, cat := c.lodz, c.gdansk, c.cat2015
	for _, tc := range []struct {
		name string
		q    search.Query
		want []uuid.UUID
	}{
		{"edition", search.Query{Text: "integracja", EditionYear: 2015}, []uuid.UUID{c.lodz2015}},
		{"edition without query", search.Query{EditionYear: 2015}, []uuid.UUID{c.lodz2015}},
		{"edition not announced", search.Query{EditionYear: 2016}, nil},
		{"category", search.Query{CategoryID: &cat}, []uuid.UUID{c.lodz2015}},
		{"city", search.Query{Text: "migrantow", CityID: &lodz}, []uuid.UUID{c.lodz2015}},
		{"city and edition", search.Query{CityID: &gdansk, EditionYear: 2015}, nil},
		{"distinguished", search.Query{DistinguishedOnly: true}, []uuid.UUID{c.lodz2015}},
		{"target group", search.Query{TargetGroup: "uchodzcy"}, []uuid.UUID{c.lodz2015}},
		{"target group inflected", search.Query{TargetGroup: "Ukraina"}, []uuid.UUID{c.lodz2015}},
		{"target group and query", search.Query{Text: "integracja", TargetGroup: "uczniów"}, []uuid.UUID{c.szkoly2017}},
	} {
		tc.q.PageSize = 50
		res := c.search(t, tc.q)
		if !sameSet(ids(res), tc.want) || int(res.Total) != len(tc.want) {
			t.Errorf("%s: found %v (total %d); want %v", tc.name, ids(res), res.Total, tc.want)
		}
	}
}

func TestHitsAndFacets(t *testing.T) {
	c := seed(t)
	res := c.search(t, search.Query{Text: "integracja"})
	if len(res.Hits) != 2 {
		t.Fatalf("hits %v", ids(res))
	}
	var lodz search.Hit
	for _, h := range res.Hits {
		if h.PracticeID == c.lodz2015 {
			lodz = h
		}
	}
	if lodz.Title != "Centrum Wielokulturowe" || lodz.City != (search.City{ID: c.lodz, Name: "Łódź"}) || lodz.EditionYear != 2015 ||
		!lodz.Distinguished || lodz.Category.ID != c.cat2015 || lodz.Category.Number != 5 ||
		lodz.Category.Names["pl"] != "Miejski punkt obsługi cudzoziemców" || lodz.Category.Names["uk"] != "Міський пункт обслуговування іноземців" {
		t.Errorf("hit = %+v", lodz)
	}
	var marked []string
	var plain strings.Builder
	for _, p := range lodz.Snippet {
		plain.WriteString(p.Text)
		if p.Match {
			marked = append(marked, p.Text)
		}
	}
	if !slices.Contains(marked, "integrację") || !strings.Contains(plain.String(), "Wspiera integrację cudzoziemców") {
		t.Errorf("snippet %q marks %q; want the sentence with integrację marked", plain.String(), marked)
	}
	// The long narrative is cut around its match.
	deep := c.search(t, search.Query{Text: "mediatorów"}).Hits[0]
	if !deep.Truncated || !slices.ContainsFunc(deep.Snippet, func(p search.Part) bool { return p.Match && p.Text == "mediatorów" }) {
		t.Errorf("deep snippet = %+v (truncated %v)", deep.Snippet, deep.Truncated)
	}

	// Facets: each counts under the other filters, not its own.
	lodzID := c.lodz
	f := c.search(t, search.Query{Text: "migrantow", EditionYear: 2017}).Facets
	if !slices.Equal(f.Editions, []search.EditionCount{{Year: 2017, Count: 26}, {Year: 2015, Count: 1}}) {
		t.Errorf("edition facet %+v", f.Editions)
	}
	if len(f.Categories) != 1 || f.Categories[0].Category.ID != c.cat2017 || f.Categories[0].Count != 26 || f.Categories[0].EditionYear != 2017 {
		t.Errorf("category facet %+v", f.Categories)
	}
	if len(f.Cities) != 2 || f.Cities[0].City.Name != "Gdańsk" || f.Cities[0].Count != 25 || f.Cities[1].City.Name != "Kraków" || f.Cities[1].Count != 1 {
		t.Errorf("city facet %+v", f.Cities)
	}
	// Browsing (no words) gives the same facets from the standing counts.
	f = c.search(t, search.Query{EditionYear: 2017}).Facets
	if !slices.Equal(f.Editions, []search.EditionCount{{Year: 2017, Count: 26}, {Year: 2015, Count: 1}}) || len(f.Categories) != 1 || f.Categories[0].Count != 26 ||
		len(f.Cities) != 2 || f.Cities[0].City.Name != "Gdańsk" || f.Cities[0].Count != 25 {
		t.Errorf("browse facets: %+v", f)
	}
	f = c.search(t, search.Query{DistinguishedOnly: true}).Facets
	if !slices.Equal(f.Editions, []search.EditionCount{{Year: 2015, Count: 1}}) || len(f.Cities) != 1 || f.Cities[0].City.ID != c.lodz {
		t.Errorf("browse facets, distinguished only: %+v", f)
	}
	f = c.search(t, search.Query{Text: "migrantow", CityID: &lodzID}).Facets
	if !slices.Equal(f.Editions, []search.EditionCount{{Year: 2015, Count: 1}}) || len(f.Cities) != 3 {
		t.Errorf("with a city: editions %+v, cities %+v", f.Editions, f.Cities)
	}
}

func TestPaging(t *testing.T) {
	c := seed(t)
	gdansk := c.gdansk
	q := search.Query{Text: "wsparcie", CityID: &gdansk, PageSize: 10}
	var seen []uuid.UUID
	pages := 0
	for {
		res := c.search(t, q)
		pages++
		if res.Total != 25 {
			t.Fatalf("page %d total = %d; want 25", pages, res.Total)
		}
		for _, id := range ids(res) {
			if slices.Contains(seen, id) {
				t.Fatalf("page %d repeats %s", pages, id)
			}
			seen = append(seen, id)
		}
		if res.NextPageToken == "" {
			break
		}
		q.PageToken = res.NextPageToken
	}
	if pages != 3 || !sameSet(seen, c.gdanskPractices) {
		t.Errorf("%d pages, %d practices; want 3 pages with all 25", pages, len(seen))
	}
	// Browsing pages newest first, each hit with the start of its text.
	res := c.search(t, search.Query{EditionYear: 2015})
	if len(res.Hits) != 1 || len(res.Hits[0].Snippet) == 0 || !strings.HasPrefix(res.Hits[0].Snippet[0].Text, "Punkt informacyjny dla migrantów") || res.Hits[0].Snippet[0].Match {
		t.Errorf("browse snippet: %+v", res.Hits)
	}
	// The default page is 20.
	if res := c.search(t, search.Query{CityID: &gdansk}); len(res.Hits) != 20 || res.NextPageToken == "" {
		t.Errorf("default page: %d hits, next %q", len(res.Hits), res.NextPageToken)
	}
}

func TestBadInput(t *testing.T) {
	c := &corpus{pool: dbtest.NewPool(t)}
	svc := search.NewService(c.pool)
	for _, tc := range []struct {
		q     search.Query
		field string
	}{
		{search.Query{EditionYear: 1999}, "edition_year"},
		{search.Query{EditionYear: 2101}, "edition_year"},
		{search.Query{PageToken: "not a token"}, "page_token"},
		{search.Query{PageToken: "eyJvIjotNX0"}, "page_token"},        // {"o":-5}
		{search.Query{PageToken: "eyJvIjo5OTk5OTk5fQ"}, "page_token"}, // {"o":9999999}
	} {
		_, err := svc.Search(context.Background(), tc.q)
		if e, ok := fault.As(err); !ok || e.Kind != fault.Invalid || e.Field != tc.field {
			t.Errorf("Search(%+v) = %v; want Invalid %s", tc.q, err, tc.field)
		}
	}
}

// TestFallbackWithoutDictionary takes the Polish dictionary away, as on a server without hunspell-pl:
// matching still ignores diacritics and finds inflected forms by their stems; search_use_dictionary,
// which `miasta migrate` calls, takes the dictionary up again once it is there.
func TestFallbackWithoutDictionary(t *testing.T) {
	c := seed(t)
	ctx := t.Context()
	for _, sql := range []string{
		`DROP TEXT SEARCH CONFIGURATION miasta_pl`,
		`DROP TEXT SEARCH DICTIONARY miasta_pl_ispell`,
		`CREATE TEXT SEARCH CONFIGURATION miasta_pl (COPY = simple)`,
		`DELETE FROM search_words`,
		`SELECT search_refresh(NULL, NULL, NULL)`,
	} {
		if _, err := c.pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	svc := search.NewService(c.pool)
	if d, err := svc.Dictionary(ctx); err != nil || d != "simple" {
		t.Fatalf("dictionary = %q, %v; want simple", d, err)
	}
	var lemmas int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM search_words WHERE lemmas <> '{}'`).Scan(&lemmas); err != nil || lemmas != 0 {
		t.Fatalf("%d words with lemmas without a dictionary (%v)", lemmas, err)
	}
	// Indexing goes on working on one connection past plpgsql's switch to generic plans (the sixth
	// call of a statement in a session), which must never name the missing dictionary.
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if _, err := conn.Exec(ctx, `SELECT search_add_words(ARRAY[$1::text])`, fmt.Sprintf("słowo%d nowe%d", i, i)); err != nil {
			t.Fatalf("search_add_words, call %d on one connection without the dictionary: %v", i+1, err)
		}
	}
	conn.Release()
	for _, tc := range []struct {
		query string
		want  []uuid.UUID
	}{
		{"lodz", []uuid.UUID{c.lodz2015}},
		{"integracja", []uuid.UUID{c.lodz2015, c.szkoly2017}},
		{"integracji", []uuid.UUID{c.lodz2015, c.szkoly2017}},
		{"migrantow", append([]uuid.UUID{c.lodz2015, c.szkoly2017}, c.gdanskPractices...)},
	} {
		res := c.search(t, search.Query{Text: tc.query, PageSize: 50})
		if !sameSet(ids(res), tc.want) {
			t.Errorf("fallback: %q found %v; want %v", tc.query, ids(res), tc.want)
		}
	}
	var d string
	if err := c.pool.QueryRow(ctx, `SELECT search_use_dictionary()`).Scan(&d); err != nil || d != "ispell" {
		t.Fatalf("search_use_dictionary() = %q, %v; want ispell", d, err)
	}
	var lem []string
	if err := c.pool.QueryRow(ctx, `SELECT lemmas FROM search_words WHERE word = 'integracje'`).Scan(&lem); err != nil || !slices.Contains(lem, "integracja") {
		t.Fatalf("integrację's lemmas after taking the dictionary up: %v, %v; want integracja", lem, err)
	}
	if res := c.search(t, search.Query{Text: "szkoła"}); !sameSet(ids(res), []uuid.UUID{c.szkoly2017}) {
		t.Errorf("with the dictionary again: szkoła found %v", ids(res))
	}
}
