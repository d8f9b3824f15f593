package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestHandlerServesTheAppForPagesAndFilesByPath(t *testing.T) {
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-1.js":  {Data: []byte("console.log(1)")},
		"assets/index-1.css": {Data: []byte("body{}")},
	}
	h := Handler(files, nil)
	get := func(method, path string) *http.Response {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Result()
	}
	body := func(r *http.Response) string { b, _ := io.ReadAll(r.Body); return string(b) }

	for _, page := range []string{"/", "/results/2015", "/editions/x/ballot", "/index.html"} {
		r := get(http.MethodGet, page)
		if page == "/index.html" {
			// The file server canonicalises /index.html to /; the app is one redirect away.
			if r.StatusCode != http.StatusMovedPermanently {
				t.Errorf("GET %s = %d; want a redirect to /", page, r.StatusCode)
			}
			continue
		}
		if r.StatusCode != http.StatusOK || !strings.Contains(body(r), "<title>app</title>") {
			t.Errorf("GET %s = %d; want the app's index.html", page, r.StatusCode)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s Cache-Control = %q; want no-cache so a new release shows at once", page, cc)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s CSP = %q; want the app limited to its own origin", page, csp)
		}
	}
	r := get(http.MethodGet, "/assets/index-1.js")
	if r.StatusCode != http.StatusOK || body(r) != "console.log(1)" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET an asset = %d %q; want the file, cached as immutable", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	for _, missing := range []string{"/assets/gone.js", "/favicon.ico"} {
		if r := get(http.MethodGet, missing); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404, not the app", missing, r.StatusCode)
		}
	}
	if r := get(http.MethodPost, "/results/2015"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST a page = %d; want 405", r.StatusCode)
	}
}

// The committed build is what the binary serves: it must have the app's entry point and its bundles.
func TestAssetsHoldTheBuiltApp(t *testing.T) {
	index, err := Assets().Open("index.html")
	if err != nil {
		t.Fatalf("dist/index.html is not embedded: %v", err)
	}
	b, _ := io.ReadAll(index)
	if !strings.Contains(string(b), `src="/assets/index-`) {
		t.Fatalf("dist/index.html does not load the built bundle:\n%s", b)
	}
}

// The build's brotli and gzip copies are served to browsers that accept them, with the original's
// type, Vary and immutable caching; a byte range, or a client that accepts neither, gets the file.
func TestHandlerServesTheCompressedCopies(t *testing.T) {
	files := Assets()
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		t.Fatal(err)
	}
	var script string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "index-") && strings.HasSuffix(e.Name(), ".js") {
			script = "assets/" + e.Name()
		}
	}
	if script == "" {
		t.Fatal("no assets/index-*.js in the build")
	}
	original, err := fs.ReadFile(files, script)
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(files, nil)
	get := func(header ...string) (*http.Response, []byte) {
		req := httptest.NewRequest(http.MethodGet, "/"+script, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Result().Body)
		return rec.Result(), b
	}
	r, br := get("Accept-Encoding", "gzip, deflate, br")
	if r.Header.Get("Content-Encoding") != "br" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("with br accepted: %v", r.Header)
	}
	if len(br) == 0 || len(br)*3 > len(original) {
		t.Errorf("the brotli copy is %d bytes of %d: not compressed", len(br), len(original))
	}
	r, gz := get("Accept-Encoding", "gzip")
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("with gzip accepted: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, original) {
		t.Errorf("the gzip copy decodes to %d bytes (%v); want the script's %d", len(plain), err, len(original))
	}
	for _, h := range [][]string{{}, {"Accept-Encoding", "br;q=0, gzip;q=0"}, {"Accept-Encoding", "br", "Range", "bytes=0-9"}} {
		r, b := get(h...)
		if r.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(original, b) || len(b) == 0 {
			t.Errorf("with %v: Content-Encoding %q, %d bytes; want the script itself", h, r.Header.Get("Content-Encoding"), len(b))
		}
	}
}

// The first download is the entry chunk and what it imports statically: under 120 kB compressed
// either way (issue 16), whatever the pages and catalogues add later, each when needed.
func TestInitialScriptsAreSmall(t *testing.T) {
	files := Assets()
	scripts, err := InitialScripts(files)
	if err != nil {
		t.Fatal(err)
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `src="/`+scripts[0]+`"`) {
		t.Fatalf("index.html does not load the manifest's entry %s:\n%s", scripts[0], index)
	}
	size, err := SizeOf(files, scripts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("initial JavaScript, %d files: %d bytes as built, %d brotli, %d gzip", len(scripts), size.Raw, size.Brotli, size.Gzip)
	const limit = 120_000
	if size.Brotli >= limit || size.Gzip >= limit {
		t.Errorf("initial JavaScript (%v) is %d bytes brotli and %d gzip; want both under %d", scripts, size.Brotli, size.Gzip, limit)
	}
}

// Every page the HTML preloads is a page chunk of the build, which the entry loads when it is opened.
func TestPageModulesArePagesOfTheBuild(t *testing.T) {
	m, err := readManifest(Assets())
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.entry()
	if err != nil {
		t.Fatal(err)
	}
	for pattern, module := range pageModules {
		if c, ok := m[module]; !ok || !c.IsDynamicEntry || !slices.Contains(m[e].DynamicImports, module) {
			t.Errorf("%s: %s is not a chunk the app loads when the page opens (App.tsx's lazy pages)", pattern, module)
		}
	}
}

// A page's first download is the app's script, its stylesheet, the catalogue and the page's own
// chunks: at most six requests, which a browser sends at once on the six connections HTTP/1.1 gives
// it, so that they take one round trip (vite.config.ts groups the small modules pages share).
func TestPageFirstDownloadIsOneRoundTrip(t *testing.T) {
	m, err := readManifest(Assets())
	if err != nil {
		t.Fatal(err)
	}
	e, _ := m.entry()
	initial := m.closure(e)
	for pattern, module := range pageModules {
		files := len(initial) + len(m[e].CSS) + 1 // the catalogue
		for _, f := range m.closure(module) {
			if !slices.Contains(initial, f) {
				files++
			}
		}
		if files > 6 {
			t.Errorf("%s: the first download is %d files (%v and %v); want at most 6", pattern, files, initial, m.closure(module))
		}
	}
}

// page GETs path from the built app with the headers (name, value pairs) and returns the response
// and its body.
func page(t *testing.T, h http.Handler, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(b)
}

// A page names, beside the app's script, the page's chunk (and the chunks it imports) and the
// catalogue of the language the app will start in, so that they download at once.
func TestPagePreloadsItsChunkAndLanguage(t *testing.T) {
	m, err := readManifest(Assets())
	if err != nil {
		t.Fatal(err)
	}
	preload := func(key string) string { return `<link rel="modulepreload" crossorigin href="/` + m[key].File + `">` }
	h := Handler(Assets(), nil)
	_, body := page(t, h, "/editions/e/ballot", "Accept-Language", "en-US,en;q=0.9")
	e, _ := m.entry()
	keys := []string{"src/ballot/Ballot.tsx", "src/i18n/en.json"}
	for _, k := range m["src/ballot/Ballot.tsx"].Imports {
		if k != e {
			keys = append(keys, k)
		}
	}
	for _, key := range keys {
		if !strings.Contains(body, preload(key)) {
			t.Errorf("the ballot's page does not preload %s:\n%s", key, body)
		}
	}
	if strings.Contains(body, preload(e)) || strings.Contains(body, preload("src/i18n/pl.json")) {
		t.Errorf("the ballot's page preloads the entry (its script tag loads it) or another language:\n%s", body)
	}
	if !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("the page is not marked as English:\n%s", body)
	}
	for _, c := range []struct {
		want   string
		header []string
	}{
		{"pl", nil},
		{"es", []string{"Accept-Language", "de-DE, es;q=0.5"}},
		{"vi", []string{"Accept-Language", "es;q=0, vi"}},
		{"uk", []string{"Accept-Language", "en", "Cookie", "miasta.locale=uk"}},
		{"en", []string{"Accept-Language", "en", "Cookie", "miasta.locale=xx"}},
	} {
		_, body := page(t, h, "/results/2015", c.header...)
		if !strings.Contains(body, preload("src/i18n/"+c.want+".json")) || !strings.Contains(body, preload("src/results/Results.tsx")) {
			t.Errorf("with %v: the results page does not preload its chunk and the %s catalogue:\n%s", c.header, c.want, body)
		}
	}
	if _, body := page(t, h, "/"); !strings.Contains(body, preload("src/home/Home.tsx")) {
		t.Errorf("/ does not preload the home page:\n%s", body)
	}
}

// A page carries what boot says about its caller, as data no browser runs, and goes without when
// boot cannot say; the language the caller was invited in picks the catalogue unless they chose one.
func TestPageCarriesBoot(t *testing.T) {
	me := json.RawMessage(`{"me":{"user":{"name":"</script><script>alert(1)</script>"}}}`)
	var booted Boot
	ok := true
	h := Handler(Assets(), func(*http.Request) (Boot, bool) { return booted, ok })
	bootOf := func(body string) (Boot, bool) {
		_, rest, found := strings.Cut(body, `<script type="application/json" id="miasta-boot">`)
		if !found {
			return Boot{}, false
		}
		data, _, _ := strings.Cut(rest, "</script>")
		var b Boot
		if err := json.Unmarshal([]byte(data), &b); err != nil {
			t.Fatalf("the boot data is not JSON: %v\n%s", err, body)
		}
		return b, true
	}

	booted = Boot{Me: me, Language: "vi"}
	_, body := page(t, h, "/", "Accept-Language", "en")
	b, found := bootOf(body)
	var got, want any
	_ = json.Unmarshal(b.Me, &got)
	_ = json.Unmarshal(me, &want)
	if !found || !reflect.DeepEqual(got, want) {
		t.Fatalf("boot %s, %v; want the caller's GetMe:\n%s", b.Me, found, body)
	}
	if strings.Contains(body, "<script><script>") || strings.Contains(body, "alert(1)</script>") {
		t.Errorf("the caller's data ends the script element:\n%s", body)
	}
	if !strings.Contains(body, `<html lang="vi">`) {
		t.Errorf("an invited caller's page is not in their language:\n%s", body)
	}
	if _, body := page(t, h, "/", "Cookie", "miasta.locale=es"); !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("the caller's own choice does not win over their invitation's language:\n%s", body)
	}

	booted = Boot{}
	if b, found := bootOf(func() string { _, body := page(t, h, "/"); return body }()); !found || string(b.Me) != "null" {
		t.Errorf("signed out: boot %s, %v; want me null", b.Me, found)
	}
	ok = false
	if _, body := page(t, h, "/"); strings.Contains(body, "miasta-boot") {
		t.Errorf("boot could not say, but the page carries boot data:\n%s", body)
	}
}

// The page is revalidated, not cached: it changes with each release and with who asks.
func TestPageRevalidates(t *testing.T) {
	h := Handler(Assets(), nil)
	r, _ := page(t, h, "/results/2015")
	etag := r.Header.Get("ETag")
	if r.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("Cache-Control %q, ETag %q; want no-cache with an ETag", r.Header.Get("Cache-Control"), etag)
	}
	if vary := strings.Join(r.Header.Values("Vary"), ", "); !strings.Contains(vary, "Cookie") || !strings.Contains(vary, "Accept-Language") {
		t.Errorf("Vary %q; want Cookie and Accept-Language", vary)
	}
	if r, _ := page(t, h, "/results/2015", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating with its ETag: %d; want 304", r.StatusCode)
	}
	if r, _ := page(t, h, "/results/2015", "If-None-Match", etag, "Accept-Language", "uk"); r.StatusCode != http.StatusOK {
		t.Errorf("revalidating in another language: %d; want the page in it", r.StatusCode)
	}
	if r, _ := page(t, h, "/.vite/manifest.json"); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET the build's manifest = %d; want 404, it is not the app's", r.StatusCode)
	}
}

// A page carries its preview, escaped: the title in <title> and the tags, the JSON-LD as data that
// cannot end its script element; ?lang= picks the page's language; a preview that says NotFound
// answers 404 with the app and only a title; the preload and cache headers stay as they were.
func TestPageCarriesItsPreview(t *testing.T) {
	hostile := `</title></script><script>alert(1)</script> "quoted" & 'Łódź' <`
	var gotLang string
	h := Handler(Assets(), nil, WithPreviews(func(r *http.Request, lang string) (Preview, bool) {
		gotLang = lang
		switch r.URL.Path {
		case "/practices/missing":
			return Preview{Title: "Nie znaleziono", NotFound: true}, true
		case "/none":
			return Preview{}, false
		}
		return Preview{Title: hostile, Description: hostile, Canonical: "https://example.org/p?a=1&b=\"2\"", Image: "https://example.org/i.png",
			JSONLD: map[string]string{"name": hostile}, Alternates: []Alternate{{Type: "application/atom+xml", Title: hostile, Href: "/feed.atom"}}}, true
	}))
	r, body := page(t, h, "/results/2015?lang=uk", "Accept-Language", "en")
	if r.StatusCode != http.StatusOK || gotLang != "uk" || !strings.Contains(body, `<html lang="uk">`) {
		t.Fatalf("status %d, preview asked in %q:\n%s", r.StatusCode, gotLang, body)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, `</title></script>`) || strings.Count(body, "<title>") != 1 {
		t.Fatalf("the preview's text broke out of its element:\n%s", body)
	}
	esc := `&lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; &#39;Łódź&#39; &lt;`
	for _, want := range []string{
		"<title>" + esc + "</title>",
		`<meta property="og:title" content="` + esc + `">`,
		`<meta name="description" content="` + esc + `">`,
		`<link rel="canonical" href="https://example.org/p?a=1&amp;b=&#34;2&#34;">`,
		`<meta property="og:image" content="https://example.org/i.png">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<link rel="alternate" type="application/atom+xml" title="` + esc + `" href="/feed.atom">`,
		`<script type="application/ld+json">{"name":"\u003c/title\u003e\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e \"quoted\" \u0026 'Łódź' \u003c"}</script>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s:\n%s", want, body)
		}
	}
	if r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("ETag") == "" || !strings.Contains(body, `rel="modulepreload"`) {
		t.Errorf("the previewed page lost its cache headers or preloads: %v", r.Header)
	}

	r, body = page(t, h, "/practices/missing")
	if r.StatusCode != http.StatusNotFound || !strings.Contains(body, `<div id="root">`) || !strings.Contains(body, "<title>Nie znaleziono</title>") ||
		strings.Contains(body, "og:title") || !strings.Contains(body, `<meta name="robots" content="noindex">`) || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("a missing page = %d %v:\n%s", r.StatusCode, r.Header, body)
	}
	if req := httptest.NewRequest(http.MethodHead, "/practices/missing", nil); true {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
			t.Errorf("HEAD of a missing page = %d with %d bytes", rec.Code, rec.Body.Len())
		}
	}
	if _, body := page(t, h, "/none"); !strings.Contains(body, "<title>Miasta Otwarte</title>") || strings.Contains(body, "og:") {
		t.Errorf("a page without a preview changed:\n%s", body)
	}
}

// FuzzPreviewStaysInItsElements: whatever a preview's texts hold, the page parses back to exactly
// them, in their elements, and no script but the app's and the JSON-LD appears.
func FuzzPreviewStaysInItsElements(f *testing.F) {
	f.Add(`</title><script>alert(1)</script>`, `" onload="x`, `</script><!--`)
	f.Add("Łódź & Київ <b>", "'", "\u2028\u2029")
	h := func(title, desc, name string) http.Handler {
		return Handler(Assets(), nil, WithPreviews(func(*http.Request, string) (Preview, bool) {
			return Preview{Title: title, Description: desc, Canonical: "https://example.org/" + url.PathEscape(name), JSONLD: map[string]string{"name": name}}, true
		}))
	}
	f.Fuzz(func(t *testing.T, title, desc, name string) {
		if !utf8.ValidString(title) || !utf8.ValidString(desc) || !utf8.ValidString(name) || strings.ContainsRune(title+desc+name, 0) ||
			strings.TrimSpace(title) == "" || strings.ContainsAny(title+desc, "\r") {
			return // the platform's texts are UTF-8 without NUL (internal/plaintext); HTML normalises CR
		}
		_, body := page(t, h(title, desc, name), "/results/2015")
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var gotTitle, gotDesc, ld string
		scripts := 0
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				attr := map[string]string{}
				for _, a := range n.Attr {
					attr[a.Key] = a.Val
				}
				switch {
				case n.Data == "title" && n.FirstChild != nil:
					gotTitle = n.FirstChild.Data
				case n.Data == "meta" && attr["name"] == "description":
					gotDesc = attr["content"]
				case n.Data == "script":
					scripts++
					if attr["type"] == "application/ld+json" && n.FirstChild != nil {
						ld = n.FirstChild.Data
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		var back map[string]string
		if err := json.Unmarshal([]byte(ld), &back); err != nil || back["name"] != name {
			t.Fatalf("JSON-LD %q: %v; want name %q", ld, err, name)
		}
		if gotTitle != title || gotDesc != desc || scripts != 2 {
			t.Fatalf("title %q, description %q, %d scripts; want %q, %q and the app's and the JSON-LD", gotTitle, gotDesc, scripts, title, desc)
		}
	})
}
