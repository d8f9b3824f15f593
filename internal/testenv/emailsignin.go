package testenv

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/mailcapture"
)

// SignInBrowser is a browser (cookie jar, English first in every request's Accept-Language) that
// follows redirects through the login endpoints and the built-in provider, and stops at the first
// redirect that leaves them (the page the login returns to). transport is http.DefaultTransport when nil.
func SignInBrowser(base string, transport http.RoundTripper) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: english{transport}, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), base) && !strings.HasPrefix(req.URL.Path, "/auth/") && !strings.HasPrefix(req.URL.Path, "/signin/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// english is a transport (http.DefaultTransport when nil) that asks for English, as a browser set
// to it does, unless told otherwise.
type english struct{ next http.RoundTripper }

func (e english) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept-Language") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	}
	if e.next == nil {
		return http.DefaultTransport.RoundTrip(r)
	}
	return e.next.RoundTrip(r)
}

// Page is a page as a browser got it.
type Page struct {
	Status int
	URL    *url.URL
	Body   string
	Header http.Header
}

// ReadPage(t)(client.Get(…)) reads a response whole, failing the test on an error.
func ReadPage(t testing.TB) func(*http.Response, error) Page {
	return func(resp *http.Response, err error) Page {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return Page{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(b), Header: resp.Header}
	}
}

var (
	codeRe        = regexp.MustCompile(`(?m)^\s+([0-9]{6})\s*$`)
	authRequestRe = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	chooserLinkRe = regexp.MustCompile(`<a class="provider" href="([^"]+)">([^<]+)</a>`)
)

// StartEmailSignIn opens base's /auth/login in browser (in English) and, through the chooser when
// there is one, reaches the built-in e-mail sign-in's address form; it returns that page.
func StartEmailSignIn(t testing.TB, browser *http.Client, base string, chooser bool) Page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/auth/login?return_to=%2Fpanel", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	p := ReadPage(t)(browser.Do(req))
	if chooser {
		var href string
		for _, l := range chooserLinkRe.FindAllStringSubmatch(p.Body, -1) {
			if l[2] == "Sign in with a code sent by e-mail" {
				href = html.UnescapeString(l[1])
			}
		}
		if href == "" {
			t.Fatalf("the chooser offers no e-mail sign-in:\n%s", p.Body)
		}
		p = ReadPage(t)(browser.Get(base + href))
	}
	if p.Status != http.StatusOK || p.URL.Path != "/signin/login" || !strings.Contains(p.Body, "Sign in with your e-mail") || !strings.Contains(p.Body, `<html lang="en">`) {
		t.Fatalf("the sign-in: %d at %s; want the built-in provider's address form in English:\n%s", p.Status, p.URL, p.Body)
	}
	return p
}

// PostSignIn posts a form of the request of the page from (fields: name, value, …) to base's e-mail
// sign-in page.
func PostSignIn(t testing.TB, browser *http.Client, base string, from Page, fields ...string) Page {
	t.Helper()
	m := authRequestRe.FindStringSubmatch(from.Body)
	if m == nil {
		t.Fatalf("no authRequestID on the page:\n%s", from.Body)
	}
	form := url.Values{"authRequestID": {m[1]}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return ReadPage(t)(browser.PostForm(base+"/signin/login", form))
}

// AwaitSignInCode waits for the n-th sign-in code mailed to addr and returns it with its mail.
func AwaitSignInCode(t testing.TB, capture *mailcapture.Server, addr string, n int) (string, mailcapture.Message) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ms := Delivered(capture, addr, "SIGN_IN_CODE"); len(ms) >= n {
			m := codeRe.FindStringSubmatch(ms[n-1].Body)
			if m == nil {
				t.Fatalf("the sign-in mail carries no code:\n%s", ms[n-1].Body)
			}
			return m[1], ms[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign-in code %d reached %s within 30 s", n, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Delivered returns the captured messages to addr of a kind (X-Miasta-Mail-Kind).
func Delivered(c *mailcapture.Server, addr, kind string) []mailcapture.Message {
	var out []mailcapture.Message
	for _, m := range c.Messages() {
		if len(m.To) == 1 && m.To[0] == addr && m.Header.Get("X-Miasta-Mail-Kind") == kind {
			out = append(out, m)
		}
	}
	return out
}
