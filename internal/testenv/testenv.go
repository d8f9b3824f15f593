// Package testenv starts the real thing for tests: a fresh migrated database, a real OpenID provider
// (devidp, on 127.0.0.1) and the server wired by app.New serving Connect, gRPC and gRPC-Web over
// HTTP/1.1 and h2c, with clients for each protocol.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// ClientID and ClientSecret register the server at the test provider.
const (
	ClientID     = "miasta-test"
	ClientSecret = "test-secret"
	// OtherClientID is another relying party at the same provider: its tokens are not for us.
	OtherClientID = "other-client"
)

// Env is a running platform.
type Env struct {
	URL    string // the server's base URL
	IdP    *devidp.Provider
	Issuer string
	App    *app.App
	Config config.Config
}

// Options adjust Start.
type Options struct {
	// Now overrides the server's clock for token expiry.
	Now func() time.Time
	// Configure adjusts the server's configuration before it starts (limits, say).
	Configure func(*config.Config)
	// Tracer, when set, receives the server's spans.
	Tracer trace.TracerProvider
	// DatabaseURL, when set, is a migrated database to use instead of a fresh one on the shared server.
	DatabaseURL string
	// Log, when set, receives the server's JSON logs at info level (otherwise warnings go to the test log).
	Log io.Writer
}

// Subject is the stable "sub" the test provider gives an e-mail.
func Subject(email string) string { return demo.Subject(email) }

// Start runs a provider and a server for the test; both stop when it ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	serverLn := listen(t)
	idpLn := listen(t)
	env := &Env{URL: "http://" + serverLn.Addr().String(), Issuer: "http://" + idpLn.Addr().String()}

	users := make([]devidp.User, 0, len(demo.People))
	for _, p := range demo.People {
		users = append(users, devidp.User{Subject: Subject(p.Email), Email: p.Email, EmailVerified: true, Name: p.Name})
	}
	idp, err := devidp.New(devidp.Config{
		Issuer: env.Issuer,
		Users:  users,
		Clients: []devidp.Client{
			{ID: ClientID, Secret: ClientSecret, RedirectURIs: []string{env.URL + "/auth/callback"}},
			{ID: OtherClientID, Secret: ClientSecret, RedirectURIs: []string{env.URL + "/other/callback"}},
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("devidp: %v", err)
	}
	env.IdP = idp
	idpSrv := &http.Server{Handler: idp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = idpSrv.Serve(idpLn) }()

	env.Config = config.Config{
		Addr:             serverLn.Addr().String(),
		DatabaseURL:      opts.DatabaseURL,
		PublicURL:        env.URL,
		OIDCIssuer:       env.Issuer,
		OIDCClientID:     ClientID,
		OIDCClientSecret: ClientSecret,
		OIDCTrustEmail:   true,
		OIDCRedirectURL:  env.URL + "/auth/callback",
		Organisers:       []string{demo.OrganiserEmail},
		LogInterval:      100 * time.Millisecond,
		AuditKey:         string(testKey().File()),
		BundleDir:        t.TempDir(),
		AttachmentsURL:   "file://" + t.TempDir(),
		// Longer than the 5 s after which net/http gives up on connections a client opened but never
		// used, so that a test making many concurrent calls still shuts down cleanly.
		ShutdownTimeout: 10 * time.Second,
	}
	if env.Config.DatabaseURL == "" {
		env.Config.DatabaseURL = dbtest.NewURL(t)
	}
	if opts.Configure != nil {
		opts.Configure(&env.Config)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if opts.Log != nil {
		log = slog.New(slog.NewJSONHandler(opts.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	a, err := app.New(ctx, env.Config, log, app.Options{Now: opts.Now, Tracer: opts.Tracer})
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	env.App = a
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, serverLn) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
		_ = idpSrv.Close()
	})
	return env
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Token signs email in at the provider through the full code flow and returns its ID token.
func (e *Env) Token(t testing.TB, email string) string {
	t.Helper()
	tok, err := e.IdP.Login(context.Background(), ClientID, ClientSecret, e.URL+"/auth/callback", Subject(email))
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatalf("login %s: no id_token", email)
	}
	return raw
}

// Protocol is a wire protocol the server speaks.
type Protocol string

// The protocols every RPC is tested over.
const (
	Connect Protocol = "connect"
	GRPC    Protocol = "grpc"
)

// Protocols lists them, for table tests.
var Protocols = []Protocol{Connect, GRPC}

// Clients are API clients for one caller over one protocol.
type Clients struct {
	Editions miastav1connect.EditionServiceClient
	Identity miastav1connect.IdentityServiceClient
	Reports  miastav1connect.ReportServiceClient
	Jury     miastav1connect.JuryServiceClient
	Results  miastav1connect.ResultsServiceClient
	Audit    miastav1connect.AuditServiceClient
	Mail     miastav1connect.MailServiceClient
	// Translations is TranslationService's client.
	Translations miastav1connect.TranslationServiceClient
	// Search is SearchService's client.
	Search miastav1connect.SearchServiceClient
	// Privacy is PrivacyService's client.
	Privacy miastav1connect.PrivacyServiceClient
}

// HTTPClient returns the HTTP client and Connect options for calls over p as the bearer of token
// (anonymous when empty). Connect goes over HTTP/1.1, gRPC over HTTP/2 without TLS (h2c).
func (e *Env) HTTPClient(p Protocol, token string) (*http.Client, []connect.ClientOption) {
	httpClient := &http.Client{Timeout: 30 * time.Second}
	opts := []connect.ClientOption{connect.WithInterceptors(bearer(token))}
	if p == GRPC {
		protocols := new(http.Protocols)
		protocols.SetUnencryptedHTTP2(true)
		httpClient.Transport = &http.Transport{Protocols: protocols}
		opts = append(opts, connect.WithGRPC())
	}
	return httpClient, opts
}

// Clients returns API clients over p as the bearer of token (anonymous when empty).
func (e *Env) Clients(p Protocol, token string) Clients {
	httpClient, opts := e.HTTPClient(p, token)
	return NewClients(httpClient, e.URL, opts...)
}

// NewClients returns API clients of the server at base over httpClient: a browser's, say, whose
// session cookie signs the calls in.
func NewClients(httpClient connect.HTTPClient, base string, opts ...connect.ClientOption) Clients {
	return Clients{
		Editions: miastav1connect.NewEditionServiceClient(httpClient, base, opts...),
		Identity: miastav1connect.NewIdentityServiceClient(httpClient, base, opts...),
		Reports:  miastav1connect.NewReportServiceClient(httpClient, base, opts...),
		Jury:     miastav1connect.NewJuryServiceClient(httpClient, base, opts...),
		Results:  miastav1connect.NewResultsServiceClient(httpClient, base, opts...),
		Audit:    miastav1connect.NewAuditServiceClient(httpClient, base, opts...),
		Mail:     miastav1connect.NewMailServiceClient(httpClient, base, opts...),

		Translations: miastav1connect.NewTranslationServiceClient(httpClient, base, opts...),
		Search:       miastav1connect.NewSearchServiceClient(httpClient, base, opts...),
		Privacy:      miastav1connect.NewPrivacyServiceClient(httpClient, base, opts...),
	}
}

// bearer adds an Authorization header to every request.
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if b != "" {
			req.Header().Set("Authorization", "Bearer "+string(b))
		}
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if b != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		}
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// Code returns err's Connect code, or 0 for nil.
func Code(err error) connect.Code {
	if err == nil {
		return 0
	}
	return connect.CodeOf(err)
}

// Field returns the request field an error names, from its BadRequest detail (which domain errors
// and request validation errors alike carry, as the web app reads it); "" when there is none.
func Field(err error) string {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return ""
	}
	for _, d := range ce.Details() {
		v, err := d.Value()
		if err != nil {
			continue
		}
		switch v := v.(type) {
		case *errdetails.BadRequest:
			for _, f := range v.GetFieldViolations() {
				return f.GetField()
			}
		}
	}
	return ""
}

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Bundle exports the audit bundle of the edition of year as `miasta audit export` does, once every
// event committed so far is in the log.
func (e *Env) Bundle(t testing.TB, year int32) []byte {
	t.Helper()
	ctx := context.Background()
	if err := e.App.Audit.Sync(ctx); err != nil {
		t.Fatalf("audit log sync: %v", err)
	}
	var buf bytes.Buffer
	if err := e.App.Audit.Export(ctx, e.App.Jury, year, &buf); err != nil {
		t.Fatalf("export the bundle of %d: %v", year, err)
	}
	return buf.Bytes()
}

// testKey is the audit key of every test server (tests that need another set AuditKey or
// AuditKeyFile in Configure): one per process, so that replicas of one database agree.
var testKey = sync.OnceValue(func() auditlog.Key {
	k, err := auditlog.NewKey()
	if err != nil {
		panic(err)
	}
	return k
})

// AuditKeyFile writes the server's audit key to a file readable by its owner only, as `miasta audit
// keygen` does, for a `miasta serve` process that shares the test server's database.
func (e *Env) AuditKeyFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(path, []byte(e.Config.AuditKey), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Verify exports the edition's bundle and verifies it with the server's key, as an outside checker
// does; it fails the test when a check fails and returns the summary.
func (e *Env) Verify(t testing.TB, year int32) *verify.Summary {
	t.Helper()
	b := e.Bundle(t, year)
	key, err := e.App.Audit.LogKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := verify.Verify(b, verify.Options{Key: key})
	if err != nil {
		t.Fatalf("the bundle of %d does not verify: %v", year, err)
	}
	return s
}
