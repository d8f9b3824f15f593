// Package web holds the built browser app (web/dist, committed, so that `make run` and `go build`
// need no Node.js) and serves it: files by path, and index.html for every other page path, since the
// app routes on the client.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/accept"
)

//go:embed all:dist
var dist embed.FS

// Assets is the built app: index.html at the root, hashed bundles under assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is embedded above; fs.Sub fails only on an invalid name
	}
	return sub
}

// securityHeaders are sent with every page and asset: the app loads only its own scripts and styles
// and talks only to its own origin.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; " +
		"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "same-origin",
}

// Boot is what a page's HTML tells the app about the request's caller, so that the app's first
// screen need not ask the server (web/src/shared/boot.ts reads it).
type Boot struct {
	// Me is IdentityService.GetMe's answer in the API's JSON; nil when nobody is signed in.
	Me json.RawMessage `json:"me"`
	// Language is the language the caller was invited in, "" for none: the page starts in it unless
	// they chose one (the app reads the page's lang, not this).
	Language string `json:"-"`
}

// BootFunc returns the boot data for a request. ok false leaves it out of the page, and the app then
// asks for itself: for when the caller could not be looked up, which is not the same as nobody.
type BootFunc func(r *http.Request) (b Boot, ok bool)

// Handler serves assets from files. Paths under assets/ have content hashes in their names and are
// cached for a year; anything else that is not a file gets the app's page (index.html), uncached, so
// that a reload of /results/2015 opens the app on that page. The page names the chunks that page
// needs beside the app's script (modulepreload: the page's code and the language's catalogue, from
// the build's manifest), and carries boot's answer for the request when boot is not nil, so that the
// first screen waits for one round trip for the code and one for its data, not a chain of them.
func Handler(files fs.FS, boot BootFunc, opts ...Option) http.Handler {
	fileServer := http.FileServerFS(files)
	pages := newPages(files)
	for _, o := range opts {
		o(pages)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "index.html" {
			http.Redirect(w, r, "/", http.StatusMovedPermanently) // the app has one address per page
			return
		}
		if name != "" && !hidden(name) {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				if serveCompressed(w, r, files, name) {
					return
				}
				fileServer.ServeHTTP(w, r)
				return
			}
		}
		if name != "" && (strings.HasPrefix(name, "assets/") || path.Ext(name) != "") {
			http.NotFound(w, r) // a missing file, not a page: don't answer with the app
			return
		}
		pages.serve(w, r, boot)
	})
}

// Option adjusts Handler.
type Option func(*pages)

// WithPreviews has every page's HTML carry what preview says of it, for the readers that run no
// script: link previews and search engines.
func WithPreviews(preview PreviewFunc) Option {
	return func(p *pages) { p.preview = preview }
}

// Preview is what a page's HTML head says about the page: its title, description, canonical
// address, OpenGraph and Twitter card tags and schema.org data. Every string is text, escaped here.
type Preview struct {
	// Title is the <title> and og:title; empty keeps the app's own title and writes no tags, and so
	// does NotFound (but the title).
	Title       string
	Description string
	Canonical   string // absolute URL
	Type        string // og:type, "website" when empty
	SiteName    string
	Locale      string // og:locale, e.g. pl_PL
	Image       string // absolute URL of og:image, optional
	ImageAlt    string
	// ImageType, ImageWidth and ImageHeight describe the image (og:image:type, :width, :height), so
	// that a preview can be laid out before the image arrives; zero writes none.
	ImageType               string
	ImageWidth, ImageHeight int
	// JSONLD is the page's schema.org data, marshalled to JSON (which escapes <, > and &, so the data
	// cannot end its script element); nil writes none.
	JSONLD any
	// Alternates are <link rel="alternate"> links (the Atom feed).
	Alternates []Alternate
	// NotFound answers the page with 404 (the app is still served, and says so itself).
	NotFound bool
}

// Alternate is another representation of the page or the site.
type Alternate struct {
	Type, Title, Href string
}

// PreviewFunc returns the preview of a request's page in lang, the language the page is served in;
// ok false writes none.
type PreviewFunc func(r *http.Request, lang string) (p Preview, ok bool)

// head writes the preview's tags.
func (v Preview) head(b *bytes.Buffer) {
	attr := html.EscapeString
	meta := func(kind, name, content string) {
		if content != "" {
			b.WriteString(`<meta ` + kind + `="` + name + `" content="` + attr(content) + `">`)
		}
	}
	if v.Title != "" && !v.NotFound {
		meta("name", "description", v.Description)
		if v.Canonical != "" {
			b.WriteString(`<link rel="canonical" href="` + attr(v.Canonical) + `">`)
		}
		typ := v.Type
		if typ == "" {
			typ = "website"
		}
		meta("property", "og:title", v.Title)
		meta("property", "og:description", v.Description)
		meta("property", "og:url", v.Canonical)
		meta("property", "og:type", typ)
		meta("property", "og:site_name", v.SiteName)
		meta("property", "og:locale", v.Locale)
		meta("property", "og:image", v.Image)
		meta("property", "og:image:alt", v.ImageAlt)
		meta("property", "og:image:type", v.ImageType)
		if v.Image != "" && v.ImageWidth > 0 && v.ImageHeight > 0 {
			meta("property", "og:image:width", strconv.Itoa(v.ImageWidth))
			meta("property", "og:image:height", strconv.Itoa(v.ImageHeight))
		}
		card := "summary"
		if v.Image != "" {
			card = "summary_large_image"
		}
		meta("name", "twitter:card", card)
		meta("name", "twitter:title", v.Title)
		meta("name", "twitter:description", v.Description)
		meta("name", "twitter:image", v.Image)
		meta("name", "twitter:image:alt", v.ImageAlt)
	}
	if v.NotFound {
		meta("name", "robots", "noindex")
	}
	for _, a := range v.Alternates {
		b.WriteString(`<link rel="alternate" type="` + attr(a.Type) + `" title="` + attr(a.Title) + `" href="` + attr(a.Href) + `">`)
	}
	if v.JSONLD != nil {
		if data, err := json.Marshal(v.JSONLD); err == nil {
			b.WriteString(`<script type="application/ld+json">`)
			b.Write(data)
			b.WriteString(`</script>`)
		}
	}
}

// hidden names are the build's own files (.vite/manifest.json), which are not the app's.
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.Contains(name, "/.")
}

// pages renders the app's page for each request from the build's index.html.
type pages struct {
	index    []byte
	err      error // index.html is missing: every page answers 500
	man      manifest
	initial  map[string]bool   // files the page's own script tag already brings: the entry and its imports
	locales  map[string]string // language → its catalogue's manifest key
	routes   *http.ServeMux    // a page's URL → its pattern in pageModules
	fallback string            // the language when nothing else decides
	preview  PreviewFunc       // nil: no previews
}

// pageModules maps the app's routes (web/src/App.tsx) to their pages' source modules, whose chunks
// the page's HTML preloads. A route missing here only loses that preload; web_test.go checks that
// every module named here is a page chunk of the build.
var pageModules = map[string]string{
	"/{$}":                              "src/home/Home.tsx",
	"/editions/{edition}/report/{city}": "src/report/Report.tsx",
	"/editions/{edition}/ballot":        "src/ballot/Ballot.tsx",
	"/editions/{edition}/organise":      "src/organise/Organise.tsx",
	"/results/{year}":                   "src/results/Results.tsx",
	"/search":                           "src/archive/Search.tsx",
	"/results/{year}/category/{number}": "src/results/Results.tsx",
	"/results":                          "src/archive/Editions.tsx",
	"/cities/{city}":                    "src/archive/City.tsx",
	"/practices/{practice}":             "src/archive/Practice.tsx",
	"/privacy":                          "src/privacy/Privacy.tsx",
}

// localeCookie is the language the person chose in the app (web/src/i18n/index.tsx writes it).
const localeCookie = "miasta.locale"

func newPages(files fs.FS) *pages {
	p := &pages{initial: map[string]bool{}, locales: map[string]string{}, routes: http.NewServeMux(), fallback: "pl"}
	p.index, p.err = fs.ReadFile(files, "index.html")
	for pattern := range pageModules {
		p.routes.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	}
	m, err := readManifest(files)
	if err != nil {
		return p // a build without a manifest (tests) serves its page without preloads
	}
	p.man = m
	if e, err := m.entry(); err == nil {
		for _, f := range m.closure(e) {
			p.initial[f] = true
		}
	}
	for key := range m {
		if l, ok := strings.CutPrefix(key, "src/i18n/"); ok && strings.HasSuffix(l, ".json") {
			p.locales[strings.TrimSuffix(l, ".json")] = key
		}
	}
	return p
}

func (p *pages) serve(w http.ResponseWriter, r *http.Request, boot BootFunc) {
	if p.err != nil {
		http.Error(w, "the web app is not built", http.StatusInternalServerError)
		return
	}
	var b Boot
	booted := false
	if boot != nil {
		b, booted = boot(r)
	}
	lang := p.language(r, b.Language)
	var head bytes.Buffer
	var keys []string
	if _, pattern := p.routes.Handler(r); pageModules[pattern] != "" {
		keys = append(keys, pageModules[pattern])
	}
	if k, ok := p.locales[lang]; ok {
		keys = append(keys, k)
	}
	for _, f := range p.man.closure(keys...) {
		if !p.initial[f] {
			head.WriteString(`<link rel="modulepreload" crossorigin href="/` + f + `">`)
		}
	}
	if booted {
		data, err := json.Marshal(b) // escapes <, > and &: the data cannot end the script element
		if err == nil {
			head.WriteString(`<script type="application/json" id="miasta-boot">`)
			head.Write(data)
			head.WriteString(`</script>`)
		}
	}
	page := p.index
	if _, ok := p.locales[lang]; ok {
		page = bytes.Replace(page, []byte(`<html lang="pl">`), []byte(`<html lang="`+lang+`">`), 1)
	}
	var preview Preview
	if p.preview != nil {
		var ok bool
		if preview, ok = p.preview(r, lang); ok {
			if preview.Title != "" {
				page = replaceTitle(page, preview.Title)
			}
			preview.head(&head)
		}
	}
	page = bytes.Replace(page, []byte("</head>"), append(head.Bytes(), "</head>"...), 1)
	sum := sha256.Sum256(page)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	// The page depends on who asks (boot, the chosen language) and in what language.
	w.Header().Add("Vary", "Cookie")
	w.Header().Add("Vary", "Accept-Language")
	if preview.NotFound {
		// The app is served all the same, so that a person sees its own "not found" page; crawlers
		// and link checkers see the status.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.WriteHeader(http.StatusNotFound)
		if r.Method != http.MethodHead {
			_, _ = w.Write(page)
		}
		return
	}
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}

// replaceTitle replaces the page's <title> element's text with title, escaped.
func replaceTitle(page []byte, title string) []byte {
	start := bytes.Index(page, []byte("<title>"))
	end := bytes.Index(page, []byte("</title>"))
	if start < 0 || end < start {
		return page
	}
	out := make([]byte, 0, len(page)+len(title))
	out = append(out, page[:start+len("<title>")]...)
	out = append(out, html.EscapeString(title)...)
	return append(out, page[end:]...)
}

// language picks the catalogue the app will start in, as web/src/i18n's initialLocale does: the
// link's ?lang=, else the person's choice, else the language they were invited in, else the first of the browser's languages
// the app has, else Polish.
func (p *pages) language(r *http.Request, invited string) string {
	if l := r.URL.Query().Get("lang"); p.locales[l] != "" {
		return l // a shared link's language (?lang=), which previews and crawlers follow too
	}
	if c, err := r.Cookie(localeCookie); err == nil && p.locales[c.Value] != "" {
		return c.Value
	}
	if p.locales[invited] != "" {
		return invited
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok && strings.Trim(q, "0.") == "" {
			continue // q=0: not this one
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if p.locales[base] != "" {
			return base
		}
	}
	return p.fallback
}

// encodings are the compressed copies the build writes beside each text file, best first.
var encodings = []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// serveCompressed serves the build's brotli or gzip copy of name when the request accepts it (and
// asks for no byte range, which is of the file itself), with the original's type; it reports
// whether it did. A file without a copy (small ones have none) is served as it is.
func serveCompressed(w http.ResponseWriter, r *http.Request, files fs.FS, name string) bool {
	w.Header().Add("Vary", "Accept-Encoding")
	if r.Header.Get("Range") != "" {
		return false
	}
	header := r.Header.Get("Accept-Encoding")
	for _, e := range encodings {
		if !accept.Encoding(header, e.token) {
			continue
		}
		f, err := files.Open(name + e.ext)
		if err != nil {
			continue
		}
		defer f.Close()
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			return false
		}
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Content-Encoding", e.token)
		http.ServeContent(w, r, "", time.Time{}, rs)
		return true
	}
	return false
}
