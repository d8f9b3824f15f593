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

	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

// Claims is what the platform takes from a verified ID token.
type Claims struct {
	Issuer  string
	Subject string
	Email   string
	// EmailVerified is true when the platform believes the address: the provider says it is
	// verified and the provider is trusted for e-mail (Provider.TrustEmail).
	EmailVerified bool
	Name          string
}

// Users is the store of accounts and sessions that turns verified identities into principals. The
// identity package implements it; it is an interface here so that auth does not depend on storage.
type Users interface {
	// SignIn records the identity provider's view of the user, binds pending invitations for a
	// verified e-mail and returns the principal.
	SignIn(ctx context.Context, c Claims) (*Principal, error)
	// SessionPrincipal returns the principal of a live session, or ErrNoSession, and counts the
	// call as a use of the session (its idle timeout starts again).
	SessionPrincipal(ctx context.Context, tokenHash []byte, l SessionLimits) (*Principal, error)
	// CreateSession starts a session; beyond l.PerUser sessions of the user the oldest end.
	CreateSession(ctx context.Context, userID uuid.UUID, tokenHash []byte, l SessionLimits) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// SessionLimits bound browser sessions.
type SessionLimits struct {
	TTL     time.Duration // how long a session lasts at most
	Idle    time.Duration // a session unused this long ends
	PerUser int           // sessions one user may hold at once; a new one ends the oldest
}

// ErrNoSession is returned for an unknown or expired session.
var ErrNoSession = errors.New("no such session")

// SessionCookie is the name of the browser session cookie over plain http. Over https the cookie is
// SecureSessionCookie: the __Host- prefix makes browsers accept it only when Secure, for this host
// alone and for every path, so a sibling subdomain or a plain-http page cannot plant one.
const (
	SessionCookie       = "miasta_session"
	SecureSessionCookie = "__Host-" + SessionCookie
)

// clockSkew is how far ahead of ours a provider's clock may run before its tokens' iat counts as in
// the future.
const clockSkew = time.Minute

// Provider is one OpenID provider people may sign in with. Accounts are bound to (issuer, subject),
// so two providers never share an account, whatever e-mail addresses they claim.
type Provider struct {
	// ID names the provider in /auth/login?provider=ID: letters, digits, '-' and '_'.
	ID string
	// Name is what the sign-in chooser shows ("Google", "Microsoft 365", "Keycloak of the city").
	Name string
	// Names, when set, are the chooser's names by language, for a provider whose name is words
	// ("a code sent by e-mail") rather than a brand; Name is the fallback.
	Names map[string]string
	// Issuer is the provider's issuer URL; its discovery document is fetched at start.
	Issuer string
	// ClientID is this platform's client at the provider, and the audience ID tokens must carry.
	ClientID     string
	ClientSecret string
	// TrustEmail marks the provider as one whose verified e-mail addresses the platform believes:
	// only then does an address it reports as verified bind invitations and name organisers. A
	// provider that lets its users claim any address must not be trusted.
	TrustEmail bool
	// EmailVerifiedClaim is the boolean claim that says the e-mail address is verified; empty means
	// the standard email_verified.
	EmailVerifiedClaim string
	// HTTPClient, when set, is how the provider is reached (discovery, keys, the code's exchange)
	// instead of http.DefaultClient: the built-in provider is reached in-process.
	HTTPClient *http.Client
}

// Config configures an Authenticator.
type Config struct {
	// Providers are the OpenID providers people may sign in with, at least one, in the order the
	// sign-in chooser lists them; their issuers and IDs are distinct.
	Providers []Provider
	// RedirectURL is this server's /auth/callback as the providers know it (one for all: the login
	// cookie says which provider a callback belongs to).
	RedirectURL string
	// SecureCookies marks cookies Secure; on for any https deployment.
	SecureCookies bool
	// Sessions bounds browser sessions; zero fields get 12h, 2h and 10.
	Sessions SessionLimits
	// MaxTokenAge refuses ID tokens issued longer ago, or valid for longer, than this; 24h when zero.
	MaxTokenAge time.Duration
	// Now overrides the clock for token expiry checks (tests only).
	Now func() time.Time
}

// provider is a configured Provider with its discovered endpoints and token verifier.
type provider struct {
	Provider
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// Authenticator verifies credentials and turns them into principals.
type Authenticator struct {
	cfg       Config
	providers []*provider
	byIssuer  map[string]*provider
	byID      map[string]*provider
	users     Users
	log       *slog.Logger
}

// CheckProviders reports the first provider that is incomplete, or whose ID or issuer another one
// has too.
func CheckProviders(ps []Provider) error {
	if len(ps) == 0 {
		return errors.New("no OpenID provider is configured")
	}
	ids, issuers := map[string]bool{}, map[string]bool{}
	for i, p := range ps {
		switch {
		case p.ID == "" || strings.ContainsFunc(p.ID, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}):
			return fmt.Errorf("provider %d: id %q must be letters, digits, - and _", i+1, p.ID)
		case p.Issuer == "" || p.ClientID == "":
			return fmt.Errorf("provider %q: issuer and client_id are required", p.ID)
		case ids[p.ID]:
			return fmt.Errorf("provider %q: another provider has the same id", p.ID)
		case issuers[p.Issuer]:
			return fmt.Errorf("provider %q: another provider has the same issuer %s", p.ID, p.Issuer)
		}
		ids[p.ID], issuers[p.Issuer] = true, true
	}
	return nil
}

// NewAuthenticator discovers every provider in cfg.Providers.
func NewAuthenticator(ctx context.Context, cfg Config, users Users, log *slog.Logger) (*Authenticator, error) {
	if err := CheckProviders(cfg.Providers); err != nil {
		return nil, err
	}
	if cfg.Sessions.TTL <= 0 {
		cfg.Sessions.TTL = 12 * time.Hour
	}
	if cfg.Sessions.Idle <= 0 {
		cfg.Sessions.Idle = 2 * time.Hour
	}
	if cfg.Sessions.PerUser <= 0 {
		cfg.Sessions.PerUser = 10
	}
	if cfg.MaxTokenAge <= 0 {
		cfg.MaxTokenAge = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Authenticator{cfg: cfg, byIssuer: map[string]*provider{}, byID: map[string]*provider{}, users: users, log: log}
	for _, p := range cfg.Providers {
		op, err := oidc.NewProvider(p.clientContext(ctx), p.Issuer)
		if err != nil {
			return nil, fmt.Errorf("OIDC discovery of provider %q at %s: %w", p.ID, p.Issuer, err)
		}
		if p.Name == "" {
			p.Name = p.ID
		}
		pp := &provider{Provider: p, oidc: op, verifier: op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: cfg.Now})}
		a.providers = append(a.providers, pp)
		a.byIssuer[p.Issuer], a.byID[p.ID] = pp, pp
	}
	return a, nil
}

// clientContext makes ctx carry the provider's HTTP client, when it has one, for go-oidc and oauth2.
func (p Provider) clientContext(ctx context.Context) context.Context {
	if p.HTTPClient == nil {
		return ctx
	}
	return oidc.ClientContext(ctx, p.HTTPClient)
}

// errUnauthenticated is what a caller with bad credentials learns: no detail of why. A new error each
// time: the access log sets the call's request id in its metadata, which a shared error would carry
// to every other call (and race on).
func errUnauthenticated() error {
	return connect.NewError(connect.CodeUnauthenticated, errors.New("invalid or expired credentials"))
}

// Authenticate returns the principal for the request's credentials: a bearer ID token, else the
// session cookie. It returns nil and no error when there are none, and errUnauthenticated when the
// credentials do not verify.
func (a *Authenticator) Authenticate(ctx context.Context, header http.Header) (*Principal, error) {
	if authz := header.Get("Authorization"); authz != "" {
		scheme, token, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, errUnauthenticated()
		}
		p, err := a.tokenProvider(token)
		if err != nil {
			a.log.InfoContext(ctx, "bearer token refused", "error", err)
			return nil, errUnauthenticated()
		}
		claims, err := a.verifyIDToken(ctx, p, token, "")
		if err != nil {
			a.log.InfoContext(ctx, "bearer token refused", "error", err)
			return nil, errUnauthenticated()
		}
		return a.users.SignIn(ctx, claims)
	}
	if cookie, err := (&http.Request{Header: header}).Cookie(a.sessionCookie()); err == nil {
		p, err := a.users.SessionPrincipal(ctx, hashToken(cookie.Value), a.cfg.Sessions)
		if errors.Is(err, ErrNoSession) {
			return nil, errUnauthenticated()
		}
		return p, err
	}
	return nil, nil
}

// sessionCookie is the session cookie's name: __Host- prefixed over https.
func (a *Authenticator) sessionCookie() string {
	if a.cfg.SecureCookies {
		return SecureSessionCookie
	}
	return SessionCookie
}

// tokenProvider returns the configured provider that a JWT says issued it. The claim is read
// unverified, only to choose the key set; verifyIDToken then checks the signature with that
// provider's keys and the issuer again.
func (a *Authenticator) tokenProvider(raw string) (*provider, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a signed JWT")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("the token's payload is not base64url")
	}
	var iss struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(body, &iss); err != nil {
		return nil, errors.New("the token's payload is not JSON")
	}
	p, ok := a.byIssuer[iss.Issuer]
	if !ok {
		return nil, fmt.Errorf("the token's issuer %q is not a configured provider", iss.Issuer)
	}
	return p, nil
}

// verifyIDToken checks signature, issuer, audience and expiry (go-oidc), then what go-oidc leaves to
// the relying party: a subject, the authorized party when the token names several audiences (OIDC
// Core 3.1.3.7), an issue time that is not in the future, and an age and lifetime within
// MaxTokenAge; and, when nonce is not empty, the nonce.
func (a *Authenticator) verifyIDToken(ctx context.Context, p *provider, raw, nonce string) (Claims, error) {
	tok, err := p.verifier.Verify(ctx, raw)
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
	var azp struct {
		AuthorizedParty string `json:"azp"`
	}
	if err := json.Unmarshal(claims, &azp); err != nil {
		return Claims{}, fmt.Errorf("token claims: %w", err)
	}
	if err := a.checkToken(p.ClientID, tok.Subject, tok.Audience, azp.AuthorizedParty, tok.IssuedAt, tok.Expiry); err != nil {
		return Claims{}, err
	}
	c, err := ParseClaimsWith(tok.Issuer, tok.Subject, claims, p.EmailVerifiedClaim)
	if err != nil {
		return Claims{}, err
	}
	// A provider not trusted for e-mail may say what it likes: its addresses count as unverified,
	// so they bind no invitation and name no organiser.
	c.EmailVerified = c.EmailVerified && p.TrustEmail
	return c, nil
}

// checkToken applies the rules of verifyIDToken that go-oidc does not.
func (a *Authenticator) checkToken(clientID, subject string, audience []string, azp string, issued, expiry time.Time) error {
	now := a.cfg.Now()
	switch {
	case strings.TrimSpace(subject) == "":
		return errors.New("the token has no subject")
	case len(audience) > 1 && azp == "":
		return errors.New("the token has several audiences and no authorized party (azp)")
	case azp != "" && azp != clientID:
		return fmt.Errorf("the token was issued to %q, not to us", azp)
	case issued.IsZero():
		return errors.New("the token has no issue time (iat)")
	case issued.After(now.Add(clockSkew)):
		return fmt.Errorf("the token is issued in the future (%s)", issued.UTC().Format(time.RFC3339))
	case now.Sub(issued) > a.cfg.MaxTokenAge:
		return fmt.Errorf("the token was issued %s ago, more than the %s allowed", now.Sub(issued).Round(time.Second), a.cfg.MaxTokenAge)
	case expiry.Sub(issued) > a.cfg.MaxTokenAge:
		return fmt.Errorf("the token is valid for %s, more than the %s allowed", expiry.Sub(issued).Round(time.Second), a.cfg.MaxTokenAge)
	}
	return nil
}

// ParseClaims reads the claims the platform uses from a verified token's JSON claims. The address is
// trimmed and lower-cased; email_verified counts only when it is true, as a JSON boolean or, as some
// providers send it, the string "true". A name or address that is not valid UTF-8 is refused, and so
// is an address holding a control character; in a name they become spaces (plaintext.OneLine), so an
// odd name at the provider does not lock its owner out.
func ParseClaims(issuer, subject string, raw []byte) (Claims, error) {
	return ParseClaimsWith(issuer, subject, raw, "")
}

// ParseClaimsWith is ParseClaims reading the e-mail's verification from verifiedClaim (email_verified
// when empty).
func ParseClaimsWith(issuer, subject string, raw []byte, verifiedClaim string) (Claims, error) {
	var c struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Claims{}, fmt.Errorf("token claims: %w", err)
	}
	if verifiedClaim != "" && verifiedClaim != "email_verified" {
		var all map[string]json.RawMessage
		if err := json.Unmarshal(raw, &all); err != nil {
			return Claims{}, fmt.Errorf("token claims: %w", err)
		}
		c.EmailVerified = all[verifiedClaim]
	}
	if !utf8.ValidString(c.Email) || !utf8.ValidString(c.Name) || len(c.Email) > 320 || len(c.Name) > 1000 ||
		plaintext.Check(strings.TrimSpace(c.Email), false) != nil {
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
		Name:          plaintext.OneLine(c.Name),
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
