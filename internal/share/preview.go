package share

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/fault"

	"github.com/miasta-otwarte/miasta/web"
)

// previewTimeout bounds a page's look-up: past it the page goes without its preview rather than
// keep a reader waiting.
const previewTimeout = time.Second

// descriptionRunes is the longest description a preview carries: what link previews show.
const descriptionRunes = 200

// The public pages (the shared decisions of issue 19), each previewed by one function.
var previewRoutes = func() *http.ServeMux {
	m := http.NewServeMux()
	for _, p := range []string{"/results", "/results/{year}", "/results/{year}/category/{number}", "/practices/{id}", "/cities/{id}", "/search"} {
		m.HandleFunc("GET "+p, func(http.ResponseWriter, *http.Request) {})
	}
	return m
}()

// Preview is the web.PreviewFunc of the public pages: their title, description, canonical address,
// OpenGraph and Twitter tags and schema.org data in lang; NotFound for an id that names nothing
// public. Every page, public or not, links the Atom feed.
func (s *Service) Preview(r *http.Request, lang string) (web.Preview, bool) {
	ctx, cancel := context.WithTimeout(r.Context(), previewTimeout)
	defer cancel()
	feed := web.Alternate{Type: "application/atom+xml", Title: text(lang, "feedTitle"), Href: s.base + "/feed.atom" + langQuery(lang)}
	_, pattern := previewRoutes.Handler(r)
	if pattern == "" {
		return web.Preview{Alternates: []web.Alternate{feed}}, true
	}
	// The mux fills in the path values for the pattern it matched.
	req := r.Clone(ctx)
	previewRoutes.ServeHTTP(nopWriter{}, req)
	p, err := s.preview(ctx, req, strings.TrimPrefix(pattern, "GET "), lang)
	if errors.Is(err, ErrNotFound) {
		p = web.Preview{Title: text(lang, "notFoundTitle"), NotFound: true}
	} else if err != nil {
		s.log.WarnContext(ctx, "page without its preview", "path", r.URL.Path, "error", err)
		p = web.Preview{}
	}
	if !p.NotFound && p.Title != "" {
		p.SiteName, p.Locale = text(lang, "site"), ogLocales[lang]
	}
	p.Alternates = append(p.Alternates, feed)
	return p, true
}

func (s *Service) preview(ctx context.Context, r *http.Request, pattern, lang string) (web.Preview, error) {
	switch pattern {
	case "/results":
		return s.previewEditions(ctx, lang)
	case "/results/{year}":
		year, err := parseYear(r.PathValue("year"))
		if err != nil {
			return web.Preview{}, err
		}
		return s.previewEdition(ctx, year, lang)
	case "/results/{year}/category/{number}":
		year, err := parseYear(r.PathValue("year"))
		if err != nil {
			return web.Preview{}, err
		}
		n, err := strconv.ParseInt(r.PathValue("number"), 10, 32)
		if err != nil {
			return web.Preview{}, ErrNotFound
		}
		return s.previewCategory(ctx, year, int32(n), lang)
	case "/practices/{id}":
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			return web.Preview{}, ErrNotFound
		}
		return s.previewPractice(ctx, id, lang)
	case "/cities/{id}":
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			return web.Preview{}, ErrNotFound
		}
		return s.previewCity(ctx, id, lang)
	case "/search":
		return s.previewSearch(r, lang), nil
	}
	return web.Preview{}, nil
}

func (s *Service) previewEditions(ctx context.Context, lang string) (web.Preview, error) {
	eds, err := s.Editions(ctx)
	if err != nil {
		return web.Preview{}, err
	}
	canonical := s.url("/results", lang)
	list := ItemList{Context: schemaContext, Type: "ItemList", Name: text(lang, "resultsTitle"), URL: canonical, NumberOfItems: len(eds)}
	for i, e := range eds {
		list.Items = append(list.Items, ListItem{Type: "ListItem", Position: i + 1, Name: editionName(e.Edition, lang), URL: s.url("/results/"+year(e.Year), lang)})
	}
	return web.Preview{Title: text(lang, "resultsTitle"), Description: text(lang, "resultsDesc"), Canonical: canonical, JSONLD: list}, nil
}

func (s *Service) previewEdition(ctx context.Context, y int32, lang string) (web.Preview, error) {
	res, err := s.Results(ctx, y)
	if errors.Is(err, ErrNotFound) {
		return s.previewPastEdition(ctx, y, lang)
	}
	if err != nil {
		return web.Preview{}, err
	}
	name := editionName(res.Edition.Edition, lang)
	canonical := s.url("/results/"+year(y), lang)
	wins := res.Distinctions()
	list := ItemList{Context: schemaContext, Type: "ItemList", Name: text(lang, "editionTitle", "edition", name), URL: canonical,
		Order: "https://schema.org/ItemListUnordered", NumberOfItems: len(wins), About: s.award(res.Edition, lang)}
	for i, n := range wins {
		if n.Practice, err = s.inReadersLanguage(ctx, n.Practice, lang); err != nil {
			return web.Preview{}, err
		}
		list.Items = append(list.Items, ListItem{Type: "ListItem", Position: i + 1, Item: s.recipient(res.Edition, n, lang)})
	}
	cities := map[uuid.UUID]bool{}
	for _, p := range res.Practices {
		cities[p.City.ID] = true
	}
	desc := text(lang, "editionDesc", "edition", name, "distinctions", strconv.Itoa(len(wins)), "categories", strconv.Itoa(len(res.Categories)),
		"practices", strconv.Itoa(len(res.Practices)), "cities", strconv.Itoa(len(cities)))
	return web.Preview{Title: list.Name, Description: desc, Canonical: canonical, JSONLD: list}, nil
}

func (s *Service) previewCategory(ctx context.Context, y, number int32, lang string) (web.Preview, error) {
	res, err := s.Results(ctx, y)
	if err != nil {
		return web.Preview{}, err
	}
	c, ok := res.CategoryByNumber(number)
	if !ok {
		return web.Preview{}, ErrNotFound
	}
	name, cat := editionName(res.Edition.Edition, lang), categoryName(c.Category, lang)
	canonical := s.url("/results/"+year(y)+"/category/"+strconv.Itoa(int(number)), lang)
	list := ItemList{Context: schemaContext, Type: "ItemList", Name: text(lang, "categoryTitle", "category", cat, "edition", name), URL: canonical,
		Order: "https://schema.org/ItemListOrderAscending", NumberOfItems: len(c.Ranked), About: s.award(res.Edition, lang)}
	var winners []string
	for i, n := range c.Ranked {
		if n.Practice, err = s.inReadersLanguage(ctx, n.Practice, lang); err != nil {
			return web.Preview{}, err
		}
		list.Items = append(list.Items, ListItem{Type: "ListItem", Position: i + 1, Item: s.work(res.Edition, n.Practice, &n, lang)})
		if n.Winner {
			winners = append(winners, n.Practice.City.Name+": "+n.Practice.Title)
		}
	}
	w := text(lang, "noWinner")
	if len(winners) > 0 {
		w = strings.Join(winners, "; ")
	}
	desc := text(lang, "categoryDesc", "number", strconv.Itoa(int(number)), "edition", name, "nominations", strconv.Itoa(len(c.Ranked)), "winners", w)
	return web.Preview{Title: list.Name, Description: clip(desc), Canonical: canonical, JSONLD: list}, nil
}

// inReadersLanguage is a practice with its title and description in the reader's language where a
// reviewed translation of the current text exists (Translated), as the page itself shows them.
func (s *Service) inReadersLanguage(ctx context.Context, p Practice, lang string) (Practice, error) {
	title, description, _, err := s.Translated(ctx, p, lang)
	p.Title, p.Description = title, description
	return p, err
}

func (s *Service) previewPractice(ctx context.Context, id uuid.UUID, lang string) (web.Preview, error) {
	p, err := s.Practice(ctx, id)
	if err != nil {
		return web.Preview{}, err
	}
	res, err := s.Results(ctx, p.Year)
	if err != nil {
		return web.Preview{}, err
	}
	var ranked *Ranked
	if p.Nomination != nil {
		if n, ok := res.Nomination(*p.Nomination); ok {
			ranked = &n
		}
	}
	// The practice in the reader's language where a reviewed translation of it exists, the
	// original (Polish) named as what it translates.
	title, description, translated, err := s.Translated(ctx, p, lang)
	if err != nil {
		return web.Preview{}, err
	}
	work := s.work(res.Edition, p, ranked, lang)
	if translated {
		original := Work{Type: "CreativeWork", Name: p.Title, InLanguage: "pl"}
		work.Name, work.Description, work.InLanguage, work.TranslationOf = title, clip(description), lang, &original
	}
	desc := clip(description)
	if desc == "" {
		desc = text(lang, "practiceDesc", "city", p.City.Name, "category", categoryName(p.Category, lang), "edition", editionName(res.Edition.Edition, lang))
	}
	out := web.Preview{Title: text(lang, "practiceTitle", "practice", title, "city", p.City.Name), Description: desc,
		Canonical: s.url("/practices/"+p.ID.String(), lang), Type: "article", JSONLD: withContext(work)}
	if ranked != nil && ranked.Winner {
		out.Image = s.base + "/badges/" + ranked.NominationID.String() + ".png" + langQuery(lang)
		out.ImageAlt = s.badgeAlt(res.Edition, *ranked, lang)
		out.ImageType, out.ImageWidth, out.ImageHeight = "image/png", 2*badgeWidth, 2*badgeHeight
	}
	return out, nil
}

func (s *Service) previewCity(ctx context.Context, id uuid.UUID, lang string) (web.Preview, error) {
	c, err := s.City(ctx, id)
	if err != nil {
		return web.Preview{}, err
	}
	org := Organization{Context: schemaContext, Type: "GovernmentOrganization", Name: c.City.Name, URL: s.url("/cities/"+c.City.ID.String(), lang),
		Address: &Address{Type: "PostalAddress", Locality: c.City.Name, Country: "PL"}}
	distinctions := 0
	results := map[int32]Results{}
	for _, p := range c.Practices {
		org.SubjectOf = append(org.SubjectOf, Work{Type: "CreativeWork", Name: p.Title, URL: s.url("/practices/"+p.ID.String(), lang)})
		if p.Nomination == nil {
			continue
		}
		res, ok := results[p.Year]
		if !ok {
			if res, err = s.Results(ctx, p.Year); err != nil {
				return web.Preview{}, err
			}
			results[p.Year] = res
		}
		if n, ok := res.Nomination(*p.Nomination); ok && n.Winner {
			distinctions++
			org.Award = append(org.Award, s.awardText(res.Edition, n, lang))
		}
	}
	desc := text(lang, "cityDesc", "city", c.City.Name, "practices", strconv.Itoa(len(c.Practices)), "distinctions", strconv.Itoa(distinctions))
	return web.Preview{Title: text(lang, "cityTitle", "city", c.City.Name), Description: desc, Canonical: org.URL, JSONLD: org}, nil
}

func (s *Service) previewSearch(r *http.Request, lang string) web.Preview {
	q := r.URL.Query()
	kept := url.Values{}
	for _, k := range []string{"q", "edition", "category", "city", "distinguished", "target"} {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	if lang != "pl" {
		kept.Set("lang", lang)
	}
	canonical := s.base + "/search"
	if len(kept) > 0 {
		canonical += "?" + kept.Encode()
	}
	title := text(lang, "searchTitle")
	if query := strings.TrimSpace(q.Get("q")); query != "" {
		title = text(lang, "searchQueryTitle", "query", clip(query))
	}
	return web.Preview{Title: title, Description: text(lang, "searchDesc"), Canonical: canonical,
		JSONLD: Page{Context: schemaContext, Type: "SearchResultsPage", Name: title, URL: canonical}}
}

// award is the award as schema.org data: the edition, given by its organiser.
func (s *Service) award(e Edition, lang string) *Work {
	return &Work{Type: "CreativeWork", Name: editionName(e.Edition, lang), URL: s.url("/results/"+year(e.Year), lang),
		Description: text(lang, "awardDescription")}
}

// awardText is a distinction as schema.org's award property holds it (text).
func (s *Service) awardText(e Edition, n Ranked, lang string) string {
	return editionName(e.Edition, lang) + " — " + text(lang, "distinguished") + ": " + categoryName(n.Category, lang)
}

// recipient is a distinguished city as schema.org data, its award named.
func (s *Service) recipient(e Edition, n Ranked, lang string) Organization {
	return Organization{Type: "GovernmentOrganization", Name: n.Practice.City.Name, URL: s.url("/cities/"+n.Practice.City.ID.String(), lang),
		Award:     []string{s.awardText(e, n, lang)},
		SubjectOf: []Work{{Type: "CreativeWork", Name: n.Practice.Title, URL: s.url("/practices/"+n.Practice.ID.String(), lang)}}}
}

// work is a practice as schema.org data (a CreativeWork by its city), with its award when it won.
func (s *Service) work(e Edition, p Practice, n *Ranked, lang string) Work {
	w := Work{Type: "CreativeWork", Name: p.Title, URL: s.url("/practices/"+p.ID.String(), lang), Description: clip(p.Description),
		Genre:      categoryName(p.Category, lang),
		Creator:    &Organization{Type: "GovernmentOrganization", Name: p.City.Name, URL: s.url("/cities/"+p.City.ID.String(), lang)},
		IsPartOf:   &Work{Type: "CreativeWork", Name: editionName(e.Edition, lang), URL: s.url("/results/"+year(e.Year), lang)},
		InLanguage: "pl"}
	if p.SinceYear > 0 {
		w.DateCreated = strconv.Itoa(int(p.SinceYear))
	}
	if n != nil && n.Winner {
		w.Award = s.awardText(e, *n, lang)
		w.Genre = categoryName(n.Category, lang)
	}
	return w
}

func (s *Service) badgeAlt(e Edition, n Ranked, lang string) string {
	return text(lang, "badgeAlt", "edition", editionName(e.Edition, lang), "city", n.Practice.City.Name, "category", categoryName(n.Category, lang))
}

// url is the absolute address of a public path in lang.
func (s *Service) url(path, lang string) string { return s.base + path + langQuery(lang) }

func langQuery(lang string) string {
	if lang == "pl" || lang == "" {
		return ""
	}
	return "?lang=" + lang
}

func year(y int32) string { return strconv.Itoa(int(y)) }

func parseYear(s string) (int32, error) {
	y, err := strconv.ParseInt(s, 10, 32)
	if err != nil || y < 2014 || y > 2100 || strconv.FormatInt(y, 10) != s {
		return 0, ErrNotFound
	}
	return int32(y), nil
}

// clip is text as one line of at most descriptionRunes characters, cut at a word with an ellipsis.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= descriptionRunes {
		return s
	}
	runes := []rune(s)[:descriptionRunes-1]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, ' '); i > descriptionRunes/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.—-") + "…"
}

type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}

// The schema.org types the previews use (JSON-LD). schema.org has no type for an award itself: a
// distinction is the award property (text) of its recipient, the city (GovernmentOrganization), and
// of the practice (CreativeWork); results are ItemLists of them.
const schemaContext = "https://schema.org"

// ItemList is schema.org's ItemList.
type ItemList struct {
	Context       string     `json:"@context,omitempty"`
	Type          string     `json:"@type"`
	Name          string     `json:"name"`
	URL           string     `json:"url"`
	Order         string     `json:"itemListOrder,omitempty"`
	NumberOfItems int        `json:"numberOfItems"`
	About         *Work      `json:"about,omitempty"`
	Items         []ListItem `json:"itemListElement"`
}

// ListItem is schema.org's ListItem.
type ListItem struct {
	Type     string `json:"@type"`
	Position int    `json:"position"`
	Name     string `json:"name,omitempty"`
	URL      string `json:"url,omitempty"`
	Item     any    `json:"item,omitempty"`
}

// Organization is schema.org's Organization or GovernmentOrganization.
type Organization struct {
	Context   string   `json:"@context,omitempty"`
	Type      string   `json:"@type"`
	Name      string   `json:"name"`
	URL       string   `json:"url,omitempty"`
	Address   *Address `json:"address,omitempty"`
	Award     []string `json:"award,omitempty"`
	SubjectOf []Work   `json:"subjectOf,omitempty"`
}

// Address is schema.org's PostalAddress.
type Address struct {
	Type     string `json:"@type"`
	Locality string `json:"addressLocality"`
	Country  string `json:"addressCountry"`
}

// Work is schema.org's CreativeWork.
type Work struct {
	Context     string        `json:"@context,omitempty"`
	Type        string        `json:"@type"`
	Name        string        `json:"name"`
	URL         string        `json:"url,omitempty"`
	Description string        `json:"description,omitempty"`
	Genre       string        `json:"genre,omitempty"`
	Creator     *Organization `json:"creator,omitempty"`
	IsPartOf    *Work         `json:"isPartOf,omitempty"`
	InLanguage  string        `json:"inLanguage,omitempty"`
	DateCreated string        `json:"dateCreated,omitempty"`
	Award       string        `json:"award,omitempty"`
	// TranslationOf is the original a translated work translates (schema.org's translationOfWork).
	TranslationOf *Work `json:"translationOfWork,omitempty"`
}

// Page is schema.org's WebPage or one of its kinds.
type Page struct {
	Context string `json:"@context"`
	Type    string `json:"@type"`
	Name    string `json:"name"`
	URL     string `json:"url"`
}

func withContext(w Work) Work {
	w.Context = schemaContext
	return w
}

// previewPastEdition previews a past edition's page (internal/past): its name and, as its
// description, the start of its published summary; the ceremony as a schema.org Event.
func (s *Service) previewPastEdition(ctx context.Context, y int32, lang string) (web.Preview, error) {
	e, err := s.past.Get(ctx, y)
	if fault.Is(err, fault.NotFound) {
		return web.Preview{}, ErrNotFound
	}
	if err != nil {
		return web.Preview{}, err
	}
	pick := func(texts map[string]string) string { return inLanguage(texts, lang, texts["pl"]) }
	canonical := s.url("/results/"+year(y), lang)
	name := pick(e.GetName())
	p := web.Preview{Title: name, Description: clip(pick(e.GetSummary())), Canonical: canonical}
	if e.GetCeremonyTime() != nil {
		event := map[string]any{"@context": schemaContext, "@type": "Event", "name": name, "url": canonical,
			"startDate": e.GetCeremonyTime().AsTime().Format(time.RFC3339)}
		if place := pick(e.GetCeremonyPlace()); place != "" {
			event["location"] = map[string]any{"@type": "Place", "name": place}
		}
		if e.GetOrganiser() != "" {
			event["organizer"] = map[string]any{"@type": "Organization", "name": e.GetOrganiser()}
		}
		p.JSONLD = event
	}
	return p, nil
}
