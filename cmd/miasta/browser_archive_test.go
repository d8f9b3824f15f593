package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
)

// TestBrowserArchive reads the public archive as an anonymous reader in headless Chromium, on a
// desktop and on a 390 px phone, in Polish and in English: `miasta dev` on a fresh database, the demo
// edition played to its announcement through the API (what `miasta demo` does), then
// web/e2e/archive.mjs lists the editions, opens the edition's results (every ranked practice, with
// its chart), a category's URL, a city and a practice, checking that no page is wider than the
// phone and that axe-core finds nothing. Screenshots land in web/e2e/artifacts/archive/<language>/
// (or $E2E_ARTIFACTS/archive/<language>/).
func TestBrowserArchive(t *testing.T) {
	t.Parallel()
	chromium, node, webDir, artifacts := browserTools(t)
	// One announced demo edition serves both languages: the reader changes nothing.
	base, keyFile := startDev(t)
	clients, err := demoClients(base, filepath.Dir(keyFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := demo.Walk(ctx, clients, io.Discard); err != nil {
		t.Fatalf("the demo walk: %v", err)
	}
	for _, lang := range []string{"pl", "en", "uk", "es", "vi"} {
		t.Run(lang, func(t *testing.T) {
			out := filepath.Join(artifacts, "archive", lang)
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "archive.mjs"))
			cmd.Dir = webDir
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "E2E_LANG="+lang, "E2E_ARTIFACTS="+out, "CHROMIUM="+chromium)
			start := time.Now()
			output, err := cmd.CombinedOutput()
			t.Logf("browser run (%s):\n%s", time.Since(start).Round(time.Second), output)
			if err != nil {
				t.Fatalf("the archive did not read right in the browser (%s): %v; screenshots in %s", lang, err, out)
			}
		})
	}
}
