package share_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"golang.org/x/net/html"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// Titles people type, which every endpoint must carry intact and escaped.
const (
	hostileTitle = `Punkt </script><script>alert(1)</script> "Info" & 'Łódź' <b>`
	formulaTitle = `=HYPERLINK("http://example.org","klik")`
	plainTitle   = "Rada Imigrantów — Київ, Nguyễn"
	secretTitle  = "Praktyka jeszcze nieogłoszona"
	// translatedTitle is in the English translation of the hostile practice.
	translatedTitle = `Info point </script> & "more"`
)

// archive is an announced edition (three practices of two cities, all nominated, ranked by one
// juror: hostile first, formula second, plain third) and an edition still in review.
type archive struct {
	env                     *testenv.Env
	org                     testenv.Clients
	year, secretYear        int32
	edition                 *v1.Edition
	cityA, cityB            *v1.City
	hostile, formula, plain *v1.Nomination
	secret                  *v1.Nomination
	juror                   string
}

// TestSharing runs every sharing endpoint against one server and one archive, built once through
// the API as organisers, experts and a juror do (the subtests only read it, except the licence's,
// which puts the licence back).
func TestSharing(t *testing.T) {
	a := build(t)
	for name, test := range map[string]func(*testing.T, *archive){
		"LinkPreviews": testLinkPreviews, "NothingNonPublicIsPreviewed": testNothingNonPublicIsPreviewed, "OpenData": testOpenData,
		"DataLicence": testDataLicence, "Feed": testFeed, "Certificate": testCertificate, "Badge": testBadge,
	} {
		t.Run(name, func(t *testing.T) { test(t, a) })
	}
}

func build(t *testing.T) *archive {
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	a := &archive{env: env}
	a.org = env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	ed := testenv.SeedEdition(t, a.org)
	a.cityB = testenv.CityFor(t, a.org, ed, "Gdańsk")
	r, noms := env.Shortlisted(t, a.org, testenv.Connect, ed, []*v1.City{a.cityB}, func(r *testenv.Reporting, i int) []*v1.Practice {
		if i == 0 {
			return []*v1.Practice{testenv.Practice(hostileTitle, r.Categories[0], r.Criteria...), testenv.Practice(plainTitle, r.Categories[0], r.Criteria...)}
		}
		return []*v1.Practice{testenv.Practice(formulaTitle, r.Categories[0], r.Criteria...)}
	})
	a.cityA = r.Cities[0]
	a.hostile, a.plain, a.formula = noms[0][0], noms[0][1], noms[1][0]
	// A reviewed English translation of the hostile practice's title and description.
	email := fmt.Sprintf("tlumacz.share.%d@miasta.test", ed.GetYear())
	testenv.Must(a.org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: email, Role: v1.Role_ROLE_TRANSLATOR, DisplayName: "Tłumacz", Language: "en", Languages: []string{"en"}}))
	env.IdP.AddUser(testenv.User(email, true))
	tr := env.Clients(testenv.Connect, env.Token(t, email))
	src := testenv.Must(tr.Translations.GetPracticeTranslation(ctx, &v1.GetPracticeTranslationRequest{PracticeId: a.hostile.GetPractice().GetId(), Language: "en"}))
	var texts []*v1.NewTranslatedText
	for _, x := range src.GetPractice().GetTexts() {
		if x.GetField() == "title" || x.GetField() == "description" {
			texts = append(texts, &v1.NewTranslatedText{Field: x.GetField(), Text: "EN " + x.GetField() + ": " + translatedTitle, SourceSha256: x.GetSha256()})
		}
	}
	testenv.Must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: a.hostile.GetPractice().GetId(), Language: "en",
		Status: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED, Texts: texts}))
	testenv.Must(a.org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	a.juror = fmt.Sprintf("Juror Secretname %d", ed.GetYear())
	j := env.NewJuror(t, a.org, testenv.Connect, r.ID(), testenv.CityFor(t, a.org, ed, "Kalisz"), fmt.Sprintf("juror.share.%d@miasta.test", ed.GetYear()), a.juror)
	testenv.ChangeStage(t, a.org, r.ID(), v1.Stage_STAGE_JURY)
	var scores []*v1.Score
	for _, c := range r.Criteria {
		scores = append(scores, testenv.Mark(a.hostile, c, 5), testenv.Mark(a.formula, c, 4), testenv.Mark(a.plain, c, 2))
	}
	testenv.CastScores(t, j, r.ID(), scores...)
	testenv.ChangeStage(t, a.org, r.ID(), v1.Stage_STAGE_TALLIED)
	a.edition = testenv.ChangeStage(t, a.org, r.ID(), v1.Stage_STAGE_ANNOUNCED)
	a.year = a.edition.GetYear()

	// An edition in review: nothing of it is public.
	sec := testenv.SeedEdition(t, a.org)
	_, snoms := env.Shortlisted(t, a.org, testenv.Connect, sec, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice(secretTitle, r.Categories[0], r.Criteria...)}
	})
	a.secret, a.secretYear = snoms[0][0], sec.GetYear()
	return a
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (a *archive) get(t *testing.T, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, a.env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// head is what a crawler reads of a page: its language, title, meta and link tags, and JSON-LD.
type head struct {
	lang, title string
	meta        map[string]string // by name or property
	links       map[string][]string
	jsonld      []json.RawMessage
	root        bool // the app's root element is there
}

func parseHead(t *testing.T, body []byte) head {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	h := head{meta: map[string]string{}, links: map[string][]string{}}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				h.lang = attr(n, "lang")
			case "title":
				if n.FirstChild != nil {
					h.title = n.FirstChild.Data
				}
			case "meta":
				k := attr(n, "name")
				if k == "" {
					k = attr(n, "property")
				}
				if k != "" {
					h.meta[k] = attr(n, "content")
				}
			case "link":
				h.links[attr(n, "rel")] = append(h.links[attr(n, "rel")], attr(n, "href"))
			case "script":
				if attr(n, "type") == "application/ld+json" && n.FirstChild != nil {
					h.jsonld = append(h.jsonld, json.RawMessage(n.FirstChild.Data))
				}
			case "div":
				if attr(n, "id") == "root" {
					h.root = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return h
}

// testLinkPreviews: every public page's HTML, as a crawler reads it with no script, has its own
// title, description, canonical address, OpenGraph and Twitter tags and schema.org data, in the
// language asked for, with the titles people typed intact and unable to break out of the page.
func testLinkPreviews(t *testing.T, a *archive) {
	base := a.env.URL
	pid := a.hostile.GetPractice().GetId()
	cases := []struct {
		path, lang, wantTitle, canonical, typ string
		header                                []string
		// wantDescription, when set, is text the description must hold (a translated title).
		wantDescription string
	}{
		{path: "/practices/" + pid, lang: "pl", wantTitle: hostileTitle + " — " + a.cityA.GetName(), canonical: base + "/practices/" + pid, typ: "article"},
		{path: "/practices/" + pid + "?lang=en", lang: "en", wantTitle: "EN title: " + translatedTitle + " — " + a.cityA.GetName(), canonical: base + "/practices/" + pid + "?lang=en", typ: "article"},
		{path: "/practices/" + pid + "?lang=uk", lang: "uk", wantTitle: hostileTitle + " — " + a.cityA.GetName(), canonical: base + "/practices/" + pid + "?lang=uk", typ: "article"},
		{path: "/results", lang: "uk", header: []string{"Accept-Language", "uk-UA,uk;q=0.9,en;q=0.5"}, wantTitle: "Результати конкурсу «Відкриті міста»", canonical: base + "/results?lang=uk", typ: "website"},
		{path: fmt.Sprintf("/results/%d", a.year), lang: "pl", wantTitle: "Wyniki: " + a.edition.GetName(), canonical: fmt.Sprintf("%s/results/%d", base, a.year), typ: "website"},
		{path: fmt.Sprintf("/results/%d/category/1?lang=en", a.year), lang: "en", wantTitle: "Immigrant-friendly space — " + a.edition.GetName(), canonical: fmt.Sprintf("%s/results/%d/category/1?lang=en", base, a.year), typ: "website",
			wantDescription: "EN title: " + translatedTitle},
		{path: fmt.Sprintf("/results/%d/category/1?lang=es", a.year), lang: "es", wantTitle: "Immigrant-friendly space — " + a.edition.GetName(), canonical: fmt.Sprintf("%s/results/%d/category/1?lang=es", base, a.year), typ: "website"},
		{path: "/cities/" + a.cityA.GetId() + "?lang=vi", lang: "vi", wantTitle: a.cityA.GetName() + " trong giải thưởng Thành phố Mở", canonical: base + "/cities/" + a.cityA.GetId() + "?lang=vi", typ: "website"},
		{path: "/search?q=%3C/script%3E%22lodz&category=1", lang: "pl", wantTitle: "„</script>\"lodz” — szukaj praktyk — Miasta Otwarte", canonical: base + "/search?category=1&q=%3C%2Fscript%3E%22lodz", typ: "website"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := a.get(t, c.path, c.header...)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s = %d", c.path, r.status)
			}
			if bytes.Contains(r.body, []byte("<script>alert")) || bytes.Contains(r.body, []byte(`"Info" &`)) {
				t.Fatalf("the typed title reached the page unescaped:\n%s", r.body)
			}
			h := parseHead(t, r.body)
			if h.lang != c.lang || h.title != c.wantTitle || h.meta["og:title"] != c.wantTitle || h.meta["twitter:title"] != c.wantTitle {
				t.Fatalf("lang %q, title %q, og:title %q; want %q, %q", h.lang, h.title, h.meta["og:title"], c.lang, c.wantTitle)
			}
			if len(h.links["canonical"]) != 1 || h.links["canonical"][0] != c.canonical || h.meta["og:url"] != c.canonical {
				t.Fatalf("canonical %v, og:url %q; want %q", h.links["canonical"], h.meta["og:url"], c.canonical)
			}
			for _, k := range []string{"description", "og:description", "og:site_name", "og:locale", "twitter:card", "twitter:description"} {
				if h.meta[k] == "" {
					t.Errorf("no %s", k)
				}
			}
			if h.meta["og:type"] != c.typ {
				t.Errorf("og:type %q; want %q", h.meta["og:type"], c.typ)
			}
			if c.wantDescription != "" && !strings.Contains(h.meta["description"], c.wantDescription) {
				t.Errorf("description %q; want it to hold %q", h.meta["description"], c.wantDescription)
			}
			if len(h.links["alternate"]) != 1 || !strings.HasPrefix(h.links["alternate"][0], base+"/feed.atom") {
				t.Errorf("feed link %v", h.links["alternate"])
			}
			if len(h.jsonld) != 1 {
				t.Fatalf("%d JSON-LD blocks", len(h.jsonld))
			}
			var ld map[string]any
			if err := json.Unmarshal(h.jsonld[0], &ld); err != nil || ld["@context"] != "https://schema.org" {
				t.Fatalf("JSON-LD %s: %v", h.jsonld[0], err)
			}
			if !h.root {
				t.Fatal("the app is not in the page")
			}
		})
	}

	t.Run("schema.org", func(t *testing.T) {
		ld := func(path string) map[string]any {
			h := parseHead(t, a.get(t, path).body)
			var v map[string]any
			if err := json.Unmarshal(h.jsonld[0], &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		p := ld("/practices/" + pid)
		creator, _ := p["creator"].(map[string]any)
		if p["@type"] != "CreativeWork" || p["name"] != hostileTitle || creator["@type"] != "GovernmentOrganization" || creator["name"] != a.cityA.GetName() ||
			!strings.Contains(fmt.Sprint(p["award"]), "Wyróżnienie") {
			t.Fatalf("the practice's JSON-LD = %v", p)
		}
		en := ld("/practices/" + pid + "?lang=en")
		if en["name"] != "EN title: "+translatedTitle || en["inLanguage"] != "en" || en["translationOfWork"].(map[string]any)["name"] != hostileTitle ||
			!strings.HasPrefix(en["description"].(string), "EN description: ") {
			t.Fatalf("the English practice's JSON-LD = %v; want the reviewed translation, translating the original", en)
		}
		res := ld(fmt.Sprintf("/results/%d", a.year))
		items, _ := res["itemListElement"].([]any)
		if res["@type"] != "ItemList" || len(items) != 1 {
			t.Fatalf("the results' JSON-LD = %v; want an ItemList of the one distinction", res)
		}
		org := items[0].(map[string]any)["item"].(map[string]any)
		if org["@type"] != "GovernmentOrganization" || org["name"] != a.cityA.GetName() || !strings.Contains(fmt.Sprint(org["award"]), a.edition.GetName()) {
			t.Fatalf("the recipient = %v", org)
		}
		cat := ld(fmt.Sprintf("/results/%d/category/1", a.year))
		var order []string
		for _, it := range cat["itemListElement"].([]any) {
			order = append(order, it.(map[string]any)["item"].(map[string]any)["name"].(string))
		}
		if !slices.Equal(order, []string{hostileTitle, formulaTitle, plainTitle}) {
			t.Fatalf("the category's ranking = %q; want every nomination in rank order", order)
		}
		city := ld("/cities/" + a.cityA.GetId())
		if city["@type"] != "GovernmentOrganization" || len(city["award"].([]any)) != 1 || len(city["subjectOf"].([]any)) != 2 {
			t.Fatalf("the city's JSON-LD = %v", city)
		}
		list := ld("/results")
		if !strings.Contains(fmt.Sprint(list), fmt.Sprintf("/results/%d", a.year)) || strings.Contains(fmt.Sprint(list), fmt.Sprintf("/results/%d", a.secretYear)) {
			t.Fatalf("the editions' list = %v; want the announced edition only", list)
		}
	})

	t.Run("og:image of a distinction", func(t *testing.T) {
		h := parseHead(t, a.get(t, "/practices/"+pid).body)
		if want := base + "/badges/" + a.hostile.GetId() + ".png"; h.meta["og:image"] != want || h.meta["og:image:alt"] == "" || h.meta["twitter:card"] != "summary_large_image" ||
			h.meta["og:image:width"] != "720" || h.meta["og:image:height"] != "264" || h.meta["og:image:type"] != "image/png" {
			t.Fatalf("og:image %q (alt %q); want %q", h.meta["og:image"], h.meta["og:image:alt"], want)
		}
		if h := parseHead(t, a.get(t, "/practices/"+a.plain.GetPractice().GetId()).body); h.meta["og:image"] != "" {
			t.Fatalf("a practice without a distinction has og:image %q", h.meta["og:image"])
		}
	})
}

// testNothingNonPublicIsPreviewed: an unknown id, a malformed one and one of an edition not yet
// announced all answer 404 with the app (which shows its own page), and carry nothing of it.
func testNothingNonPublicIsPreviewed(t *testing.T, a *archive) {
	for _, path := range []string{
		"/practices/" + uuid.NewString(),
		"/practices/" + a.secret.GetPractice().GetId(),
		"/practices/not-a-uuid",
		"/cities/" + uuid.NewString(),
		"/results/2101",
		"/results/0" + fmt.Sprint(a.year),
		fmt.Sprintf("/results/%d", a.secretYear),
		fmt.Sprintf("/results/%d/category/1", a.secretYear),
		fmt.Sprintf("/results/%d/category/7", a.year),
		fmt.Sprintf("/results/%d/category/x", a.year),
	} {
		r := a.get(t, path)
		h := parseHead(t, r.body)
		if r.status != http.StatusNotFound || !h.root || h.meta["robots"] != "noindex" || h.meta["og:title"] != "" {
			t.Errorf("GET %s = %d (app %v, robots %q, og:title %q); want 404 with the app and no preview", path, r.status, h.root, h.meta["robots"], h.meta["og:title"])
		}
		if bytes.Contains(r.body, []byte(secretTitle)) {
			t.Errorf("GET %s shows the unannounced practice", path)
		}
	}
	// A city whose only edition is not announced is not public either.
	if r := a.get(t, "/cities/"+a.secret.GetCity().GetId()); r.status != http.StatusNotFound {
		t.Errorf("the city of an unannounced edition = %d; want 404", r.status)
	}
	// Other pages of the app have no preview but still link the feed, and keep their status.
	r := a.get(t, "/")
	if h := parseHead(t, r.body); r.status != http.StatusOK || h.title != "Miasta Otwarte" || len(h.links["alternate"]) != 1 {
		t.Fatalf("the home page = %d, title %q, alternate %v", r.status, h.title, h.links["alternate"])
	}
}

func (a *archive) openData(t *testing.T) (map[string]any, response) {
	t.Helper()
	r := a.get(t, fmt.Sprintf("/open-data/%d.json", a.year))
	if r.status != http.StatusOK {
		t.Fatalf("open data = %d %s", r.status, r.body)
	}
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	return v, r
}

// testOpenData: the JSON and the CSVs of an announced edition hold its practices, nominations and
// every rank, under the licence the organisers set (also in a Link header), spreadsheet-safe, and
// nothing that is not public; an edition not announced has none.
func testOpenData(t *testing.T, a *archive) {
	v, r := a.openData(t)
	if r.header.Get("Link") != `<https://creativecommons.org/licenses/by/4.0/>; rel="license"; title="CC-BY-4.0"` || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("headers %v", r.header)
	}
	lic := v["license"].(map[string]any)
	if lic["id"] != "CC-BY-4.0" {
		t.Fatalf("licence %v; want the default CC-BY-4.0", lic)
	}
	practices, results := v["practices"].([]any), v["results"].([]any)
	if len(practices) != 3 || len(v["nominations"].([]any)) != 3 || len(results) != 3 {
		t.Fatalf("%d practices, %d nominations, %d results; want 3 of each", len(practices), len(v["nominations"].([]any)), len(results))
	}
	var ranks []string
	for _, x := range results {
		m := x.(map[string]any)
		ranks = append(ranks, fmt.Sprintf("%v:%v:%v", m["practice"], m["rank"], m["winner"]))
	}
	if want := []string{hostileTitle + ":1:true", formulaTitle + ":2:false", plainTitle + ":3:false"}; !slices.Equal(ranks, want) {
		t.Fatalf("results %q; want %q", ranks, want)
	}
	for _, leak := range []string{secretTitle, a.juror, "@miasta.test", "Raport: "} {
		if bytes.Contains(r.body, []byte(leak)) {
			t.Errorf("the open data holds %q", leak)
		}
	}

	for table, header := range map[string]string{"practices": "practice_id", "nominations": "nomination_id", "results": "year"} {
		r := a.get(t, fmt.Sprintf("/open-data/%d/%s.csv", a.year, table))
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Link"), `rel="license"`) {
			t.Fatalf("%s.csv = %d %v", table, r.status, r.header)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil || len(rows) != 4 || rows[0][0] != header {
			t.Fatalf("%s.csv: %v, %q", table, err, rows)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Fatalf("%s.csv cell %q would open as a formula", table, cell)
				}
			}
		}
		if !bytes.Contains(r.body, []byte(`'=HYPERLINK(`)) {
			t.Fatalf("%s.csv lost the formula-like title:\n%s", table, r.body)
		}
	}
	for _, path := range []string{
		fmt.Sprintf("/open-data/%d.json", a.secretYear), fmt.Sprintf("/open-data/%d/results.csv", a.secretYear),
		"/open-data/2101.json", fmt.Sprintf("/open-data/%d/ballots.csv", a.year), fmt.Sprintf("/open-data/%d.xml", a.year), "/open-data/x.json",
	} {
		if r := a.get(t, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, r.status)
		}
	}
}

// testDataLicence: organisers set the licence through EditionService/SetDataLicence and the open
// data follows; a licence not on the list is InvalidArgument naming data_licence and changes
// nothing; nobody else may set it.
func testDataLicence(t *testing.T, a *archive) {
	ctx := t.Context()
	a.env.Refused(t, connect.CodeInvalidArgument, "data_licence", func() error {
		return testenv.ErrOf(a.org.Editions.SetDataLicence(ctx, &v1.SetDataLicenceRequest{EditionId: a.edition.GetId(), DataLicence: "GPL-3.0-only"}))
	})
	anon := a.env.Clients(testenv.Connect, "")
	if _, err := anon.Editions.SetDataLicence(ctx, &v1.SetDataLicenceRequest{EditionId: a.edition.GetId(), DataLicence: "CC0-1.0"}); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("an anonymous SetDataLicence = %v; want Unauthenticated", err)
	}
	if _, err := a.org.Editions.SetDataLicence(ctx, &v1.SetDataLicenceRequest{EditionId: uuid.NewString(), DataLicence: "CC0-1.0"}); testenv.Code(err) != connect.CodeNotFound {
		t.Fatalf("SetDataLicence of no edition = %v; want NotFound", err)
	}
	e := testenv.Must(a.org.Editions.SetDataLicence(ctx, &v1.SetDataLicenceRequest{EditionId: a.edition.GetId(), DataLicence: "ODbL-1.0"})).GetEdition()
	t.Cleanup(func() {
		testenv.Must(a.org.Editions.SetDataLicence(context.WithoutCancel(ctx), &v1.SetDataLicenceRequest{EditionId: a.edition.GetId(), DataLicence: "CC-BY-4.0"}))
	})
	if e.GetDataLicence() != "ODbL-1.0" {
		t.Fatalf("the edition's licence = %q", e.GetDataLicence())
	}
	v, r := a.openData(t)
	if v["license"].(map[string]any)["id"] != "ODbL-1.0" || !strings.Contains(r.header.Get("Link"), "<https://opendatacommons.org/licenses/odbl/1-0/>") {
		t.Fatalf("after SetDataLicence: %v, Link %q", v["license"], r.header.Get("Link"))
	}
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Summary string `xml:"summary"`
		Link    struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// testFeed: the Atom feed has an entry per announced edition linking its results, in the language
// asked for; an edition not announced is not in it.
func testFeed(t *testing.T, a *archive) {
	for lang, title := range map[string]string{"": "Miasta Otwarte — ogłoszenia wyników", "en": "Open Cities — results announcements", "uk": "Відкриті міста — оголошення результатів"} {
		path := "/feed.atom"
		if lang != "" {
			path += "?lang=" + lang
		}
		r := a.get(t, path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("GET %s = %d %v", path, r.status, r.header)
		}
		var f atomFeed
		if err := xml.Unmarshal(r.body, &f); err != nil {
			t.Fatalf("the feed is not Atom: %v\n%s", err, r.body)
		}
		results := a.env.URL + "/results"
		if lang != "" {
			results += "?lang=" + lang
		}
		if len(f.Links) != 2 || f.Links[0].Rel != "alternate" || f.Links[0].Href != results || f.Links[1].Rel != "self" || f.Links[1].Href != a.env.URL+path {
			t.Fatalf("the feed's links %+v; want the results and itself", f.Links)
		}
		if f.ID != a.env.URL+path || f.Title != title || f.Updated == "" || f.Author.Name == "" || len(f.Entries) == 0 {
			t.Fatalf("feed %+v", f)
		}
		want := fmt.Sprintf("%s/results/%d", a.env.URL, a.year)
		if lang != "" {
			want += "?lang=" + lang
		}
		found := false
		for _, e := range f.Entries {
			if e.ID == "urn:uuid:"+a.edition.GetId() {
				found = e.Link.Href == want && e.Link.Rel == "alternate" && e.Updated != "" && strings.Contains(e.Title, a.edition.GetName()) && strings.Contains(e.Summary, a.cityA.GetName())
			}
			if strings.Contains(e.Title, fmt.Sprint(a.secretYear)) {
				t.Fatalf("the feed announces the edition in review: %+v", e)
			}
		}
		if !found {
			t.Fatalf("no entry for %d linking %s: %+v", a.year, want, f.Entries)
		}
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		f := filepath.Join(t.TempDir(), "feed.atom")
		if err := os.WriteFile(f, a.get(t, "/feed.atom").body, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(xmllint, "--noout", f).CombinedOutput(); err != nil {
			t.Fatalf("xmllint: %v\n%s", err, out)
		}
	}
}

// testCertificate: a distinction's certificate is a PDF whose text names the city, the practice,
// the category, the edition and the date, in Polish or the language asked for, and whose QR codes
// decode to the practice's page and the results; nothing but a distinction of an announced edition
// has one.
func testCertificate(t *testing.T, a *archive) {
	path := "/certificates/" + a.hostile.GetId() + ".pdf"
	r := a.get(t, path)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s = %d %v", path, r.status, r.header)
	}
	txt := pdfText(t, r.body)
	date := a.edition.GetUpdateTime().AsTime().Format("2006-01-02")
	for _, want := range []string{"Konkurs Miasta Otwarte", "Wyróżnienie", "Jury konkursu " + a.edition.GetName() + " wyróżnia praktykę miasta", a.cityA.GetName(), "Punkt </script><script>alert(1)</script>", "Przestrzeń przyjazna imigrantom", a.edition.GetName(), date} {
		if !strings.Contains(txt, want) {
			t.Errorf("the certificate's text lacks %q:\n%s", want, txt)
		}
	}
	codes := qrCodes(t, r.body)
	wantCodes := []string{a.env.URL + "/practices/" + a.hostile.GetPractice().GetId(), fmt.Sprintf("%s/results/%d", a.env.URL, a.year)}
	slices.Sort(codes)
	slices.Sort(wantCodes)
	if !slices.Equal(codes, wantCodes) {
		t.Fatalf("the QR codes read %q; want %q", codes, wantCodes)
	}
	uk := pdfText(t, a.get(t, path+"?lang=uk").body)
	if !strings.Contains(uk, "Конкурс «Відкриті міста»") || !strings.Contains(uk, "Відзнака") || !strings.Contains(uk, "«"+hostileTitle+"»") || !strings.Contains(uk, a.cityA.GetName()) {
		t.Fatalf("the Ukrainian certificate:\n%s", uk)
	}
	for _, p := range []string{
		"/certificates/" + a.formula.GetId() + ".pdf", // ranked, not distinguished
		"/certificates/" + a.secret.GetId() + ".pdf",  // not announced
		"/certificates/" + uuid.NewString() + ".pdf",
		"/certificates/" + a.hostile.GetId() + ".txt",
		"/certificates/" + strings.ToUpper(a.hostile.GetId()) + ".pdf",
		"/certificates/x.pdf",
	} {
		if r := a.get(t, p); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", p, r.status)
		}
	}
}

// testBadge: a distinction's badge is an accessible SVG naming the award, the edition, the
// category and the city, escaped, and a PNG of twice its size; only distinctions have one.
func testBadge(t *testing.T, a *archive) {
	r := a.get(t, "/badges/"+a.hostile.GetId()+".svg?lang=en")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("badge = %d %v", r.status, r.header)
	}
	var svg struct {
		XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
		Role    string   `xml:"role,attr"`
		Label   string   `xml:"aria-label,attr"`
		Title   string   `xml:"title"`
		Texts   []string `xml:"text"`
	}
	if err := xml.Unmarshal(r.body, &svg); err != nil {
		t.Fatalf("the badge is not SVG: %v\n%s", err, r.body)
	}
	all := strings.Join(svg.Texts, "|")
	if svg.Role != "img" || svg.Title == "" || svg.Label != svg.Title || !strings.Contains(all, "DISTINGUISHED") || !strings.Contains(all, "Immigrant-friendly space") ||
		!strings.Contains(all, a.cityA.GetName()) || !strings.Contains(all, a.edition.GetName()) {
		t.Fatalf("badge %+v", svg)
	}
	png := a.get(t, "/badges/"+a.hostile.GetId()+".png")
	img, format, err := image.Decode(bytes.NewReader(png.body))
	if png.status != http.StatusOK || err != nil || format != "png" || img.Bounds().Dx() != 720 || img.Bounds().Dy() != 264 {
		t.Fatalf("PNG badge = %d, %v, %s", png.status, err, format)
	}
	for _, p := range []string{"/badges/" + a.plain.GetId() + ".svg", "/badges/" + a.secret.GetId() + ".svg", "/badges/" + uuid.NewString() + ".png", "/badges/" + a.hostile.GetId() + ".gif"} {
		if r := a.get(t, p); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", p, r.status)
		}
	}
}

// pdfText is a PDF's text as poppler's pdftotext reads it (make test installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian's poppler-utils; make test installs it): %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// qrCodes renders the PDF's first page (pdftoppm, poppler-utils) and decodes its QR codes with
// gozxing, an independent reader.
func qrCodes(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(matches) != 1 {
		t.Fatalf("pdftoppm wrote %v", matches)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	found, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found on the certificate: %v", err)
	}
	var out []string
	for _, r := range found {
		out = append(out, r.GetText())
	}
	return out
}
