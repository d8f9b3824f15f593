package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// The second provider's client registration for the server under test.
const (
	secondClientID     = "miasta-second"
	secondClientSecret = "second-secret"
)

// startSecondProvider runs npm oidc-provider with the second provider's client registration.
func startSecondProvider(t *testing.T, redirectURI string) string {
	t.Helper()
	return testenv.StartOIDCProvider(t, secondClientID, secondClientSecret, redirectURI)
}

// startWithSecondProvider starts the platform with the development provider (OIDC_ISSUER, trusted for
// e-mail) and npm oidc-provider (MIASTA_OIDC_PROVIDERS, trusted for e-mail when trust is set) at once.
func startWithSecondProvider(t *testing.T, trust bool) (*testenv.Env, string) {
	t.Helper()
	var issuer string
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		issuer = startSecondProvider(t, c.PublicURL+"/auth/callback")
		c.OIDCProviders = []auth.Provider{{
			ID: "second", Name: "Drugi dostawca", Issuer: issuer, ClientID: secondClientID, ClientSecret: secondClientSecret, TrustEmail: trust,
		}}
	}})
	return env, issuer
}

var (
	providerLinkRe = regexp.MustCompile(`<a class="provider" href="([^"]+)">([^<]+)</a>`)
)

// newBrowser is a client with a cookie jar that follows redirects until one comes back to the server
// outside /auth/ (the page the login returns to).
func newBrowser(env *testenv.Env) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) && !strings.HasPrefix(req.URL.Path, "/auth/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// secondBrowserLogin signs login in through the sign-in chooser and the second provider, and returns
// the browser, now holding a session.
func secondBrowserLogin(t *testing.T, env *testenv.Env, login string) *http.Client {
	t.Helper()
	client := newBrowser(env)
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/auth/login?return_to=%2Fpanel", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	links := providerLinkRe.FindAllSubmatch(page, -1)
	if resp.StatusCode != http.StatusOK || len(links) != 2 || !strings.Contains(string(page), `<html lang="en">`) {
		t.Fatalf("/auth/login with two providers: %d, want the chooser in English listing both:\n%s", resp.StatusCode, page)
	}
	// The page's policy allows its own style, by hash, and nothing else.
	_, style, _ := strings.Cut(string(page), "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	sum := sha256.Sum256([]byte(style))
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") {
		t.Errorf("the chooser's Content-Security-Policy %q does not allow its style alone", csp)
	}
	var href string
	for _, l := range links {
		if string(l[2]) == "Sign in with Drugi dostawca" {
			href = strings.ReplaceAll(string(l[1]), "&amp;", "&")
		}
	}
	if href == "" {
		t.Fatalf("the chooser has no link for the second provider: %q", links)
	}
	if resp, err = client.Get(env.URL + href); err != nil {
		t.Fatal(err)
	}
	resp = testenv.OIDCProviderForms(t, client, resp, login)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/panel" {
		t.Fatalf("after the second provider's login: %d at %s to %q; want the callback's redirect to /panel", resp.StatusCode, resp.Request.URL, resp.Header.Get("Location"))
	}
	return client
}

// secondToken gets an ID token for login from the second provider by the code flow, as an API client
// of the same registration would, without the server's callback.
func secondToken(t *testing.T, env *testenv.Env, issuer, login string) string {
	t.Helper()
	ctx := t.Context()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) {
			return http.ErrUseLastResponse // the code, on its way to the callback: ours to exchange
		}
		return nil
	}}
	cfg := &oauth2.Config{ClientID: secondClientID, ClientSecret: secondClientSecret, RedirectURL: env.URL + "/auth/callback",
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/auth", TokenURL: issuer + "/token"}, Scopes: []string{"openid", "email", "profile"}}
	verifier := oauth2.GenerateVerifier()
	resp, err := client.Get(cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "nonce-1")))
	if err != nil {
		t.Fatal(err)
	}
	resp = testenv.OIDCProviderForms(t, client, resp, login)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code from the second provider: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the second provider gave no id_token")
	}
	return raw
}

// jurorAssignments are the juror roles the caller behind identity holds in the edition.
func jurorAssignments(t *testing.T, identity miastav1connect.IdentityServiceClient, editionID string) int {
	t.Helper()
	n := 0
	for _, a := range testenv.Must(identity.GetMe(t.Context(), &v1.GetMeRequest{})).GetMe().GetAssignments() {
		if a.GetEditionId() == editionID && a.GetRole() == v1.Role_ROLE_JUROR {
			n++
		}
	}
	return n
}

// inviteJuror invites email as a juror of a new edition and returns the edition's id.
func inviteJuror(t *testing.T, env *testenv.Env, email string) (testenv.Clients, string) {
	t.Helper()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	ed := testenv.SeedEdition(t, org)
	testenv.Must(org.Identity.CreateInvitation(t.Context(), &v1.CreateInvitationRequest{
		EditionId: ed.GetId(), Email: email, Role: v1.Role_ROLE_JUROR, CityId: ed.GetCities()[0].GetId(), DisplayName: "Juror Drugi",
	}))
	return org, ed.GetId()
}

// TestSecondProviderNotTrustedForEmailBindsNothing: with the development provider and npm
// oidc-provider configured at once, /auth/login offers both; an account at the second provider, not
// trusted for e-mail, whose verified address matches a pending invitation, signs in (browser and
// bearer token) but binds nothing and is no organiser; the same address at the trusted development
// provider then binds the invitation; and a token from a provider that is not configured is refused.
func TestSecondProviderNotTrustedForEmailBindsNothing(t *testing.T) {
	t.Parallel()
	env, issuer := startWithSecondProvider(t, false)
	const email = "juror.drugi@miasta.test"
	_, editionID := inviteJuror(t, env, email)

	browser := secondBrowserLogin(t, env, email)
	viaSecond := miastav1connect.NewIdentityServiceClient(browser, env.URL)
	if n := jurorAssignments(t, viaSecond, editionID); n != 0 {
		t.Fatalf("the untrusted provider's account holds %d juror roles; want none", n)
	}
	me := testenv.Must(viaSecond.GetMe(t.Context(), &v1.GetMeRequest{})).GetMe()
	if me.GetUser().GetEmail() != email || me.GetOrganiser() {
		t.Errorf("the second provider's account is %q (organiser %v); want %q, no organiser", me.GetUser().GetEmail(), me.GetOrganiser(), email)
	}
	// The bearer token of the same account is accepted, and binds nothing either.
	bearer := env.Clients(testenv.Connect, secondToken(t, env, issuer, email))
	if n := jurorAssignments(t, bearer.Identity, editionID); n != 0 {
		t.Fatalf("the untrusted provider's bearer holds %d juror roles; want none", n)
	}
	// Nor does the organisers' address make an organiser of an untrusted provider's account.
	orgLookalike := env.Clients(testenv.Connect, secondToken(t, env, issuer, demo.OrganiserEmail))
	if err := testenv.ErrOf(orgLookalike.Editions.CreateCity(t.Context(), &v1.CreateCityRequest{Name: "Przejęte"})); testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("CreateCity as the organisers' address at the untrusted provider: %v; want PermissionDenied", err)
	}

	// The trusted development provider's account of the same address binds the invitation.
	env.IdP.AddUser(testenv.User(email, true))
	viaDev := env.Clients(testenv.Connect, env.Token(t, email))
	if n := jurorAssignments(t, viaDev.Identity, editionID); n != 1 {
		t.Fatalf("the trusted provider's account holds %d juror roles; want the invitation bound", n)
	}
	if id := testenv.Must(viaDev.Identity.GetMe(t.Context(), &v1.GetMeRequest{})).GetMe().GetUser().GetId(); id == me.GetUser().GetId() {
		t.Fatalf("both providers' accounts of %s are user %s; want two accounts, bound by (issuer, subject)", email, id)
	}
	if n := jurorAssignments(t, viaSecond, editionID); n != 0 {
		t.Fatalf("after the binding, the untrusted provider's account holds %d juror roles; want none", n)
	}

	// A token from a provider that is not configured, though well signed and for our client id.
	other := startOtherProvider(t, env)
	stranger := env.Clients(testenv.Connect, other)
	if err := testenv.ErrOf(stranger.Identity.GetMe(t.Context(), &v1.GetMeRequest{})); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("GetMe with a token of an unconfigured provider: %v; want Unauthenticated", err)
	}
}

// TestSecondProviderTrustedForEmailBinds: the same second provider, trusted for e-mail, binds the
// invitation of its account's verified address at the first sign-in, through the chooser.
func TestSecondProviderTrustedForEmailBinds(t *testing.T) {
	t.Parallel()
	env, _ := startWithSecondProvider(t, true)
	const email = "juror.zaufany@miasta.test"
	_, editionID := inviteJuror(t, env, email)
	browser := secondBrowserLogin(t, env, email)
	if n := jurorAssignments(t, miastav1connect.NewIdentityServiceClient(browser, env.URL), editionID); n != 1 {
		t.Fatalf("the trusted second provider's account holds %d juror roles; want the invitation bound", n)
	}
	// The development provider still signs people in beside it: the organiser, by its own link.
	client := newBrowser(env)
	resp, err := client.Get(env.URL + "/auth/login?provider=oidc&return_to=%2F")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `name="authRequestID"`) {
		t.Fatalf("/auth/login?provider=oidc did not lead to the development provider's login:\n%s", page)
	}
	// A callback that names another issuer than the one its login went to is refused (RFC 9207), before
	// any code is exchanged.
	start := newBrowser(env)
	start.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if resp, err = start.Get(env.URL + "/auth/login?provider=second&return_to=%2F"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authURL, _ := url.Parse(resp.Header.Get("Location"))
	mixUp := url.Values{"state": {authURL.Query().Get("state")}, "code": {"any"}, "iss": {env.Issuer}}
	if resp, err = start.Get(env.URL + "/auth/callback?" + mixUp.Encode()); err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "another identity provider") {
		t.Fatalf("a callback of the second provider's login naming the development provider as issuer: %d %s; want 400", resp.StatusCode, page)
	}
	// An unknown provider gets the chooser again, saying so.
	if resp, err = http.Get(env.URL + "/auth/login?provider=nobody&lang=pl"); err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(page), "Nie ma takiego dostawcy logowania") {
		t.Fatalf("/auth/login?provider=nobody: %d; want 404 with the Polish chooser saying so:\n%s", resp.StatusCode, page)
	}
}

// startOtherProvider runs a development provider the server is not configured with, registering the
// server's own client id there, and returns a token it signed for a verified organiser's address.
func startOtherProvider(t *testing.T, env *testenv.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	idp, err := devidp.New(devidp.Config{
		Issuer:  issuer,
		Users:   []devidp.User{testenv.User(demo.OrganiserEmail, true)},
		Clients: []devidp.Client{{ID: testenv.ClientID, Secret: testenv.ClientSecret, RedirectURIs: []string{env.URL + "/auth/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	tok, err := idp.Login(t.Context(), testenv.ClientID, testenv.ClientSecret, env.URL+"/auth/callback", testenv.Subject(demo.OrganiserEmail))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	return raw
}

// TestOnlyListedProvider: with no OIDC_ISSUER and one provider in MIASTA_OIDC_PROVIDERS (npm
// oidc-provider, trusted for e-mail), /auth/login goes straight to it, its account of the organisers'
// address organises, an invitation it makes binds at its invitee's first sign-in, and the
// development provider, no longer configured, is refused.
func TestOnlyListedProvider(t *testing.T) {
	t.Parallel()
	var issuer string
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		issuer = startSecondProvider(t, c.PublicURL+"/auth/callback")
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = "", "", ""
		c.OIDCProviders = []auth.Provider{{ID: "only", Name: "Jedyny", Issuer: issuer, ClientID: secondClientID, ClientSecret: secondClientSecret, TrustEmail: true}}
	}})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(env.URL + "/auth/login?return_to=%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), issuer+"/auth?") {
		t.Fatalf("/auth/login with one listed provider: %d to %q; want a redirect straight to %s", resp.StatusCode, resp.Header.Get("Location"), issuer)
	}
	org := env.Clients(testenv.Connect, secondToken(t, env, issuer, demo.OrganiserEmail))
	ed := testenv.SeedEdition(t, org)
	const email = "juror.jedyny@miasta.test"
	testenv.Must(org.Identity.CreateInvitation(t.Context(), &v1.CreateInvitationRequest{
		EditionId: ed.GetId(), Email: email, Role: v1.Role_ROLE_JUROR, CityId: ed.GetCities()[0].GetId(), DisplayName: "Juror Jedyny",
	}))
	juror := env.Clients(testenv.Connect, secondToken(t, env, issuer, email))
	if n := jurorAssignments(t, juror.Identity, ed.GetId()); n != 1 {
		t.Fatalf("the listed provider's invitee holds %d juror roles; want the invitation bound", n)
	}
	dev := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	if err := testenv.ErrOf(dev.Identity.GetMe(t.Context(), &v1.GetMeRequest{})); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Fatalf("GetMe with a token of the development provider, not configured: %v; want Unauthenticated", err)
	}
}
