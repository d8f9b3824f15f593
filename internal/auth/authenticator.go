package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
)

// Claims is what the platform takes from a verified ID token.
type Claims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Users is the store of accounts and sessions that turns verified identities into principals. The
// identity package implements it; it is an interface here so that auth does not depend on storage.
type Users interface {
	// SignIn records the identity provider's view of the user, binds pending invitations for a
	// verified e-mail and returns the principal.
	SignIn(ctx context.Context, c Claims) (*Principal, error)
	// SessionPrincipal returns the principal of a live session, or ErrNoSession.
	SessionPrincipal(ctx context.Context, tokenHash []byte) (*Principal, error)
	CreateSession(ctx context.Context, userID uuid.UUID, tokenHash []byte, expire time.Time) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// ErrNoSession is returned for an unknown or expired session.
var ErrNoSession = errors.New("no such session")

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "miasta_session"

// Config configures an Authenticator.
type Config struct {
	// Issuer is the OpenID provider's issuer URL; its discovery document is fetched at start.
	Issuer string
	// ClientID is this platform's client at the provider, and the audience ID tokens must carry.
	ClientID     string
	ClientSecret string
	// RedirectURL is this server's /auth/callback as the provider knows it.
	RedirectURL string
	// SecureCookies marks cookies Secure; on for any https deployment.
	SecureCookies bool
	// SessionTTL is how long a browser session lasts; 12h when zero.
	SessionTTL time.Duration
	// Now overrides the clock for token expiry checks (tests only).
	Now func() time.Time
}

// Authenticator verifies credentials and turns them into principals.
type Authenticator struct {
	cfg      Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	users    Users
	log      *slog.Logger
}

// NewAuthenticator discovers the provider at cfg.Issuer.
func NewAuthenticator(ctx context.Context, cfg Config, users Users, log *slog.Logger) (*Authenticator, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("OIDC issuer and client id are required")
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC discovery at %s: %w", cfg.Issuer, err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now})
	return &Authenticator{cfg: cfg, provider: provider, verifier: verifier, users: users, log: log}, nil
}

// errUnauthenticated is what a caller with bad credentials learns: no detail of why.
var errUnauthenticated = connect.NewError(connect.CodeUnauthenticated, errors.New("invalid or expired credentials"))

// Authenticate returns the principal for the request's credentials: a bearer ID token, else the
// session cookie. It returns nil and no error when there are none, and errUnauthenticated when the
// credentials do not verify.
func (a *Authenticator) Authenticate(ctx context.Context, header http.Header) (*Principal, error) {
	if authz := header.Get("Authorization"); authz != "" {
		scheme, token, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, errUnauthenticated
		}
		claims, err := a.verifyIDToken(ctx, token, "")
		if err != nil {
			a.log.InfoContext(ctx, "bearer token refused", "error", err)
			return nil, errUnauthenticated
		}
		return a.users.SignIn(ctx, claims)
	}
	if cookie, err := (&http.Request{Header: header}).Cookie(SessionCookie); err == nil {
		p, err := a.users.SessionPrincipal(ctx, hashToken(cookie.Value))
		if errors.Is(err, ErrNoSession) {
			return nil, errUnauthenticated
		}
		return p, err
	}
	return nil, nil
}

// verifyIDToken checks signature, issuer, audience and expiry and, when nonce is not empty, the nonce.
func (a *Authenticator) verifyIDToken(ctx context.Context, raw, nonce string) (Claims, error) {
	tok, err := a.verifier.Verify(ctx, raw)
	if err != nil {
		return Claims{}, err
	}
	if nonce != "" && tok.Nonce != nonce {
		return Claims{}, errors.New("nonce mismatch")
	}
	var claims json.RawMessage
	if err := tok.Claims(&claims); err != nil {
		return Claims{}, fmt.Errorf("token claims: %w", err)
	}
	return ParseClaims(tok.Issuer, tok.Subject, claims)
}

// ParseClaims reads the claims the platform uses from a verified token's JSON claims. The address is
// trimmed and lower-cased; email_verified counts only when it is true, as a JSON boolean or, as some
// providers send it, the string "true". A name or address that is not valid UTF-8 is refused.
func ParseClaims(issuer, subject string, raw []byte) (Claims, error) {
	var c struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Claims{}, fmt.Errorf("token claims: %w", err)
	}
	if !utf8.ValidString(c.Email) || !utf8.ValidString(c.Name) || len(c.Email) > 320 || len(c.Name) > 1000 {
		return Claims{}, errors.New("token claims: email or name is not plausible text")
	}
	verified := false
	switch strings.TrimSpace(string(c.EmailVerified)) {
	case "true", `"true"`:
		verified = true
	}
	return Claims{
		Issuer:        issuer,
		Subject:       subject,
		Email:         strings.ToLower(strings.TrimSpace(c.Email)),
		EmailVerified: verified,
		Name:          c.Name,
	}, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
