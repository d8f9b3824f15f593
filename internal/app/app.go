// Package app wires the platform together from its configuration: the database pool, the OIDC
// authenticator, the domain services and the HTTP server. It is the one place where that happens, for
// `miasta serve`, `miasta dev` and the tests alike.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/miasta-otwarte/miasta/internal/attach"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/clientaddr"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/mail"
	"github.com/miasta-otwarte/miasta/internal/metrics"
	"github.com/miasta-otwarte/miasta/internal/past"
	"github.com/miasta-otwarte/miasta/internal/privacy"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/search"
	"github.com/miasta-otwarte/miasta/internal/server"
	"github.com/miasta-otwarte/miasta/internal/share"
	"github.com/miasta-otwarte/miasta/internal/signin"
	"github.com/miasta-otwarte/miasta/internal/tlsfiles"
	"github.com/miasta-otwarte/miasta/internal/translation"
	"github.com/miasta-otwarte/miasta/internal/witness"
	"github.com/miasta-otwarte/miasta/web"
)

// App is a wired platform ready to serve.
type App struct {
	Pool     *pgxpool.Pool
	Handler  http.Handler
	Editions *edition.Service
	Identity *identity.Store
	Reports  *report.Service
	Jury     *jury.Service
	Audit    *auditlog.Log
	Bundles  *auditlog.Bundles
	// Witnesses collects the configured witnesses' cosignatures of the log's checkpoints (nil: none).
	Witnesses *witness.Collector
	Mail      *mail.Service
	// Translations holds the reports' translations.
	Translations *translation.Service
	// Past holds the archive's past editions.
	Past *past.Service
	// Privacy erases and exports people's data and sweeps what is past its retention.
	Privacy *privacy.Service
	Metrics *metrics.Metrics
	// cert, when not nil, is the TLS certificate Serve serves with (from -tls-cert-file).
	cert *tlsfiles.Certificate
	// shutdownTracing flushes and stops the OTLP exporter, if tracing is on.
	shutdownTracing func(context.Context) error
	cfg             config.Config
	log             *slog.Logger
	// served and closeWait: once Serve has stopped, Close waits for the pool's connections to be
	// returned only for what is left of the shutdown timeout.
	served    bool
	closeWait time.Duration
}

// Options adjust New for tests.
type Options struct {
	// Now overrides the clock used to check token expiry.
	Now func() time.Time
	// Tracer, when set, receives the server's spans instead of the configured OTLP exporter.
	Tracer trace.TracerProvider
	// SMTPTLS, when set, replaces the TLS configuration used to reach the SMTP server.
	SMTPTLS *tls.Config
}

// New connects to the database (migrating it when configured), discovers the OpenID provider and
// builds the handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("no database: set DATABASE_URL or -database-url")
	}
	providers := cfg.Providers()
	emailSignIn := cfg.EmailSignInOn()
	switch {
	case emailSignIn && cfg.SMTPHost == "":
		if len(providers) == 0 {
			return nil, errors.New("no identity provider: set MIASTA_SMTP_HOST for the built-in e-mail sign-in, or OIDC_ISSUER and OIDC_CLIENT_ID, or MIASTA_OIDC_PROVIDERS")
		}
		return nil, errors.New("MIASTA_EMAIL_SIGNIN=on needs MIASTA_SMTP_HOST: the sign-in codes are mailed")
	case len(providers) == 0 && !emailSignIn:
		return nil, errors.New("no identity provider: MIASTA_EMAIL_SIGNIN is off; set OIDC_ISSUER and OIDC_CLIENT_ID, or MIASTA_OIDC_PROVIDERS")
	}
	if len(providers) > 0 {
		if err := auth.CheckProviders(providers); err != nil {
			return nil, fmt.Errorf("OIDC_ISSUER, MIASTA_OIDC_PROVIDERS: %w", err)
		}
	}
	cfg.Defaults()
	key, err := LoadAuditKey(cfg)
	if err != nil {
		return nil, err
	}
	var cert *tlsfiles.Certificate
	if cfg.TLSCertFile != "" {
		if cert, err = tlsfiles.Load(cfg.TLSCertFile, cfg.TLSKeyFile, log); err != nil {
			return nil, fmt.Errorf("-tls-cert-file, -tls-key-file: %w", err)
		}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, db.StatementTimeout(cfg.StatementTimeout), poolSize(cfg.DBMaxConns, cfg.DBAcquireTimeout))
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		if err := db.Migrate(ctx, pool, log); err != nil {
			pool.Close()
			return nil, err
		}
	}
	mailer, err := mail.NewService(pool, log, mail.Config{
		PublicURL: cfg.PublicURL,
		From:      cfg.MailFrom,
		SMTP: mail.SMTP{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: mail.TLSMode(cfg.SMTPTLS),
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, TLSConfig: opts.SMTPTLS,
		},
		PollInterval: cfg.MailPollInterval,
		RetryBase:    cfg.MailRetryBase,
		RetryMax:     cfg.MailRetryMax,
		MaxAttempts:  cfg.MailMaxAttempts,
		Reminders:    cfg.MailReminders,
	})
	if err != nil {
		pool.Close()
		return nil, err
	}
	users := identity.NewStore(pool, cfg.Organisers, log, mailer.InviteHook())
	personal := privacy.New(pool, log, privacy.Retention{MailBody: cfg.MailBodyRetention, DeliveryAttempts: cfg.MailAttemptRetention, ExpiredSessions: cfg.SessionRetention, SignInEvents: cfg.SignInEventRetention})
	var emailProvider *signin.Provider
	if emailSignIn {
		if emailProvider, err = signin.New(ctx, pool, signin.Config{
			PublicURL: cfg.PublicURL, RedirectURL: cfg.OIDCRedirectURL, Known: users.KnownAddress, Send: mailer.SignInCode,
			Log: log, Now: opts.Now,
		}); err != nil {
			pool.Close()
			return nil, err
		}
		if slices.ContainsFunc(providers, func(p auth.Provider) bool { return p.ID == signin.ProviderID }) {
			pool.Close()
			return nil, fmt.Errorf("MIASTA_OIDC_PROVIDERS: the id %q is the built-in e-mail sign-in's", signin.ProviderID)
		}
		providers = append(providers, emailProvider.AuthProvider())
	}
	authn, err := auth.NewAuthenticator(ctx, auth.Config{
		Providers:     providers,
		RedirectURL:   cfg.OIDCRedirectURL,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		Sessions:      auth.SessionLimits{TTL: cfg.SessionTTL, Idle: cfg.SessionIdleTimeout, PerUser: cfg.SessionsPerUser},
		MaxTokenAge:   cfg.MaxTokenAge,
		Now:           opts.Now,
	}, users, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	juryService := jury.NewService(pool, log)
	juryService.OnCast(mailer.ReceiptHook()) // every cast mails its receipt, at once
	translations := translation.NewService(pool, log)
	editions := edition.NewService(pool, log, report.StageHook, juryService.StageHook(), translations.StageHook(), mailer.StageHook())
	reports := report.NewService(pool, log, mailer.ReturnHook())
	search.LogDictionary(ctx, pool, log)
	pastEditions := past.NewService(pool, editions)
	auditLog := auditlog.New(pool, log, key)
	if cfg.AuditKeyFile != "" { // after a rotation, the replaced file's new key is taken up
		auditLog.ReloadWith(func() (auditlog.Key, error) { return LoadAuditKey(cfg) })
	}
	if err := auditLog.CheckKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	files, err := attach.Open(ctx, cfg.AttachmentsURL)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("-attachments-url: %w", err)
	}
	reports.SetAttachments(files)
	bundles, err := auditlog.NewBundles(auditLog, juryService, cfg.BundleDir, cfg.DownloadRate*1e6)
	if err != nil {
		pool.Close()
		return nil, err
	}
	peers, err := witness.ParsePeers(cfg.Witnesses, &http.Client{Timeout: 15 * time.Second})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("MIASTA_WITNESSES: %w", err)
	}
	var witnesses *witness.Collector
	if len(peers) > 0 {
		witnesses = witness.NewCollector(auditLog, peers, log)
	}
	shared := share.New(pool, juryService, cfg.PublicURL, log)
	m := metrics.New(pool, auditLog, log)
	clients, err := clientaddr.New(cfg.TrustedProxies, cfg.ProxyHeader)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("-trusted-proxies: %w", err)
	}
	tracer, shutdownTracing, err := tracing(ctx, cfg, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	handler := server.New(server.Deps{
		Pool: pool, Log: log, Authn: authn, Editions: editions, Identity: users, Reports: reports, Jury: juryService, Audit: auditLog, Bundles: bundles, Mail: mailer, Translations: translations, Search: search.NewService(pool), Past: pastEditions, Privacy: personal, Metrics: m, Tracer: tracer,
		Limits:     server.Limits{MaxRequestBytes: cfg.MaxRequestBytes, RPCTimeout: cfg.RPCTimeout, WriteRate: cfg.WriteRate, WriteBurst: cfg.WriteBurst},
		Share:      shared,
		ClientAddr: clients,
		SignIn:     signInHandler(emailProvider),
		Web:        web.Handler(web.Assets(), server.WebBoot(authn, users, log), web.WithPreviews(shared.Preview)),
	})
	return &App{Pool: pool, Handler: handler, Editions: editions, Identity: users, Reports: reports, Jury: juryService, Audit: auditLog, Bundles: bundles, Witnesses: witnesses, Mail: mailer, Translations: translations, Past: pastEditions, Privacy: personal, Metrics: m, cfg: cfg, log: log, shutdownTracing: shutdownTracing, cert: cert}, nil
}

// signInHandler is the built-in provider's handler, or nil when it is off.
func signInHandler(p *signin.Provider) http.Handler {
	if p == nil {
		return nil
	}
	return p.Handler()
}

// LoadAuditKey reads the audit log's signing key from the file or the environment the configuration
// names.
func LoadAuditKey(cfg config.Config) (auditlog.Key, error) {
	text := cfg.AuditKey
	if cfg.AuditKeyFile != "" {
		b, err := os.ReadFile(cfg.AuditKeyFile)
		if err != nil {
			return auditlog.Key{}, fmt.Errorf("audit key: %w", err)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return auditlog.Key{}, errors.New("no audit key: set MIASTA_AUDIT_KEY_FILE (or -audit-key-file) to a file `miasta audit keygen` wrote, or MIASTA_AUDIT_KEY to the key")
	}
	return auditlog.ParseKey(text)
}

// Close flushes traces and releases the database pool. After Serve it waits no longer than what is
// left of the shutdown timeout: a connection still held by work Serve left running is not waited for.
func (a *App) Close() {
	wait := 5 * time.Second
	if a.served {
		wait = max(a.closeWait, 100*time.Millisecond)
	}
	if a.shutdownTracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), min(wait, 5*time.Second))
		defer cancel()
		if err := a.shutdownTracing(ctx); err != nil {
			a.log.Warn("flushing traces", "error", err)
		}
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		a.Pool.Close()
	}()
	select {
	case <-closed:
	case <-time.After(wait):
		a.log.Warn("database connections still in use at exit")
	}
}

// tracing returns the tracer provider for the server's spans: the test's, an OTLP/HTTP exporter when
// configured, or nil (tracing off, the default).
func tracing(ctx context.Context, cfg config.Config, opts Options) (trace.TracerProvider, func(context.Context) error, error) {
	if opts.Tracer != nil {
		return opts.Tracer, nil, nil
	}
	if cfg.OTLPEndpoint == "" {
		return nil, nil, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.OTLPEndpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(resource.NewSchemaless(
		attribute.String("service.name", "miasta"),
	)))
	return tp, tp.Shutdown, nil
}

// Serve serves on ln until ctx is done, then lets in-flight requests finish within the configured
// shutdown timeout. HTTP/1.1 and HTTP/2 share the port, so Connect, gRPC and gRPC-Web clients all
// work: over TLS when a certificate is configured (HTTP/2 chosen by ALPN), else unencrypted (HTTP/2
// with prior knowledge, as gRPC clients and proxies speak it).
//
// Nothing runs before everything Serve needs is in hand: when the metrics listener cannot be opened it
// returns at once, having served nothing, integrated nothing and sent no mail. And the shutdown
// timeout bounds the whole stop: calls still running when it is nearly spent are cancelled (they
// answer Unavailable, so a client retries elsewhere) and their connections closed, and background
// work that has not stopped by then is abandoned (a mail being delivered may be sent again later:
// delivery is at least once).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	var mln net.Listener
	if a.cfg.MetricsAddr != "" {
		var err error
		if mln, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("metrics listener (MIASTA_METRICS_ADDR=%s; set it empty to turn metrics off): %w", a.cfg.MetricsAddr, err)
		}
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	protocols.SetHTTP2(true)
	// Calls run under handlerCtx, so that a stop whose time is up can cancel what is still running.
	handlerCtx, cancelHandlers := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelHandlers(nil)
	srv := &http.Server{
		Handler:           a.Handler,
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		// A request's body must arrive within the call deadline (server.New also sets it per request);
		// an idle keep-alive connection is closed after IdleTimeout.
		ReadTimeout: a.cfg.RPCTimeout + 10*time.Second,
		IdleTimeout: a.cfg.IdleTimeout,
		BaseContext: func(net.Listener) context.Context { return handlerCtx },
		ErrorLog:    slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if a.cert != nil {
		srv.TLSConfig = a.cert.Config()
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	var msrv *http.Server
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics.Handler())
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: a.cfg.IdleTimeout}
		go func() { _ = msrv.Serve(mln) }()
		defer msrv.Close()
		a.log.InfoContext(ctx, "serving metrics", "addr", mln.Addr().String())
	}
	// Every replica runs the integrator; the advisory lock lets one of them work at a time.
	integrating := make(chan struct{})
	go func() {
		defer close(integrating)
		a.Audit.Run(ctx, a.cfg.LogInterval)
	}()
	// Every replica offers the newest checkpoint to the witnesses; one that is behind is told the size
	// a witness has and sends the proof from there.
	witnessing := make(chan struct{})
	go func() {
		defer close(witnessing)
		if a.Witnesses != nil {
			a.Witnesses.Run(ctx, a.cfg.WitnessInterval)
		}
	}()
	// Likewise the reminders; every replica sends, each mail claimed by one of them at a time.
	mailing := make(chan struct{})
	go func() {
		defer close(mailing)
		a.Mail.Run(ctx)
	}()
	// Every replica sweeps what is past its retention: the statements are idempotent.
	sweeping := make(chan struct{})
	go func() {
		defer close(sweeping)
		a.Privacy.Run(ctx, a.cfg.RetentionInterval, time.Now)
	}()
	a.log.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "public_url", a.cfg.PublicURL, "tls", a.cert != nil)
	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	deadline := time.Now().Add(a.cfg.ShutdownTimeout)
	// The last part of the time is kept for cancelled calls to answer and for closing.
	grace := min(a.cfg.ShutdownTimeout/5, time.Second)
	shutdownCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline.Add(-grace))
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if err != nil {
		a.log.WarnContext(ctx, "calls still running at the shutdown timeout; cancelling them", "timeout", a.cfg.ShutdownTimeout)
		cancelHandlers(server.ErrShuttingDown)
		lastCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		if srv.Shutdown(lastCtx) != nil {
			_ = srv.Close()
		}
	}
	if msrv != nil {
		_ = msrv.Close()
	}
	for name, done := range map[string]chan struct{}{"audit log integration": integrating, "mail": mailing, "witnesses": witnessing, "retention sweep": sweeping} {
		select {
		case <-done:
		case <-time.After(time.Until(deadline)):
			a.log.WarnContext(ctx, "background work still running at the shutdown timeout; leaving it", "work", name)
		}
	}
	a.served, a.closeWait = true, time.Until(deadline)
	return serveErr
}
