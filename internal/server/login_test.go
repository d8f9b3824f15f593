package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

var (
	authRequestRe = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	actionRe      = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// browserLogin signs subject in as a browser would: /auth/login, the provider's login page, the
// one-click form, back to /auth/callback. It returns the client (with its cookie jar), the callback's
// response and the session cookie it set.
func browserLogin(t *testing.T, env *testenv.Env, returnTo, email string) (*http.Client, *http.Response, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) && !strings.HasPrefix(req.URL.Path, "/auth/") {
			return http.ErrUseLastResponse // stop at the page the login returns to
		}
		return nil
	}}
	resp, err := client.Get(env.URL + "/auth/login?return_to=" + url.QueryEscape(returnTo))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id, action := authRequestRe.FindSubmatch(page), actionRe.FindSubmatch(page)
	if id == nil || action == nil {
		t.Fatalf("no login form at %s:\n%s", resp.Request.URL, page)
	}
	target, _ := resp.Request.URL.Parse(string(action[1]))
	resp, err = client.PostForm(target.String(), url.Values{"authRequestID": {string(id[1])}, "subject": {testenv.Subject(email)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// resp is the callback's own answer: the redirect to return_to that sets the session cookie.
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, auth.SessionCookie+"=") {
			return client, resp, c
		}
	}
	return client, resp, ""
}

func TestBrowserLoginWithPKCEAndSessionCookie(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	client, resp, setCookie := browserLogin(t, env, "/edycje/2015?lang=uk", demo.OrganiserEmail)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/edycje/2015?lang=uk" {
		t.Fatalf("after login: %d to %q; want a redirect to the return_to path", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("session cookie %q lacks %s", setCookie, attr)
		}
	}

	identity := miastav1connect.NewIdentityServiceClient(client, env.URL)
	me, err := identity.GetMe(ctx, &v1.GetMeRequest{})
	if err != nil || me.GetMe().GetUser().GetEmail() != demo.OrganiserEmail || !me.GetMe().GetOrganiser() {
		t.Fatalf("GetMe with the session cookie = %v, %v", me, err)
	}

	req, _ := http.NewRequest(http.MethodPost, env.URL+"/auth/logout", nil)
	out, err := client.Do(req)
	if err != nil || out.StatusCode != http.StatusNoContent {
		t.Fatalf("logout = %v, %v", out, err)
	}
	out.Body.Close()
	// Even a client that keeps the old cookie is signed out: the session is gone on the server.
	stale := strings.SplitN(strings.TrimPrefix(setCookie, auth.SessionCookie+"="), ";", 2)[0]
	_, err = miastav1connect.NewIdentityServiceClient(http.DefaultClient, env.URL, connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, r connect.AnyRequest) (connect.AnyResponse, error) {
				r.Header().Set("Cookie", auth.SessionCookie+"="+stale)
				return next(ctx, r)
			}
		}))).GetMe(ctx, &v1.GetMeRequest{})
	if testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("GetMe with a logged-out session = %v; want Unauthenticated", err)
	}
}

func TestLoginReturnsOnlyToThisSite(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	for _, evil := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		_, resp, _ := browserLogin(t, env, evil, demo.OrganiserEmail)
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("return_to %q redirected to %q; want /", evil, loc)
		}
	}
}

func TestCallbackRefusesForgedState(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	// No login cookie at all: a callback the browser did not start.
	resp, err := http.Get(env.URL + "/auth/callback?code=abc&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback without a login in progress = %d; want 400", resp.StatusCode)
	}
	// A login in progress, but the state does not match it.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start, err := client.Get(env.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	start.Body.Close()
	resp, err = client.Get(env.URL + "/auth/callback?code=abc&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback with a forged state = %d; want 400", resp.StatusCode)
	}
	if loc, _ := url.Parse(start.Header.Get("Location")); loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("nonce") == "" {
		t.Fatalf("authorization request %q lacks PKCE S256 or a nonce", loc)
	}
}
