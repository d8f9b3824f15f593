package testenv

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// StartOIDCProvider runs npm oidc-provider (an independent, OpenID Certified provider:
// internal/server/testdata/oidc-provider, which `make test` installs) with one confidential client
// whose redirect URI is redirectURI, and returns its issuer. It stops with the test.
func StartOIDCProvider(t testing.TB, clientID, clientSecret, redirectURI string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "server", "testdata", "oidc-provider")
	cmd := exec.Command("node", "serve.mjs", clientID, clientSecret, redirectURI)
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe() // closing it stops the provider, should the test die without Wait
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("node oidc-provider (run make test or npm ci in %s): %v", dir, err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "{") {
				line <- s.Text()
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		var out struct{ Issuer string }
		if err := json.Unmarshal([]byte(l), &out); err != nil || out.Issuer == "" {
			t.Fatalf("oidc-provider said %q", l)
		}
		return out.Issuer
	case <-time.After(30 * time.Second):
		t.Fatal("oidc-provider did not start within 30s (is node_modules installed in testdata/oidc-provider?)")
	}
	return ""
}

var (
	formActionRe  = regexp.MustCompile(`<form[^>]* action="([^"]+)"`)
	hiddenInputRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// OIDCProviderForms drives oidc-provider's development login and consent forms from resp, the
// provider's first page, signing in as login; it returns the response that leaves the provider.
func OIDCProviderForms(t testing.TB, client *http.Client, resp *http.Response, login string) *http.Response {
	t.Helper()
	for range 4 {
		if !strings.HasPrefix(resp.Request.URL.Path, "/interaction/") || resp.StatusCode != http.StatusOK {
			return resp
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		action := formActionRe.FindSubmatch(page)
		if action == nil {
			t.Fatalf("no form at %s:\n%s", resp.Request.URL, page)
		}
		form := url.Values{}
		for _, m := range hiddenInputRe.FindAllSubmatch(page, -1) {
			form.Set(string(m[1]), string(m[2]))
		}
		if form.Get("prompt") == "login" {
			form.Set("login", login)
			form.Set("password", "any")
		}
		target, _ := resp.Request.URL.Parse(string(action[1]))
		var err error
		if resp, err = client.PostForm(target.String(), form); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("still at oidc-provider's forms after four of them: %s", resp.Request.URL)
	return nil
}
