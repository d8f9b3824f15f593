// Package web holds the built browser app (web/dist, committed, so that `make run` and `go build`
// need no Node.js) and serves it: files by path, and index.html for every other page path, since the
// app routes on the client.
package web

import (
	"embed"
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

// Handler serves assets from files. Paths under assets/ have content hashes in their names and are
// cached for a year; anything else that is not a file gets index.html, uncached, so that a reload
// of /results/2015 opens the app on that page.
func Handler(files fs.FS) http.Handler {
	fileServer := http.FileServerFS(files)
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
		if name != "" && name != "index.html" {
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
			if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
				http.NotFound(w, r) // a missing file, not a page: don't answer with the app
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		if serveCompressed(w, r, files, "index.html") {
			return
		}
		http.ServeFileFS(w, r, files, "index.html")
	})
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
