// Package signin is the platform's built-in OpenID provider, for organisations that have none of their
// own: people sign in with a one-time code mailed to their address. It is a standards-compliant OpenID
// Connect provider (github.com/zitadel/oidc/v3/pkg/op implements the protocol and signs the tokens),
// served by the same binary at PUBLIC_URL/signin, and the platform signs in with it as with any other
// provider: by the authorization code flow with PKCE, checking the ID token it returns.
//
// What makes it fit for production rather than development (internal/devidp):
//   - all of its state is in PostgreSQL (keys, requests, codes, tokens), so every replica serves
//     every step of a sign-in, and a restart loses nothing;
//   - a code is 6 random digits, mailed through the outbox, stored only as an HMAC, valid for 10
//     minutes, good for one sign-in, and dead after 5 wrong tries;
//   - codes go only to addresses the platform knows (an invitation, an account, an organiser), and
//     the page says the same whether or not the address is known, so it reveals nobody;
//   - codes asked for and wrong codes are limited per address and per client address (so that
//     guessing across many codes for one address is bounded too, from any number of clients), and every
//     step is recorded in signin_events (kept as long as MIASTA_SIGNIN_EVENT_RETENTION says);
//   - a request is bound to the browser that opened it, so a sign-in link cannot be handed to
//     someone else to complete.
package signin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/opkit"
	"github.com/miasta-otwarte/miasta/internal/signin/signindb"
)

// Path is where the provider is served below the public URL; its issuer is PUBLIC_URL + Path.
const Path = "/signin"

// ProviderID is the provider's id in /auth/login?provider=ID.
const ProviderID = "email"

// ClientID is the platform's client id at its own provider.
const ClientID = "miasta"

const (
	requestTTL = 30 * time.Minute // from /authorize to the code's exchange
	codeTTL    = 10 * time.Minute // a mailed code
	loginPath  = "/login"
)

// Limits bound how often codes are asked for and tried; zero fields get the defaults in brackets.
//
// The limits per address count one client address's steps and all clients' apart: a stranger asking
// for someone's codes or guessing them from one place runs out of their own allowance, not the
// owner's, while the allowance of all clients together bounds mail to an address and guessing from
// many places. (A client address is an IPv6 /64 or an IPv4 address: see clientAddr.)
type Limits struct {
	CodesPerAddress    int           // codes asked for one address from one client address per Window [5]
	CodesPerAddressAll int           // codes asked for one address from all client addresses per Window [20]
	CodesPerClient     int           // codes asked for from one client address per Window [20]
	WrongPerCode       int           // wrong tries before a code is dead [5]
	WrongPerAddress    int           // wrong codes for one address from one client address per Window [10]
	WrongPerAddressAll int           // wrong codes for one address from all client addresses per Window [20]
	WrongPerClient     int           // wrong codes from one client address per Window [30]
	Window             time.Duration // [1h]
}

// Sender queues the mail carrying a code, in the transaction that records it (the outbox).
type Sender func(ctx context.Context, tx pgx.Tx, email, language, code string, expires time.Time) error

// Known says whether the platform knows an address: only known addresses are sent codes.
type Known func(ctx context.Context, email string) (bool, error)

// Config configures a Provider.
type Config struct {
	// PublicURL is the platform's public URL; the issuer is PublicURL + Path.
	PublicURL string
	// RedirectURL is the platform's /auth/callback, the one redirect URI of its client.
	RedirectURL string
	Known       Known
	Send        Sender
	Limits      Limits
	// TokenLifetime is how long ID and access tokens live [1h].
	TokenLifetime time.Duration
	Log           *slog.Logger
	// Now overrides the clock (tests).
	Now func() time.Time
}

// Provider is the built-in e-mail sign-in provider.
type Provider struct {
	issuer   string
	pool     *pgxpool.Pool
	q        *signindb.Queries
	known    Known
	send     Sender
	limits   Limits
	log      *slog.Logger
	now      func() time.Time
	tokenTTL time.Duration
	secure   bool
	key      *opkit.SigningKey
	codeKey  []byte
	client   *opkit.Client
	op       *op.Provider
	handler  http.Handler
}

// New loads the provider's keys from the database, making them when this is the first start.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Provider, error) {
	if cfg.PublicURL == "" || cfg.RedirectURL == "" || cfg.Known == nil || cfg.Send == nil {
		return nil, errors.New("signin: PublicURL, RedirectURL, Known and Send are required")
	}
	p := &Provider{
		issuer: strings.TrimSuffix(cfg.PublicURL, "/") + Path, pool: pool, q: signindb.New(),
		known: cfg.Known, send: cfg.Send, limits: cfg.Limits, log: cfg.Log, now: cfg.Now, tokenTTL: cfg.TokenLifetime,
		secure: strings.HasPrefix(cfg.PublicURL, "https://"),
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.tokenTTL <= 0 {
		p.tokenTTL = time.Hour
	}
	l := &p.limits
	for _, f := range []struct {
		v *int
		d int
	}{{&l.CodesPerAddress, 5}, {&l.CodesPerClient, 20}, {&l.WrongPerCode, 5}, {&l.WrongPerClient, 30}, {&l.WrongPerAddress, 10},
		{&l.CodesPerAddressAll, 20}, {&l.WrongPerAddressAll, 20}} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	if l.Window <= 0 {
		l.Window = time.Hour
	}
	keys, err := p.loadKeys(ctx)
	if err != nil {
		return nil, err
	}
	p.codeKey = keys.CodeKey
	p.client = &opkit.Client{
		ID: ClientID, Secret: keys.ClientSecret, Redirects: []string{cfg.RedirectURL},
		LoginPage: p.issuer + loginPath, IDTokenTTL: p.tokenTTL,
		// a plain-http redirect URI only when the platform itself is served over http (127.0.0.1)
		AllowHTTP: !strings.HasPrefix(cfg.RedirectURL, "https://"),
	}
	opConfig := &op.Config{
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedScopes:    []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile},
		SupportedClaims:    []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash", "c_hash", "amr", "email", "email_verified"},
		SupportedUILocales: supportedLocales,
	}
	copy(opConfig.CryptoKey[:], keys.CryptoKey)
	opConfig.CryptoKeyId = keys.KeyID
	var opts []op.Option
	if !strings.HasPrefix(p.issuer, "https://") {
		opts = append(opts, op.WithAllowInsecure()) // development and tests on 127.0.0.1 only
	}
	if p.op, err = op.NewProvider(opConfig, &storage{p: p, q: p.q}, op.StaticIssuer(p.issuer), opts...); err != nil {
		return nil, fmt.Errorf("signin: %w", err)
	}
	interceptor := op.NewIssuerInterceptor(p.op.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.Handle(loginPath, interceptor.Handler(http.HandlerFunc(p.serveLogin)))
	mux.Handle("/authorize/callback", p.boundCallback(p.op))
	mux.Handle("/", p.op)
	p.handler = http.StripPrefix(Path, mux)
	return p, nil
}

func (p *Provider) loadKeys(ctx context.Context) (signindb.SigninKey, error) {
	keys, err := p.q.GetKeys(ctx, p.pool)
	if err == nil {
		return keys, p.parseKey(keys)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return keys, err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return keys, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		return keys, err
	}
	crypto, code := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(crypto)
	_, _ = rand.Read(code)
	if err := p.q.InsertKeys(ctx, p.pool, signindb.InsertKeysParams{
		KeyID: rand.Text(), SigningKey: der, CryptoKey: crypto, CodeKey: code, ClientSecret: rand.Text(),
	}); err != nil {
		return keys, err
	}
	if keys, err = p.q.GetKeys(ctx, p.pool); err != nil { // another replica's, if it was first
		return keys, err
	}
	return keys, p.parseKey(keys)
}

func (p *Provider) parseKey(keys signindb.SigninKey) error {
	k, err := x509.ParsePKCS8PrivateKey(keys.SigningKey)
	if err != nil {
		return fmt.Errorf("signin: signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("signin: signing key is a %T, not RSA", k)
	}
	p.key = &opkit.SigningKey{KeyID: keys.KeyID, Private: rk}
	return nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// Handler serves the provider below Path: discovery, keys, authorize, token, userinfo, end_session
// and the sign-in pages. Mount it at Path + "/".
func (p *Provider) Handler() http.Handler { return p.handler }

// AuthProvider is the provider as the platform signs in with it: trusted for e-mail (a code mailed
// to the address is what verified it), reached in-process rather than over the network, so that
// neither a proxy in front nor the public name resolving elsewhere can keep the server from its own
// provider.
func (p *Provider) AuthProvider() auth.Provider {
	return auth.Provider{
		ID: ProviderID, Name: "e-mail", Names: providerNames, Issuer: p.issuer,
		ClientID: p.client.ID, ClientSecret: p.client.Secret, TrustEmail: true,
		HTTPClient: &http.Client{Transport: inProcess{p}, Timeout: 30 * time.Second},
	}
}

// providerNames are the chooser's names of the provider, by language.
var providerNames = map[string]string{
	"pl": "kod wysłany e-mailem", "en": "a code sent by e-mail", "uk": "код з електронної пошти",
	"es": "un código enviado por correo", "vi": "mã gửi qua e-mail",
}

// inProcess serves the platform's own requests to its provider (discovery, keys, token) from the
// handler directly.
type inProcess struct{ p *Provider }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.String(), t.p.issuer+"/") {
		return nil, fmt.Errorf("signin: %s is not the built-in provider's", r.URL.Redacted())
	}
	w := httptest.NewRecorder()
	r = r.Clone(r.Context())
	r.RequestURI = r.URL.RequestURI()
	t.p.handler.ServeHTTP(w, r)
	res := w.Result()
	res.Request = r
	return res, nil
}

// Sweep deletes expired requests and tokens, and events older than keep (0: events stay).
func (p *Provider) Sweep(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	return Sweep(ctx, p.pool, now, keep)
}

// Sweep is Provider.Sweep without a provider: the retention job runs it whether or not the
// provider is on (its rows outlive a switch to another provider).
func Sweep(ctx context.Context, db signindb.DBTX, now time.Time, keep time.Duration) (int64, error) {
	q := signindb.New()
	a, err := q.SweepRequests(ctx, db)
	if err != nil {
		return 0, err
	}
	b, err := q.SweepTokens(ctx, db)
	if err != nil {
		return a, err
	}
	var c int64
	if keep > 0 {
		if c, err = q.SweepEvents(ctx, db, now.Add(-keep)); err != nil {
			return a + b, err
		}
	}
	return a + b + c, nil
}

// newID returns a random identifier (base32: never a ':', which the opaque token format reserves).
func newID() string { return rand.Text() }
