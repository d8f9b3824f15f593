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
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
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
func Handler(files fs.FS, boot BootFunc) http.Handler {
	fileServer := http.FileServerFS(files)
	pages := newPages(files)
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
	page = bytes.Replace(page, []byte("</head>"), append(head.Bytes(), "</head>"...), 1)
	sum := sha256.Sum256(page)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	// The page depends on who asks (boot, the chosen language) and in what language.
	w.Header().Add("Vary", "Cookie")
	w.Header().Add("Vary", "Accept-Language")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}

// language picks the catalogue the app will start in, as web/src/i18n's initialLocale does: the
// person's choice, else the language they were invited in, else the first of the browser's languages
// the app has, else Polish.
func (p *pages) language(r *http.Request, invited string) string {
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
