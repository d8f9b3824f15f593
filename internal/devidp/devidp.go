// Package devidp is a real, in-process OpenID Connect provider for `miasta dev` and integration tests.
//
// It is built on github.com/zitadel/oidc/v3/pkg/op, which implements the protocol and signs every token;
// this package only supplies in-memory storage, demo users, registered clients and a one-click login page.
// It is meant for 127.0.0.1 and never for production: it allows a plain-http issuer and has no passwords.
package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/miasta-otwarte/miasta/internal/opkit"
)

const (
	loginPath     = "/login"
	loggedOutPath = "/logged-out"
)

// User is a demo account the provider can log in. Subject must be non-empty and must not contain ':'
// (the library's opaque access tokens encode "tokenID:subject").
type User struct {
	Subject       string // stable "sub"
	Email         string
	EmailVerified bool
	Name          string
}

// Client is a registered relying party: a confidential client that uses the authorization code flow.
type Client struct {
	ID           string
	Secret       string   // confidential client, client_secret_basic and client_secret_post
	RedirectURIs []string // exact match; http://127.0.0.1 URIs must be allowed (dev mode)
}

// Config configures a Provider; Issuer is required, everything else may be empty.
type Config struct {
	Issuer          string        // e.g. "http://127.0.0.1:5556"; the handler serves at the root of this URL
	Users           []User        // demo accounts offered on the login page; more can be added with AddUser
	Clients         []Client      // relying parties allowed to use the provider
	IDTokenLifetime time.Duration // default 1h when zero; also the lifetime of access tokens
	Logger          *slog.Logger  // nil = discard; the op library itself logs to slog.Default()
}

// Provider is an OpenID Connect provider serving one issuer from memory. Its state (users, auth requests,
// codes, access tokens, signing key) lives only as long as the value.
type Provider struct {
	issuer  string
	log     *slog.Logger
	store   *storage
	op      *op.Provider
	handler http.Handler
}

// New creates a provider for cfg.Issuer with a fresh RS256 signing key and a fresh token encryption key,
// so tokens never survive a restart. It does not listen; serve Handler() at the issuer URL.
func New(cfg Config) (*Provider, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("devidp: Config.Issuer is required")
	}
	issuer := cfg.Issuer
	base := strings.TrimSuffix(issuer, "/") // for building URLs below the issuer
	if _, err := url.Parse(issuer); err != nil {
		return nil, fmt.Errorf("devidp: issuer: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ttl := cfg.IDTokenLifetime
	if ttl <= 0 {
		ttl = time.Hour
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: signing key: %w", err)
	}
	store := newStorage(&opkit.SigningKey{KeyID: rand.Text(), Private: rsaKey}, ttl)

	for _, u := range cfg.Users {
		if err := validateUser(u); err != nil {
			return nil, err
		}
		store.putUser(u)
	}
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" {
			return nil, fmt.Errorf("devidp: client %q needs an ID and a secret", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("devidp: client %q has no redirect URIs", c.ID)
		}
		if _, dup := store.clients[c.ID]; dup {
			return nil, fmt.Errorf("devidp: client %q registered twice", c.ID)
		}
		redirects := append([]string(nil), c.RedirectURIs...)
		store.clients[c.ID] = &opkit.Client{
			ID: c.ID, Secret: c.Secret, Redirects: redirects,
			PostLogoutURIs: redirects, // development convenience: back to any redirect URI after logout
			LoginPage:      base + loginPath, IDTokenTTL: ttl,
			AllowHTTP: true, // http://127.0.0.1:port/callback
		}
	}

	opConfig := &op.Config{
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		DefaultLogoutRedirectURI: base + loggedOutPath,
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile},
		SupportedClaims: []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash", "c_hash",
			"email", "email_verified", "name",
		},
	}
	if _, err := rand.Read(opConfig.CryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: crypto key: %w", err)
	}
	opConfig.CryptoKeyId = rand.Text()

	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}

	p := &Provider{issuer: issuer, log: logger, store: store, op: provider}
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.Handle(loginPath, interceptor.Handler(http.HandlerFunc(p.serveLogin)))
	mux.HandleFunc(loggedOutPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Signed out of the development identity provider.\n")
	})
	mux.Handle("/", provider)
	p.handler = mux
	return p, nil
}

// Handler serves discovery, jwks, authorize, token, userinfo, end_session and the login page. Mount it at
// the root of the issuer URL (strip the issuer's path, if it has one).
func (p *Provider) Handler() http.Handler { return p.handler }

// AddUser registers a demo user, or replaces the one with the same Subject; safe to call while serving.
// It panics on an empty Subject or one containing ':', which the provider cannot represent.
func (p *Provider) AddUser(u User) {
	if err := validateUser(u); err != nil {
		panic(err)
	}
	p.store.putUser(u)
}

func validateUser(u User) error {
	if u.Subject == "" {
		return errors.New("devidp: user Subject is required")
	}
	if strings.Contains(u.Subject, ":") {
		return fmt.Errorf("devidp: user Subject %q must not contain ':'", u.Subject)
	}
	return nil
}
