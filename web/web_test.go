package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandlerServesTheAppForPagesAndFilesByPath(t *testing.T) {
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-1.js":  {Data: []byte("console.log(1)")},
		"assets/index-1.css": {Data: []byte("body{}")},
	}
	h := Handler(files)
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
	h := Handler(files)
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
