package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// TestBrowserDemo takes the demo edition from reporting to announced in headless Chromium, as the
// demo users of `miasta dev` would, once with the interface in Polish and once in English:
// web/e2e/demo.mjs drives the browser (playwright-core) and checks every page with axe-core. The
// screenshots land in web/e2e/artifacts/<language>/ (or $E2E_ARTIFACTS/<language>/), which CI keeps.
// It needs Node.js, web/node_modules (`cd web && npm ci`) and Chromium (`make test` installs
// Debian's chromium when missing); without them it fails rather than skips.
func TestBrowserDemo(t *testing.T) {
	t.Parallel()
	chromium, node, webDir, artifacts := browserTools(t)
	for _, lang := range []string{"pl", "en"} {
		t.Run(lang, func(t *testing.T) {
			base, keyFile := startDev(t)
			// A checkpoint signed by the demo log's own key with another root: what a site showing this
			// reader a rewritten history would have signed. The results page, remembering it, must
			// refuse the real log as not extending it.
			key, err := readAuditKey(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			forged, err := verify.Checkpoint{Size: 1, Root: bytes.Repeat([]byte{7}, 32)}.Sign(key)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(artifacts, lang)
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "demo.mjs"))
			cmd.Dir = webDir
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "E2E_LANG="+lang, "E2E_ARTIFACTS="+out, "CHROMIUM="+chromium, "E2E_FORGED_CHECKPOINT="+forged)
			output, err := cmd.CombinedOutput()
			t.Logf("browser run:\n%s", output)
			if err != nil {
				t.Fatalf("the demo edition did not go through in the browser (%s): %v; screenshots in %s", lang, err, out)
			}
		})
	}
}

// startDev runs `miasta dev` on a fresh, empty database and free ports until the test ends, and
// returns the URL it prints.
func startDev(t *testing.T) (base, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	d := runDev(t, dbtest.NewEmptyURL(t), dir)
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("dev: %v", err)
		}
	})
	return d.base, filepath.Join(dir, "audit.key")
}

// readAuditKey reads the signer key of a key file `miasta audit keygen` (or `miasta dev`) wrote.
func readAuditKey(name string) (string, error) {
	b, err := os.ReadFile(name)
	return strings.TrimSpace(string(b)), err
}

// devRun is a `miasta dev` running in the test.
type devRun struct {
	base, banner string
	tokens       string // the token directory
	dbURL        string
	stop         func() error
}

// runDev starts `miasta dev` on dbURL with free ports, tokens in tokenDir and extra flags, and waits
// until it is ready.
func runDev(t *testing.T, dbURL, tokenDir string, flags ...string) devRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	args := append([]string{"miasta", "dev", "-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-token-dir", tokenDir,
		"-smtp-addr", "127.0.0.1:0", "-mail-dir", filepath.Join(tokenDir, "mail"), "-audit-key-file", filepath.Join(tokenDir, "audit.key")}, flags...)
	go func() {
		errc <- run(ctx, args, env(map[string]string{"DATABASE_URL": dbURL}), pw, io.Discard)
		pw.Close()
	}()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-errc
	}
	urlRe := regexp.MustCompile(`Web app\s+(http://\S+?)/\s`)
	d := devRun{tokens: tokenDir, dbURL: dbURL, stop: stop}
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			d.base = m[1]
		}
		if strings.Contains(sc.Text(), "Ctrl-C") {
			break
		}
	}
	d.banner = banner.String()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if d.base == "" {
		cancel()
		t.Fatalf("no web app URL in the banner (%v):\n%s", <-errc, d.banner)
	}
	waitReady(t, d.base, errc)
	return d
}

// browserTools finds what the browser tests need: Debian's Chromium (or $CHROMIUM), Node.js, and the
// web app's folder with its node_modules; and where screenshots go ($E2E_ARTIFACTS, else
// web/e2e/artifacts). Without them a test fails rather than skips.
func browserTools(t *testing.T) (chromium, node, webDir, artifacts string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (set CHROMIUM, or run `make test`, which installs Debian's chromium): %v", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the browser tests need Node.js: %v", err)
	}
	webDir, err = filepath.Abs("../../web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("web/node_modules is missing: run `cd web && npm ci`: %v", err)
	}
	artifacts = os.Getenv("E2E_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(webDir, "e2e", "artifacts")
	}
	return chromium, node, webDir, artifacts
}
