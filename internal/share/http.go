package share

import (
	"bytes"
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/feeds"
)

// Routes adds the sharing endpoints to mux (internal/server/routes.go calls it).
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /open-data/{file}", s.serveOpenDataJSON)
	mux.HandleFunc("GET /open-data/{year}/{file}", s.serveOpenDataCSV)
	mux.HandleFunc("GET /feed.atom", s.serveFeed)
	mux.HandleFunc("GET /certificates/{file}", s.serveCertificate)
	mux.HandleFunc("GET /badges/{file}", s.serveBadge)
}

// publicCache lets browsers and caches keep a public file for five minutes: results do not change
// once announced, but an edition may be moved back and announced again.
const publicCache = "public, max-age=300"

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	s.log.ErrorContext(r.Context(), "sharing endpoint", "path", r.URL.Path, "error", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (s *Service) serveOpenDataJSON(w http.ResponseWriter, r *http.Request) {
	y, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := s.loadOpenData(r, y)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := data.JSON()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveData(w, r, data, "application/json", "", body)
}

func (s *Service) serveOpenDataCSV(w http.ResponseWriter, r *http.Request) {
	table, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := s.loadOpenData(r, r.PathValue("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, ok, err := data.CSV(table)
	if err != nil || !ok {
		s.fail(w, r, orNotFound(err))
		return
	}
	s.serveData(w, r, data, "text/csv; charset=utf-8", "miasta-otwarte-"+year(data.Edition.Year)+"-"+table+".csv", body)
}

// orNotFound is err, or ErrNotFound when there is none (a table the open data does not have).
func orNotFound(err error) error {
	if err == nil {
		return ErrNotFound
	}
	return err
}

func (s *Service) loadOpenData(r *http.Request, y string) (OpenData, error) {
	yr, err := parseYear(y)
	if err != nil {
		return OpenData{}, err
	}
	res, err := s.Results(r.Context(), yr)
	if err != nil {
		return OpenData{}, err
	}
	return s.openData(res), nil
}

// serveData answers with open data: its licence in a Link header (RFC 8288, rel="license"), readable
// from any origin (it is public and meant for reuse).
func (s *Service) serveData(w http.ResponseWriter, r *http.Request, data OpenData, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Link", `<`+data.License.URL+`>; rel="license"; title="`+data.License.ID+`"`)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", publicCache)
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	http.ServeContent(w, r, "", data.modified, bytes.NewReader(body))
}

// feedEpoch is the feed's updated time before any edition is announced: the award's first year.
var feedEpoch = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)

// serveFeed answers the Atom feed of announcements (RFC 4287), an entry per announced edition,
// newest first, in the request's language (?lang=, else Accept-Language, else Polish).
func (s *Service) serveFeed(w http.ResponseWriter, r *http.Request) {
	lang := Language(r)
	body, updated, err := s.Feed(r, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", publicCache)
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	http.ServeContent(w, r, "", updated, bytes.NewReader(body))
}

// Feed renders the Atom feed in lang and says when it last changed.
func (s *Service) Feed(r *http.Request, lang string) ([]byte, time.Time, error) {
	ctx := r.Context()
	eds, err := s.Editions(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	self := s.base + "/feed.atom" + langQuery(lang)
	f := &feeds.Feed{
		Title:       text(lang, "feedTitle"),
		Description: text(lang, "feedSubtitle"),
		Link:        &feeds.Link{Href: s.url("/results", lang), Rel: "alternate"},
		Author:      &feeds.Author{Name: text(lang, "award")},
		Updated:     feedEpoch,
	}
	for _, e := range eds {
		res, err := s.Results(ctx, e.Year)
		if err != nil {
			return nil, time.Time{}, err
		}
		name := editionName(e.Edition, lang)
		var winners []string
		for _, n := range res.Distinctions() {
			winners = append(winners, n.Practice.City.Name+" — "+n.Practice.Title+" ("+categoryName(n.Category, lang)+")")
		}
		w := text(lang, "noWinner")
		if len(winners) > 0 {
			w = strings.Join(winners, "; ")
		}
		link := s.url("/results/"+year(e.Year), lang)
		f.Items = append(f.Items, &feeds.Item{
			// The entry's id stays the same whatever the language or the address it is read at.
			Id:          "urn:uuid:" + e.ID.String(),
			Title:       text(lang, "feedEntryTitle", "edition", name),
			Link:        &feeds.Link{Href: link, Rel: "alternate", Type: "text/html"},
			Description: htmlText(text(lang, "feedEntrySummary", "edition", name, "distinctions", strconv.Itoa(len(winners)), "winners", w)),
			Updated:     e.Announced,
			Created:     e.Announced,
		})
		if e.Announced.After(f.Updated) {
			f.Updated = e.Announced
		}
	}
	atom := (&feeds.Atom{Feed: f}).AtomFeed()
	// The feed's id is its own address (the same in every language is not one feed).
	atom.Id = self
	for _, e := range atom.Entries {
		e.Published = e.Updated
	}
	body, err := feeds.ToXML(atom)
	if err != nil {
		return nil, time.Time{}, err
	}
	// gorilla/feeds writes one feed-level link (the alternate, the results); Atom readers also want
	// the feed's own address (rel="self", RFC 4287 §4.2.7.2), which goes beside it.
	alternate := "</link>"
	if i := strings.Index(body, alternate); i >= 0 {
		i += len(alternate)
		body = body[:i] + `<link href="` + html.EscapeString(self) + `" rel="self" type="application/atom+xml"></link>` + body[i:]
	}
	return []byte(body), f.Updated, nil
}

// htmlText escapes text for a feed element of type "html" (gorilla/feeds marks summaries so).
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// distinctionFile reads {nominationId}.{ext} of a certificate's or badge's address.
func distinctionFile(name string, exts ...string) (uuid.UUID, string, bool) {
	for _, ext := range exts {
		if base, ok := strings.CutSuffix(name, "."+ext); ok {
			id, err := uuid.Parse(base)
			return id, ext, err == nil && id.String() == base
		}
	}
	return uuid.Nil, "", false
}

func (s *Service) serveCertificate(w http.ResponseWriter, r *http.Request) {
	id, _, ok := distinctionFile(r.PathValue("file"), "pdf")
	if !ok {
		http.NotFound(w, r)
		return
	}
	n, res, err := s.Distinction(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := Language(r)
	var buf bytes.Buffer
	if err := s.Certificate(&buf, res, n, lang); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="miasta-otwarte-`+year(res.Edition.Year)+`-`+id.String()+`.pdf"`)
	w.Header().Set("Cache-Control", publicCache)
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	http.ServeContent(w, r, "", res.Edition.Announced, bytes.NewReader(buf.Bytes()))
}

func (s *Service) serveBadge(w http.ResponseWriter, r *http.Request) {
	id, ext, ok := distinctionFile(r.PathValue("file"), "svg", "png")
	if !ok {
		http.NotFound(w, r)
		return
	}
	n, res, err := s.Distinction(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := Language(r)
	b := s.badge(res.Edition, n, lang)
	var body []byte
	switch ext {
	case "svg":
		body = b.SVG()
		w.Header().Set("Content-Type", "image/svg+xml")
		// An SVG opened on its own is a document: it may draw, never run or fetch anything.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *")
	case "png":
		if body, err = b.PNG(); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/png")
	}
	// A badge is embedded on cities' own sites: readable from any origin and framable.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.Header().Del("X-Frame-Options")
	w.Header().Set("Cache-Control", publicCache)
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	http.ServeContent(w, r, "", res.Edition.Announced, bytes.NewReader(body))
}
