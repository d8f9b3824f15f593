package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/mailcapture"
	"github.com/miasta-otwarte/miasta/internal/signin"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// startEmailSignInBehindProxy is startEmailSignIn with 127.0.0.1 as a trusted reverse proxy, so that
// each request's X-Forwarded-For is its client address (as behind a real proxy in production).
func startEmailSignInBehindProxy(t *testing.T) (*testenv.Env, *mailcapture.Server) {
	t.Helper()
	capture, err := mailcapture.Start("127.0.0.1:0", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = capture.Close() })
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		host, port, _ := net.SplitHostPort(capture.Addr)
		c.SMTPHost, c.SMTPTLS = host, "none"
		c.SMTPPort, _ = strconv.Atoi(port)
		c.MailFrom = "Miasta Otwarte <noreply@miasta.test>"
		c.EmailSignIn = "on"
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
		c.ProxyHeader = "X-Forwarded-For"
	}})
	return env, capture
}

// fromClient is a transport that sends every request as coming, through the proxy, from addr.
type fromClient struct{ addr string }

func (f fromClient) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	if r.Header.Get("Accept-Language") == "" {
		r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// browserFrom is signInBrowser whose requests come from client address addr.
func browserFrom(env *testenv.Env, addr string) *http.Client {
	b := testenv.SignInBrowser(env.URL, nil)
	b.Transport = fromClient{addr}
	return b
}

// TestAttackSignInLockout: a stranger who asks for five codes for a juror's address from their own
// browser and client address uses up their own allowance, not the juror's: the juror, from another
// client address, still gets a code.
func TestAttackSignInLockout(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignInBehindProxy(t)
	const juror = "juror.lock@miasta.test"
	inviteJuror(t, env, juror)

	attacker := browserFrom(env, "203.0.113.66")
	form := testenv.StartEmailSignIn(t, attacker, env.URL, true)
	for i := range 5 {
		if p := testenv.PostSignIn(t, attacker, env.URL, form, "action", "send", "email", juror); p.Status != http.StatusOK {
			t.Fatalf("attacker's code %d: %d", i+1, p.Status)
		}
	}
	testenv.AwaitSignInCode(t, capture, juror, 5)

	victim := browserFrom(env, "198.51.100.7")
	vform := testenv.StartEmailSignIn(t, victim, env.URL, true)
	p := testenv.PostSignIn(t, victim, env.URL, vform, "action", "send", "email", juror)
	if p.Status != http.StatusOK {
		t.Errorf("the juror, from their own browser and network, asking for a code after a stranger asked for five: %d (%s); "+
			"want a code: a stranger can keep any invited person out of the platform indefinitely (5 requests an hour)",
			p.Status, firstLine(p.Body, "Too many"))
	}
}

// TestAttackSignInIPv6Rotation: the per-client limits count an IPv6 client's /64, so rotating
// addresses within it (every IPv6 end user has a /64) buys neither more codes (20) nor more wrong
// tries (30) an hour.
func TestAttackSignInIPv6Rotation(t *testing.T) {
	t.Parallel()
	env, _ := startEmailSignInBehindProxy(t)
	const juror = "juror.v6@miasta.test"
	inviteJuror(t, env, juror)
	n := 0
	next := func() string { n++; return fmt.Sprintf("2001:db8:77:1::%x", n) }

	sent := 0
	for i := range 25 {
		b := browserFrom(env, next())
		form := testenv.StartEmailSignIn(t, b, env.URL, true)
		if p := testenv.PostSignIn(t, b, env.URL, form, "action", "send", "email", fmt.Sprintf("someone%d@miasta.test", i)); p.Status == http.StatusOK {
			sent++
		}
	}
	if sent > 20 {
		t.Errorf("%d codes asked for from one IPv6 /64 in an hour all accepted; want at most 20 (CodesPerClient)", sent)
	}

	// Wrong codes, from another /64 (the first has no codes left to ask for): guesses are counted as
	// the provider recorded them, not by status (a dead code is refused too).
	m := 0
	other := func() string { m++; return fmt.Sprintf("2001:db8:78:1::%x", m) }
	for range 8 {
		addr := other()
		b := browserFrom(env, addr)
		form := testenv.StartEmailSignIn(t, b, env.URL, true)
		code := testenv.PostSignIn(t, b, env.URL, form, "action", "send", "email", fmt.Sprintf("x%s@miasta.test", strings.ReplaceAll(addr, ":", "")))
		for range 5 {
			testenv.PostSignIn(t, b, env.URL, code, "action", "verify", "code", "000000")
		}
	}
	var wrong int
	if err := env.App.Pool.QueryRow(t.Context(), `SELECT count(*) FROM signin_events WHERE kind = 'CODE_WRONG' AND client_addr = '2001:db8:78:1::/64'`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong == 0 || wrong > 30 {
		t.Errorf("%d wrong codes from one IPv6 /64 in an hour tried; want some, at most 30 (WrongPerClient)", wrong)
	}
}

// TestAttackSignInConcurrentSends: codes asked for at the same moment, in many sign-ins, pass the
// per-address limit no more than one after the other would: at most 5 codes for one address from one
// client in an hour (the steps counted against an address and a client take their locks).
func TestAttackSignInConcurrentSends(t *testing.T) {
	t.Parallel()
	env, _ := startEmailSignInBehindProxy(t)
	ctx := t.Context()
	const juror = "juror.race@miasta.test"
	inviteJuror(t, env, juror)
	const n = 18 // under the 20 per client address, from one client
	type started struct {
		b    *http.Client
		form testenv.Page
	}
	var all []started
	for range n {
		b := browserFrom(env, "203.0.113.9")
		all = append(all, started{b, testenv.StartEmailSignIn(t, b, env.URL, true)})
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			m := authRequestRe.FindStringSubmatch(s.form.Body)
			resp, err := s.b.PostForm(env.URL+signin.Path+"/login", url.Values{"authRequestID": {m[1]}, "action": {"send"}, "email": {juror}})
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	close(start)
	wg.Wait()
	var codes, live int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM signin_events WHERE email = $1 AND kind = 'CODE_SENT'`, juror).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM signin_requests WHERE email = $1 AND code_hash IS NOT NULL AND code_expire_time > now()`, juror).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if codes > 5 {
		t.Errorf("%d codes sent to %s by %d sign-ins asking at once (%d live, %d guesses possible); want at most 5 an hour", codes, juror, n, live, 5*live)
	}
}

// TestAttackSignInBadInput: input no browser sends must be a 4xx, never a 5xx (a 503 "try again"
// logged as an error for every crafted request).
func TestAttackSignInBadInput(t *testing.T) {
	t.Parallel()
	env, _ := startEmailSignInBehindProxy(t)
	b := testenv.SignInBrowser(env.URL, nil)
	form := testenv.StartEmailSignIn(t, b, env.URL, true)
	id := authRequestRe.FindStringSubmatch(form.Body)[1]
	login := env.URL + signin.Path + "/login"
	cases := []struct {
		name string
		do   func() (*http.Response, error)
	}{
		{"GET authRequestID with NUL", func() (*http.Response, error) { return b.Get(login + "?authRequestID=%00") }},
		{"GET authRequestID invalid UTF-8", func() (*http.Response, error) { return b.Get(login + "?authRequestID=%ff%fe") }},
		{"POST authRequestID with NUL", func() (*http.Response, error) {
			return b.PostForm(login, url.Values{"authRequestID": {"a\x00b"}, "action": {"send"}, "email": {"a@b.cd"}})
		}},
		{"POST email invalid UTF-8", func() (*http.Response, error) {
			return b.PostForm(login, url.Values{"authRequestID": {id}, "action": {"send"}, "email": {"\xff\xfe@miasta.test"}})
		}},
		{"POST email with NUL", func() (*http.Response, error) {
			return b.PostForm(login, url.Values{"authRequestID": {id}, "action": {"send"}, "email": {"a\x00b@miasta.test"}})
		}},
		{"authorize state with NUL", func() (*http.Response, error) {
			return b.Get(env.URL + signin.Path + "/authorize?client_id=miasta&response_type=code&scope=openid&redirect_uri=" +
				url.QueryEscape(env.URL+"/auth/callback") + "&state=%00&code_challenge=" + strings.Repeat("a", 43) + "&code_challenge_method=S256")
		}},
		{"authorize nonce invalid UTF-8", func() (*http.Response, error) {
			return b.Get(env.URL + signin.Path + "/authorize?client_id=miasta&response_type=code&scope=openid&redirect_uri=" +
				url.QueryEscape(env.URL+"/auth/callback") + "&state=s&nonce=%ff&code_challenge=" + strings.Repeat("a", 43) + "&code_challenge_method=S256")
		}},
		{"POST huge body", func() (*http.Response, error) {
			return b.PostForm(login, url.Values{"authRequestID": {id}, "action": {"send"}, "email": {strings.Repeat("a", 1<<20)}})
		}},
		{"PUT", func() (*http.Response, error) {
			r, _ := http.NewRequest(http.MethodPut, login, nil)
			return b.Do(r)
		}},
		{"POST multipart", func() (*http.Response, error) {
			return b.Post(login, "multipart/form-data; boundary=x", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"authRequestID\"\r\n\r\n"+id+"\r\n--x--\r\n"))
		}},
		{"POST no action", func() (*http.Response, error) { return b.PostForm(login, url.Values{"authRequestID": {id}}) }},
		{"POST verify before send", func() (*http.Response, error) {
			return b.PostForm(login, url.Values{"authRequestID": {id}, "action": {"verify"}, "code": {"123456"}})
		}},
		{"callback unknown id", func() (*http.Response, error) { return b.Get(env.URL + signin.Path + "/authorize/callback?id=nope") }},
		{"callback id NUL", func() (*http.Response, error) { return b.Get(env.URL + signin.Path + "/authorize/callback?id=%00") }},
		{"token garbage", func() (*http.Response, error) {
			return http.PostForm(env.URL+signin.Path+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"\x00"}, "client_id": {"miasta"}, "client_secret": {"x"}})
		}},
	}
	for _, c := range cases {
		resp, err := c.do()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d %q; want a 4xx", c.name, resp.StatusCode, firstLine(string(body), ""))
		}
	}
}

func firstLine(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if want == "" || strings.Contains(l, want) {
			if len(l) > 200 {
				l = l[:200]
			}
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestAttackSignInCallbackUnbound: the browser binding covers the op library's callback too: a client
// that knows a finished sign-in's authRequestID (it sits in URLs and the page) but is not the browser
// that did it gets no authorization code for it, and the owner's is not replaced.
func TestAttackSignInCallbackUnbound(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignInBehindProxy(t)
	const juror = "juror.cb@miasta.test"
	inviteJuror(t, env, juror)
	owner := testenv.SignInBrowser(env.URL, nil)
	form := testenv.StartEmailSignIn(t, owner, env.URL, true)
	id := authRequestRe.FindStringSubmatch(form.Body)[1]
	sent := testenv.PostSignIn(t, owner, env.URL, form, "action", "send", "email", juror)
	code, _ := testenv.AwaitSignInCode(t, capture, juror, 1)
	owner.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	done := testenv.PostSignIn(t, owner, env.URL, sent, "action", "verify", "code", code)
	if done.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d", done.Status)
	}
	stranger := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := stranger.Get(env.URL + signin.Path + "/authorize/callback?id=" + url.QueryEscape(id))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Logf("verify to %s; stranger: %d to %s", done.Header.Get("Location"), resp.StatusCode, resp.Header.Get("Location"))
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") {
		t.Errorf("a browser without the sign-in's cookie got an authorization code for it: %d to %s", resp.StatusCode, loc)
	}
}
