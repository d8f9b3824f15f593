package auth

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// loginCookie carries one login attempt's state, nonce and PKCE verifier from /auth/login to
// /auth/callback. It is HttpOnly and short-lived; tampering with it can only break the tamperer's
// own login. Over https it carries the __Secure- prefix (__Host- needs Path=/, and this cookie is
// sent to /auth/ only).
const loginCookie = "miasta_login"

func (a *Authenticator) loginCookie() string {
	if a.cfg.SecureCookies {
		return "__Secure-" + loginCookie
	}
	return loginCookie
}

type loginState struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
}

// LoginHandler serves the browser login: GET /auth/login?return_to=/path starts the authorization
// code flow with PKCE at the only provider, or, when there are several, shows a page choosing one
// (each a link to /auth/login?provider=ID&return_to=/path); GET /auth/callback finishes it with the
// provider it was started at and sets the session cookie; POST /auth/logout ends the session.
func (a *Authenticator) LoginHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/login", a.login)
	mux.HandleFunc("GET /auth/callback", a.callback)
	mux.HandleFunc("POST /auth/logout", a.logout)
	return mux
}

func (a *Authenticator) oauth2Config(p *provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		RedirectURL:  a.cfg.RedirectURL,
		Endpoint:     p.oidc.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

func (a *Authenticator) login(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	var p *provider
	switch id := r.URL.Query().Get("provider"); {
	case id != "":
		if p = a.byID[id]; p == nil {
			a.chooser(w, r, returnTo, http.StatusNotFound)
			return
		}
	case len(a.providers) == 1:
		p = a.providers[0]
	default:
		a.chooser(w, r, returnTo, http.StatusOK)
		return
	}
	st := loginState{
		Provider: p.ID,
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo,
	}
	value, _ := json.Marshal(st) // a struct of strings always marshals
	http.SetCookie(w, &http.Cookie{
		Name:     a.loginCookie(),
		Value:    url.QueryEscape(string(value)),
		Path:     "/auth/",
		MaxAge:   int((10 * time.Minute).Seconds()),
		HttpOnly: true,
		Secure:   a.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, // it must come back on the provider's top-level redirect
	})
	// ui_locales (OpenID Connect Core 3.1.2.1): the provider's pages in the language the platform's
	// pages are in, where the provider offers it.
	target := a.oauth2Config(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier),
		oauth2.SetAuthURLParam("ui_locales", chooserLanguage(r)))
	http.Redirect(w, r, target, http.StatusFound)
}

func (a *Authenticator) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, ok := readLoginState(r, a.loginCookie())
	if !ok || r.URL.Query().Get("state") != st.State {
		http.Error(w, "login expired or started in another browser; start again at /auth/login", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: a.loginCookie(), Path: "/auth/", MaxAge: -1, HttpOnly: true, Secure: a.cfg.SecureCookies})
	p := a.byID[st.Provider]
	if st.Provider == "" && len(a.providers) == 1 {
		p = a.providers[0] // a login begun before the upgrade that named providers
	}
	if p == nil {
		http.Error(w, "login started at a provider that is no longer configured; start again at /auth/login", http.StatusBadRequest)
		return
	}
	// RFC 9207: a provider that names itself in the response must be the one the login went to, or
	// another provider is answering in its place (a mix-up attack).
	if iss := r.URL.Query().Get("iss"); iss != "" && iss != p.Issuer {
		a.log.WarnContext(ctx, "login response from another issuer", "provider", p.ID, "iss", iss)
		http.Error(w, "login failed: the response came from another identity provider", http.StatusBadRequest)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		http.Error(w, "the identity provider refused the login: "+e, http.StatusUnauthorized)
		return
	}
	token, err := a.oauth2Config(p).Exchange(p.clientContext(ctx), r.URL.Query().Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		a.log.WarnContext(ctx, "code exchange failed", "error", err)
		http.Error(w, "login failed: the identity provider did not accept the code", http.StatusUnauthorized)
		return
	}
	rawID, _ := token.Extra("id_token").(string)
	claims, err := a.verifyIDToken(ctx, p, rawID, st.Nonce)
	if err != nil {
		a.log.WarnContext(ctx, "ID token refused at login", "error", err)
		http.Error(w, "login failed: the ID token did not verify", http.StatusUnauthorized)
		return
	}
	user, err := a.users.SignIn(ctx, claims)
	if err != nil {
		a.log.ErrorContext(ctx, "sign-in failed", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	session := randomToken()
	expire := time.Now().Add(a.cfg.Sessions.TTL) // the browser's copy; the server ends it sooner when idle
	if err := a.users.CreateSession(ctx, user.UserID, hashToken(session), a.cfg.Sessions); err != nil {
		a.log.ErrorContext(ctx, "create session failed", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     a.sessionCookie(),
		Value:    session,
		Path:     "/",
		Expires:  expire,
		HttpOnly: true,
		Secure:   a.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, safeReturnTo(st.ReturnTo), http.StatusFound) // the cookie is the browser's to change
}

func (a *Authenticator) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(a.sessionCookie()); err == nil {
		if err := a.users.DeleteSession(r.Context(), hashToken(c.Value)); err != nil {
			a.log.ErrorContext(r.Context(), "delete session failed", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: a.sessionCookie(), Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

func readLoginState(r *http.Request, name string) (loginState, bool) {
	c, err := r.Cookie(name)
	if err != nil {
		return loginState{}, false
	}
	raw, err := url.QueryUnescape(c.Value)
	if err != nil {
		return loginState{}, false
	}
	var st loginState
	if json.Unmarshal([]byte(raw), &st) != nil || st.State == "" || st.Verifier == "" || st.Nonce == "" {
		return loginState{}, false
	}
	return st, true
}

// safeReturnTo keeps the post-login redirect on this site: s must parse as a URL reference with no
// scheme, host or user, whose path starts with one slash (not two: "//host" is another site), and
// it may hold no control character or backslash, raw or percent-decoded (browsers drop tabs and
// newlines from a Location and read a backslash as a slash, so "/<tab>/evil.example" would leave the
// site). What is
// returned is the reference re-serialised from its parts, not the text as given. Anything else is
// "/".
func safeReturnTo(s string) string {
	if s == "" || strings.ContainsFunc(s, unsafeInPath) {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsFunc(u.Path, unsafeInPath) {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

func unsafeInPath(r rune) bool {
	return r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f)
}
