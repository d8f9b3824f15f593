package devidp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/miasta-otwarte/miasta/internal/devidp"
)

const (
	webID       = "web"
	webSecret   = "web-secret"
	webRedirect = "http://127.0.0.1:1/auth/callback" // never called
	cliID       = "cli"
	cliSecret   = "cli-secret"
	cliRedirect = "http://127.0.0.1:2/cb"
)

var (
	alice = devidp.User{Subject: "alice-1", Email: "alice@example.org", EmailVerified: true, Name: "Alice Nowak"}
	bob   = devidp.User{Subject: "bob-2", Email: "bob@example.org", EmailVerified: false, Name: "Bob <b>Kowalski</b>"}
)

// start serves a provider on 127.0.0.1 with two clients and two users and returns it with its issuer.
func start(t *testing.T) (*devidp.Provider, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	p, err := devidp.New(devidp.Config{
		Issuer: issuer,
		Users:  []devidp.User{alice, bob},
		Clients: []devidp.Client{
			{ID: webID, Secret: webSecret, RedirectURIs: []string{webRedirect}},
			{ID: cliID, Secret: cliSecret, RedirectURIs: []string{cliRedirect}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(p.Handler())
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return p, issuer
}

type idClaims struct {
	Subject       string   `json:"sub"`
	Issuer        string   `json:"iss"`
	Audience      []string `json:"aud"`
	Email         string   `json:"email"`
	EmailVerified *bool    `json:"email_verified"` // pointer: absence must be detected
	Name          string   `json:"name"`
	Nonce         string   `json:"nonce"`
	Exp           *int64   `json:"exp"`
	Iat           *int64   `json:"iat"`
}

func rawIDToken(t *testing.T, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("token response has no id_token")
	}
	return raw
}

func TestLoginTokenVerifiesWithGoOIDC(t *testing.T) {
	p, issuer := start(t)
	ctx := context.Background()

	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: webID})

	carol := devidp.User{Subject: "carol-3", Email: "carol@example.org", EmailVerified: true, Name: "Carol"}
	p.AddUser(carol) // added after the server started

	for _, u := range []devidp.User{alice, bob, carol} {
		t.Run(u.Subject, func(t *testing.T) {
			tok, err := p.Login(ctx, webID, webSecret, webRedirect, u.Subject)
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			idt, err := verifier.Verify(ctx, rawIDToken(t, tok))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			var c idClaims
			if err := idt.Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c.Subject != u.Subject || idt.Subject != u.Subject {
				t.Errorf("sub = %q, want %q", c.Subject, u.Subject)
			}
			if c.Issuer != issuer {
				t.Errorf("iss = %q, want %q", c.Issuer, issuer)
			}
			if len(c.Audience) != 1 || c.Audience[0] != webID {
				t.Errorf("aud = %v, want [%s]", c.Audience, webID)
			}
			if c.Email != u.Email {
				t.Errorf("email = %q, want %q", c.Email, u.Email)
			}
			if c.EmailVerified == nil {
				t.Errorf("email_verified missing from ID token")
			} else if *c.EmailVerified != u.EmailVerified {
				t.Errorf("email_verified = %v, want %v", *c.EmailVerified, u.EmailVerified)
			}
			if c.Name != u.Name {
				t.Errorf("name = %q, want %q", c.Name, u.Name)
			}
			if c.Nonce == "" {
				t.Errorf("nonce missing (Login sends one)")
			}
			if c.Exp == nil || c.Iat == nil {
				t.Fatalf("exp/iat missing")
			}
			if life := time.Duration(*c.Exp-*c.Iat) * time.Second; life != time.Hour {
				t.Errorf("ID token lifetime = %v, want default 1h", life)
			}
			if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
				t.Errorf("access token = %q type %q", tok.AccessToken, tok.TokenType)
			}

			// Userinfo returns the same claims for the access token.
			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var ic idClaims
			if err := info.Claims(&ic); err != nil {
				t.Fatal(err)
			}
			if ic.Subject != u.Subject || ic.Email != u.Email || ic.Name != u.Name ||
				ic.EmailVerified == nil || *ic.EmailVerified != u.EmailVerified {
				t.Errorf("userinfo claims = %+v (email_verified %v), want %+v", ic, ic.EmailVerified, u)
			}
		})
	}

	// The email_verified=false case must be a JSON boolean in the token itself, not just absent.
	tok, err := p.Login(ctx, webID, webSecret, webRedirect, bob.Subject)
	if err != nil {
		t.Fatal(err)
	}
	payload := jwtPayload(t, rawIDToken(t, tok))
	if v, ok := payload["email_verified"]; !ok || v != false {
		t.Errorf(`raw ID token email_verified = %#v (present %v), want JSON false`, v, ok)
	}

	// Without the email/profile scopes those claims are not issued.
	tok, err = p.Login(ctx, webID, webSecret, webRedirect, alice.Subject, "openid")
	if err != nil {
		t.Fatal(err)
	}
	payload = jwtPayload(t, rawIDToken(t, tok))
	for _, k := range []string{"email", "email_verified", "name"} {
		if _, ok := payload[k]; ok {
			t.Errorf("claim %q issued without its scope", k)
		}
	}
}

func TestLoginErrors(t *testing.T) {
	p, _ := start(t)
	ctx := context.Background()
	cases := map[string]struct{ id, secret, redirect, sub string }{
		"unknown user":          {webID, webSecret, webRedirect, "nobody"},
		"wrong secret":          {webID, "nope", webRedirect, alice.Subject},
		"unknown client":        {"ghost", webSecret, webRedirect, alice.Subject},
		"unregistered redirect": {webID, webSecret, "http://127.0.0.1:1/other", alice.Subject},
		"other client redirect": {webID, webSecret, cliRedirect, alice.Subject},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if tok, err := p.Login(ctx, c.id, c.secret, c.redirect, c.sub); err == nil {
				t.Fatalf("Login succeeded: %+v", tok)
			}
		})
	}
}

// browser is an HTTP client that shows every redirect to the test instead of following it.
var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func do(t *testing.T, method, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// redirect sends one request and returns where it redirects to, failing the test if it does not.
func redirect(t *testing.T, method, target string, form url.Values) *url.URL {
	t.Helper()
	resp, body := do(t, method, target, form)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s %s: status %s, want redirect; body: %s", resp.Request.Method, resp.Request.URL, resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var formRE = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">\s*<input type="hidden" name="authRequestID" value="([^"]*)">\s*<input type="hidden" name="subject" value="([^"]*)">`)

// browserLogin performs authorize → login page → click user → callback and returns the code.
func browserLogin(t *testing.T, cfg *oauth2.Config, subject, state, nonce, verifier string) string {
	t.Helper()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce))
	loginURL := redirect(t, http.MethodGet, authURL, nil)

	resp, page := do(t, http.MethodGet, loginURL.String(), nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Alice Nowak", "alice@example.org", "bob@example.org", "Bob &lt;b&gt;Kowalski&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>Kowalski") {
		t.Error("login page does not escape user names")
	}
	forms := formRE.FindAllStringSubmatch(page, -1)
	if len(forms) != 2 {
		t.Fatalf("login page has %d user forms, want 2:\n%s", len(forms), page)
	}
	var action, reqID string
	for _, f := range forms {
		if f[3] == subject {
			action, reqID = f[1], f[2]
		}
	}
	if action == "" {
		t.Fatalf("no button for %q", subject)
	}
	if reqID != loginURL.Query().Get("authRequestID") {
		t.Fatalf("form authRequestID %q, page URL %s", reqID, loginURL)
	}
	postURL, err := loginURL.Parse(action) // resolved as a browser resolves the form action
	if err != nil {
		t.Fatal(err)
	}
	callback := redirect(t, http.MethodPost, postURL.String(), url.Values{"authRequestID": {reqID}, "subject": {subject}})
	back := redirect(t, http.MethodGet, callback.String(), nil)

	q := back.Query()
	back.RawQuery = ""
	if back.String() != cfg.RedirectURL {
		t.Fatalf("redirected to %s, want %s", back, cfg.RedirectURL)
	}
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in %v", q)
	}
	return q.Get("code")
}

func TestBrowserCodeFlowWithPKCE(t *testing.T) {
	_, issuer := start(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Methods []string `json:"code_challenge_methods_supported"`
		Auth    []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := provider.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(disc.Methods, "S256") || !slices.Contains(disc.Auth, "client_secret_basic") || !slices.Contains(disc.Auth, "client_secret_post") {
		t.Errorf("discovery: code_challenge_methods %v, auth methods %v", disc.Methods, disc.Auth)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: webID})
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInParams // client_secret_post; Login covers client_secret_basic
	cfg := &oauth2.Config{
		ClientID: webID, ClientSecret: webSecret, RedirectURL: webRedirect, Endpoint: endpoint,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}

	t.Run("code flow, nonce, single use", func(t *testing.T) {
		pkce, nonce := oauth2.GenerateVerifier(), "n-"+oauth2.GenerateVerifier()
		code := browserLogin(t, cfg, bob.Subject, "st-1", nonce, pkce)

		tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		idt, err := verifier.Verify(ctx, rawIDToken(t, tok))
		if err != nil {
			t.Fatal(err)
		}
		if idt.Nonce != nonce {
			t.Errorf("nonce = %q, want %q", idt.Nonce, nonce)
		}
		if idt.Subject != bob.Subject {
			t.Errorf("sub = %q", idt.Subject)
		}
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
			t.Error("second exchange of the same code succeeded")
		} else if !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("second exchange: %v, want invalid_grant", err)
		}
	})

	t.Run("wrong verifier", func(t *testing.T) {
		pkce := oauth2.GenerateVerifier()
		code := browserLogin(t, cfg, alice.Subject, "st-2", "n-2", pkce)
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("exchange with a wrong PKCE verifier succeeded")
		}
		// A failed attempt burns the code, so it cannot be brute-forced.
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
			t.Fatal("code still redeemable after a failed attempt")
		}

		pkce = oauth2.GenerateVerifier()
		code = browserLogin(t, cfg, alice.Subject, "st-2b", "n-2b", pkce)
		if _, err := cfg.Exchange(ctx, code); err == nil {
			t.Fatal("exchange without the PKCE verifier succeeded")
		}
	})

	t.Run("code bound to client", func(t *testing.T) {
		pkce := oauth2.GenerateVerifier()
		code := browserLogin(t, cfg, alice.Subject, "st-3", "n-3", pkce)
		other := *cfg
		other.ClientID, other.ClientSecret, other.RedirectURL = cliID, cliSecret, cliRedirect
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
			t.Fatal("another client redeemed the code")
		}
	})

	t.Run("unknown redirect URI refused", func(t *testing.T) {
		evil := *cfg
		evil.RedirectURL = "http://127.0.0.1:3/evil"
		resp, body := do(t, http.MethodGet, evil.AuthCodeURL("st-4", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), nil)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("status = %s, want 4xx; body %s", resp.Status, body)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Errorf("redirected to %q", loc)
		}
	})

	t.Run("login page rejects bad input", func(t *testing.T) {
		resp, body := do(t, http.MethodGet, issuer+"/login?authRequestID=nope", nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown auth request page: %s %s", resp.Status, body)
		}
		authURL := cfg.AuthCodeURL("st-5", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		loginURL := redirect(t, http.MethodGet, authURL, nil)
		id := loginURL.Query().Get("authRequestID")

		resp, body = do(t, http.MethodPost, issuer+"/login", url.Values{"authRequestID": {id}, "subject": {"nobody"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(body, "unknown user") {
			t.Errorf("unknown user: %s %q %s", resp.Status, resp.Header.Get("Content-Type"), body)
		}
		resp, body = do(t, http.MethodPost, issuer+"/login", url.Values{"authRequestID": {"nope"}, "subject": {alice.Subject}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown auth request: %s %s", resp.Status, body)
		}
		// The callback refuses a request nobody logged in to.
		resp, _ = do(t, http.MethodGet, issuer+"/authorize/callback?id="+url.QueryEscape(id), nil)
		if loc, _ := resp.Location(); loc != nil && loc.Query().Get("code") != "" {
			t.Errorf("callback issued a code without login: %s", loc)
		}
	})
}

func TestTokenForOtherClientFailsVerification(t *testing.T) {
	p, issuer := start(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Login(ctx, cliID, cliSecret, cliRedirect, alice.Subject)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawIDToken(t, tok)
	if _, err := provider.Verifier(&oidc.Config{ClientID: webID}).Verify(ctx, raw); err == nil {
		t.Fatal("ID token for client cli verified for client web")
	} else if !strings.Contains(err.Error(), "audience") {
		t.Errorf("error = %v, want an audience error", err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: cliID}).Verify(ctx, raw); err != nil {
		t.Fatalf("ID token does not verify for its own client: %v", err)
	}
}

func TestTokenFromAnotherProviderFailsVerification(t *testing.T) {
	_, issuer := start(t)
	p2, _ := start(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p2.Login(ctx, webID, webSecret, webRedirect, alice.Subject)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: webID}).Verify(ctx, rawIDToken(t, tok)); err == nil {
		t.Fatal("token from another provider verified")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	ok := devidp.Client{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}
	cases := map[string]devidp.Config{
		"no issuer":        {Clients: []devidp.Client{ok}},
		"non-http scheme":  {Issuer: "ftp://127.0.0.1", Clients: []devidp.Client{ok}},
		"colon subject":    {Issuer: "http://127.0.0.1:1", Users: []devidp.User{{Subject: "a:b"}}},
		"empty subject":    {Issuer: "http://127.0.0.1:1", Users: []devidp.User{{Email: "x@y"}}},
		"no secret":        {Issuer: "http://127.0.0.1:1", Clients: []devidp.Client{{ID: "c", RedirectURIs: ok.RedirectURIs}}},
		"no redirect":      {Issuer: "http://127.0.0.1:1", Clients: []devidp.Client{{ID: "c", Secret: "s"}}},
		"duplicate client": {Issuer: "http://127.0.0.1:1", Clients: []devidp.Client{ok, ok}},
	}
	for name, cfg := range cases {
		if _, err := devidp.New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, err := devidp.New(devidp.Config{Issuer: "http://127.0.0.1:1", Clients: []devidp.Client{ok}}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func jwtPayload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
