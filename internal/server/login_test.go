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
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/config"
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
	t.Parallel()
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
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	// Browsers drop tabs and newlines from a Location and read a backslash as a slash, so each of
	// these would leave the site if it were passed on as given.
	for _, evil := range []string{
		"//evil.example/x", "https://evil.example/", `/\evil.example`, "javascript:alert(1)",
		"/\t/evil.example/x", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", "/%5Cevil.example",
		"/%2F/evil.example", "/\x00/evil.example", "http:/evil.example", "evil.example", "",
	} {
		_, resp, _ := browserLogin(t, env, evil, demo.OrganiserEmail)
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("return_to %q redirected to %q; want /", evil, loc)
		}
	}
	// Paths of this site come back as they were, query and fragment included.
	for _, good := range []string{"/editions/0a/report/1b?lang=uk#practice-2", "/results/2015", "/?a=//b"} {
		_, resp, _ := browserLogin(t, env, good, demo.OrganiserEmail)
		if loc := resp.Header.Get("Location"); loc != good {
			t.Errorf("return_to %q redirected to %q", good, loc)
		}
	}
}

// sessionCall calls GetMe carrying only the given cookie.
func sessionCall(env *testenv.Env, cookie string) error {
	_, err := miastav1connect.NewIdentityServiceClient(http.DefaultClient, env.URL, connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, r connect.AnyRequest) (connect.AnyResponse, error) {
				r.Header().Set("Cookie", cookie)
				return next(ctx, r)
			}
		}))).GetMe(context.Background(), &v1.GetMeRequest{})
	return err
}

// cookiePair turns a Set-Cookie header into the name=value a browser sends back.
func cookiePair(setCookie string) string { return strings.SplitN(setCookie, ";", 2)[0] }

// TestSecureSessionCookie: over https the session cookie carries the __Host- prefix (Secure, Path=/,
// no Domain), and the unprefixed name, which a sibling subdomain could plant, is not accepted.
func TestSecureSessionCookie(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.PublicURL = "https://miasta.example" // the redirect URL stays this test server's
	}})
	// The login cookie is Secure now and a cookie jar would not send it back over http: carry it by
	// hand from /auth/login to the callback.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start, err := noRedirect.Get(env.URL + "/auth/login?return_to=/results/2015")
	if err != nil {
		t.Fatal(err)
	}
	start.Body.Close()
	var login string
	for _, c := range start.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Secure-miasta_login=") && strings.Contains(c, "Secure") {
			login = cookiePair(c)
		}
	}
	if login == "" {
		t.Fatalf("login cookie over https: %q; want __Secure-miasta_login, Secure", start.Header.Values("Set-Cookie"))
	}
	jar, _ := cookiejar.New(nil)
	idp := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	page, err := idp.Get(start.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	id, action := authRequestRe.FindSubmatch(body), actionRe.FindSubmatch(body)
	if id == nil || action == nil {
		t.Fatalf("no login form:\n%s", body)
	}
	target, _ := page.Request.URL.Parse(string(action[1]))
	back, err := idp.PostForm(target.String(), url.Values{"authRequestID": {string(id[1])}, "subject": {testenv.Subject(demo.OrganiserEmail)}})
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, back.Header.Get("Location"), nil)
	req.Header.Set("Cookie", login)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session string
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, auth.SecureSessionCookie+"=") {
			session = c
		}
	}
	if resp.StatusCode != http.StatusFound || session == "" {
		t.Fatalf("callback = %d, cookies %q; want a redirect setting %s", resp.StatusCode, resp.Header.Values("Set-Cookie"), auth.SecureSessionCookie)
	}
	for _, attr := range []string{"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} {
		if !strings.Contains(session, attr) {
			t.Errorf("session cookie %q lacks %s", session, attr)
		}
	}
	if strings.Contains(strings.ToLower(session), "domain=") {
		t.Errorf("session cookie %q names a domain; __Host- forbids it", session)
	}
	if err := sessionCall(env, cookiePair(session)); err != nil {
		t.Fatalf("GetMe with the __Host- cookie: %v", err)
	}
	value := strings.TrimPrefix(cookiePair(session), auth.SecureSessionCookie+"=")
	if err := sessionCall(env, auth.SessionCookie+"="+value); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("GetMe with the unprefixed cookie over https = %v; want Unauthenticated", err)
	}
}

// TestSessionIdleTimeoutAndPerUserLimit: a session in use lives on, one left unused for the idle
// timeout ends, and a sign-in beyond the per-user limit ends that user's oldest session.
func TestSessionIdleTimeoutAndPerUserLimit(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.SessionIdleTimeout, c.SessionsPerUser = 2*time.Second, 2
	}})
	var sessions []string
	for range 3 {
		_, _, setCookie := browserLogin(t, env, "/", demo.OrganiserEmail)
		sessions = append(sessions, cookiePair(setCookie))
	}
	if err := sessionCall(env, sessions[0]); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Errorf("the oldest of three sessions with a limit of two = %v; want Unauthenticated", err)
	}
	for _, s := range sessions[1:] {
		if err := sessionCall(env, s); err != nil {
			t.Fatalf("a newer session: %v", err)
		}
	}
	// sessions[1] is used every 1.2 s, past its first 2 s; sessions[2] is left alone.
	for range 3 {
		time.Sleep(1200 * time.Millisecond)
		if err := sessionCall(env, sessions[1]); err != nil {
			t.Fatalf("a session in use ended: %v", err)
		}
	}
	if err := sessionCall(env, sessions[2]); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("a session unused for 3.6 s with a 2 s idle timeout = %v; want Unauthenticated", err)
	}
}

func TestCallbackRefusesForgedState(t *testing.T) {
	t.Parallel()
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
