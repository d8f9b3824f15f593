package devidp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"
)

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – development identity provider</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
form { margin: 0 0 .5rem; }
button { width: 100%; text-align: left; padding: .75rem 1rem; font: inherit; cursor: pointer; }
.email { display: block; color: #555; font-size: .9em; }
</style>
</head>
<body>
<h1>Sign in</h1>
<p>Development identity provider. <strong>{{.ClientID}}</strong> asks you to sign in; pick a demo account.</p>
{{range .Users}}
<form method="post" action="{{$.Action}}">
<input type="hidden" name="authRequestID" value="{{$.AuthRequestID}}">
<input type="hidden" name="subject" value="{{.Subject}}">
<button type="submit"><span class="name">{{if .Name}}{{.Name}}{{else}}{{.Subject}}{{end}}</span>
<span class="email">{{.Email}}{{if not .EmailVerified}} (e-mail not verified){{end}}</span></button>
</form>
{{else}}
<p>No demo users are registered.</p>
{{end}}
</body>
</html>
`))

// serveLogin is the login UI the op library redirects to (Client.LoginURL): GET lists the users,
// POST selects one, completes the auth request and sends the browser to the library's callback.
func (p *Provider) serveLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		id := r.URL.Query().Get("authRequestID")
		ar, err := p.store.pendingAuthRequest(id)
		if err != nil {
			http.Error(w, "unknown, expired or completed auth request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		err = loginPage.Execute(w, struct {
			ClientID      string
			AuthRequestID string
			Action        string
			Users         []User
		}{ar.clientID, ar.id, strings.TrimPrefix(loginPath, "/"), p.store.listUsers()})
		if err != nil {
			p.log.Error("devidp: render login page", "error", err)
		}
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, "cannot parse form", http.StatusBadRequest)
			return
		}
		id, subject := r.PostForm.Get("authRequestID"), r.PostForm.Get("subject")
		if _, ok := p.store.user(subject); !ok {
			http.Error(w, "unknown user", http.StatusBadRequest)
			return
		}
		ar, err := p.store.completeLogin(id, subject)
		if err != nil {
			http.Error(w, "unknown, expired or completed auth request", http.StatusBadRequest)
			return
		}
		p.log.Info("devidp: user signed in", "subject", subject, "client_id", ar.clientID)
		http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// Login drives the full authorization-code flow with PKCE (S256) over HTTP against this provider's
// own Issuer URL as a browser would (GET authorize, pick the user on the login page, follow the redirect
// to the client's redirect URI WITHOUT calling it, exchange the code at the token endpoint) and returns the
// resulting *oauth2.Token (its "id_token" extra holds the ID token). Used by `miasta dev` to print
// ready-made tokens and by tests to obtain real tokens. Scopes default to openid, email and profile;
// openid is always requested.
func (p *Provider) Login(ctx context.Context, clientID, clientSecret, redirectURI, subject string, scopes ...string) (*oauth2.Token, error) {
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile}
	} else if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	cfg := &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURI,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   p.op.AuthorizationEndpoint().Absolute(p.issuer),
			TokenURL:  p.op.TokenEndpoint().Absolute(p.issuer),
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
	hc := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	verifier := oauth2.GenerateVerifier()
	state, nonce := rand.Text(), rand.Text()

	// 1. The authorization endpoint stores the request and redirects to the login page.
	loginURL, err := expectRedirect(ctx, hc, http.MethodGet,
		cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce)), nil)
	if err != nil {
		return nil, fmt.Errorf("devidp login: authorize: %w", err)
	}
	authRequestID := loginURL.Query().Get("authRequestID")
	if authRequestID == "" {
		return nil, fmt.Errorf("devidp login: authorize redirected to %s, not to the login page", loginURL.Redacted())
	}

	// 2. Load the login page, then press the user's button.
	if err := expectOK(ctx, hc, loginURL.String()); err != nil {
		return nil, fmt.Errorf("devidp login: login page: %w", err)
	}
	form := url.Values{"authRequestID": {authRequestID}, "subject": {subject}}
	callbackURL, err := expectRedirect(ctx, hc, http.MethodPost, loginURL.String(), form)
	if err != nil {
		return nil, fmt.Errorf("devidp login: select user %q: %w", subject, err)
	}

	// 3. The library's callback issues the code and redirects to the client, which is not called.
	clientURL, err := expectRedirect(ctx, hc, http.MethodGet, callbackURL.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("devidp login: callback: %w", err)
	}
	q := clientURL.Query()
	want, err := url.Parse(redirectURI)
	if err != nil {
		return nil, fmt.Errorf("devidp login: redirect URI: %w", err)
	}
	clientURL.RawQuery, clientURL.Fragment, want.RawQuery, want.Fragment = "", "", "", ""
	if clientURL.String() != want.String() {
		return nil, fmt.Errorf("devidp login: redirected to %s instead of the redirect URI", clientURL.Redacted())
	}
	if e := q.Get("error"); e != "" {
		return nil, fmt.Errorf("devidp login: authorization failed: %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return nil, errors.New("devidp login: state mismatch")
	}
	code := q.Get("code")
	if code == "" {
		return nil, errors.New("devidp login: no code in redirect")
	}

	// 4. Exchange the code with the PKCE verifier.
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("devidp login: token exchange: %w", err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	if idToken == "" {
		return nil, errors.New("devidp login: token response has no id_token")
	}
	if got, err := unverifiedNonce(idToken); err != nil || got != nonce {
		return nil, errors.New("devidp login: id_token nonce does not match the request")
	}
	return tok, nil
}

// expectRedirect sends one request without following redirects and returns the resolved Location.
func expectRedirect(ctx context.Context, hc *http.Client, method, target string, form url.Values) (*url.URL, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusFound, http.StatusSeeOther, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("redirect without a usable Location: %w", err)
		}
		return loc, nil
	default:
		return nil, statusError(resp)
	}
}

// expectOK GETs target and requires 200.
func expectOK(ctx context.Context, hc *http.Client, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	return nil
}

func statusError(resp *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	return fmt.Errorf("unexpected %s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// unverifiedNonce reads the nonce claim of a JWT without checking its signature; Login only uses it to make
// sure the token belongs to the request it just made (the provider signed it moments ago).
func unverifiedNonce(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", errors.New("malformed JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims struct {
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	return claims.Nonce, nil
}
