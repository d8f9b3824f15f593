// Package config holds the server's settings. Every setting is a flag whose default comes from an
// environment variable, so that the README's table is the whole story.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/clientaddr"
	"github.com/miasta-otwarte/miasta/internal/mail"
)

// Config is the server's configuration.
type Config struct {
	Addr             string
	DatabaseURL      string
	Migrate          bool
	PublicURL        string
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string
	// OIDCName is the single provider's name on the sign-in chooser; OIDCTrustEmail marks it as
	// trusted for e-mail (auth.Provider.TrustEmail), as it always was before there could be several.
	OIDCName       string
	OIDCTrustEmail bool
	// OIDCProviders are further providers (MIASTA_OIDC_PROVIDERS), after the single one when it is set.
	OIDCProviders []auth.Provider
	// AuditKeyFile names the file holding the checkpoint signing key; AuditKey is the key itself (from
	// the environment). Exactly one is needed to serve; neither is ever stored or logged.
	AuditKeyFile string
	AuditKey     string
	// BundleDir holds the audit bundles built for downloads, one per edition and checkpoint.
	BundleDir string
	// AttachmentsURL is the blob store of the files experts attach to practices (internal/attach):
	// file:///dir or s3://bucket?….
	AttachmentsURL string
	// DownloadRate bounds the bytes per second all bundle downloads of a server send together (0: no
	// bound), so that anonymous downloads leave the processors to signed-in calls.
	DownloadRate     float64
	Organisers       []string
	LogLevel         slog.Level
	LogFormat        string
	ShutdownTimeout  time.Duration
	LogInterval      time.Duration
	MaxRequestBytes  int
	RPCTimeout       time.Duration
	StatementTimeout time.Duration
	WriteRate        float64
	WriteBurst       int
	MetricsAddr      string
	OTLPEndpoint     string
	// TLSCertFile and TLSKeyFile, when set, make the server speak TLS (HTTP/2 and HTTP/1.1) with the
	// certificate chain and key in these PEM files, read again whenever either file changes.
	TLSCertFile string
	TLSKeyFile  string
	// TrustedProxies are the reverse proxies whose ProxyHeader (X-Forwarded-For or Forwarded) names
	// the client; from any other peer the header is ignored (package clientaddr).
	TrustedProxies []netip.Prefix
	ProxyHeader    string
	// IdleTimeout closes keep-alive connections that carry no request for this long.
	IdleTimeout time.Duration
	// DBMaxConns sizes the database pool; DBAcquireTimeout bounds a call's wait for a free connection.
	DBMaxConns       int
	DBAcquireTimeout time.Duration
	// MaxTokenAge refuses ID tokens issued longer ago, or valid for longer, than this.
	MaxTokenAge time.Duration
	// Browser sessions: their absolute lifetime, how long one may go unused, and how many one user may
	// hold at once (the oldest are ended beyond it).
	SessionTTL         time.Duration
	SessionIdleTimeout time.Duration
	SessionsPerUser    int
	// Mail: where to deliver and how often to try; see internal/mail.
	SMTPHost         string
	SMTPPort         int
	SMTPTLS          string
	SMTPUsername     string
	SMTPPassword     string
	MailFrom         string
	MailPollInterval time.Duration
	MailRetryBase    time.Duration
	MailRetryMax     time.Duration
	MailMaxAttempts  int
	MailReminders    []mail.Offset
	// Witnesses: "URL=KEY" entries of the independent witnesses each new checkpoint is sent to for
	// cosigning (package witness), and how often they are offered the newest.
	Witnesses       string
	WitnessInterval time.Duration
	// Retention of personal data that serves only a while (package privacy; zero keeps it forever),
	// and how often the sweep that enforces it runs.
	MailBodyRetention    time.Duration
	MailAttemptRetention time.Duration
	SessionRetention     time.Duration
	SignInEventRetention time.Duration
	RetentionInterval    time.Duration
	// EmailSignIn is MIASTA_EMAIL_SIGNIN: on, off or auto (on when no other provider is configured).
	EmailSignIn string
}

// Setting documents one configuration entry: its flag, its environment variable and its default.
type Setting struct {
	Flag, Env, Default, Usage string
}

// Settings lists every setting; README's configuration table is generated from the same words.
var Settings = []Setting{
	{"addr", "MIASTA_ADDR", "127.0.0.1:8080", "host:port to serve the API, the login endpoints and health on"},
	{"database-url", "DATABASE_URL", "", "PostgreSQL URL (required for serve and migrate; dev starts a local one when empty)"},
	{"tls-cert-file", "MIASTA_TLS_CERT_FILE", "", "PEM file of the TLS certificate chain: serve HTTPS (HTTP/2 and HTTP/1.1) instead of plain HTTP; read again when it changes (with -tls-key-file)"},
	{"tls-key-file", "MIASTA_TLS_KEY_FILE", "", "PEM file of the TLS certificate's private key (with -tls-cert-file)"},
	{"trusted-proxies", "MIASTA_TRUSTED_PROXIES", "", "comma-separated CIDR prefixes or addresses of the reverse proxies in front of the server, whose -proxy-header names the client (empty: the connection's peer is the client)"},
	{"proxy-header", "MIASTA_PROXY_HEADER", "X-Forwarded-For", "the header the trusted proxies record the client in: X-Forwarded-For or Forwarded (RFC 7239)"},
	{"migrate", "MIASTA_MIGRATE", "false", "apply pending migrations at start"},
	{"public-url", "MIASTA_PUBLIC_URL", "", "the URL users reach this server at (default http://ADDR)"},
	{"oidc-issuer", "OIDC_ISSUER", "", "OpenID provider issuer URL (required for serve)"},
	{"oidc-client-id", "OIDC_CLIENT_ID", "", "client id at the provider; ID tokens must carry it as audience (required for serve)"},
	{"oidc-client-secret", "OIDC_CLIENT_SECRET", "", "client secret for the browser login code exchange"},
	{"oidc-name", "OIDC_NAME", "", "the OIDC_ISSUER provider's name on the sign-in page when there are several providers (default the issuer's host name)"},
	{"oidc-trust-email", "OIDC_TRUST_EMAIL", "true", "whether the OIDC_ISSUER provider is trusted for e-mail: only then does an address it marks email_verified bind invitations and name organisers"},
	{"email-signin", "MIASTA_EMAIL_SIGNIN", "auto", "the built-in e-mail sign-in, an OpenID provider at PUBLIC_URL/signin that mails a one-time code to invited and known addresses (needs -smtp-host): on, off, or auto (on when no other provider is configured; see README, Production)"},
	{"oidc-providers", "MIASTA_OIDC_PROVIDERS", "", "further OpenID providers, signed in with at the same time: a JSON array of {\"id\", \"name\", \"issuer\", \"client_id\", \"client_secret\", \"trust_email\", \"email_verified_claim\"}, or the path of a file holding one (see README, Signing in)"},
	{"audit-key-file", "MIASTA_AUDIT_KEY_FILE", "", "file holding the audit log's signing key, which `miasta audit keygen` writes (required to serve, unless MIASTA_AUDIT_KEY is set)"},
	{"audit-key", "MIASTA_AUDIT_KEY", "", "the audit log's signing key itself, for containers given secrets in their environment (set the variable: a flag's value shows in the process list)"},
	{"bundle-dir", "MIASTA_BUNDLE_DIR", "", "directory for the audit bundles built for downloads, one per edition and checkpoint (default the user's cache, ~/.cache/miasta/bundles; replicas may share it)"},
	{"attachments-url", "MIASTA_ATTACHMENTS_URL", "", "where the files experts attach are kept: file:///absolute/dir, or s3://bucket?endpoint=https://…&region=… for S3-compatible storage (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); default file:// the user's data directory, ~/.local/share/miasta/attachments. Back it up with the database"},
	{"download-rate", "MIASTA_DOWNLOAD_RATE", "100", "megabytes (10^6 bytes) per second all audit bundle downloads of a server send together (0: no limit); downloads beyond it wait their turn"},
	{"oidc-redirect-url", "OIDC_REDIRECT_URL", "", "the login callback registered at the provider (default PUBLIC_URL/auth/callback)"},
	{"organisers", "MIASTA_ORGANISERS", "", "comma-separated e-mails whose verified owners are organisers"},
	{"log-level", "MIASTA_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "MIASTA_LOG_FORMAT", "json", "json or text"},
	{"shutdown-timeout", "MIASTA_SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests may finish after a stop signal"},
	{"log-interval", "MIASTA_LOG_INTERVAL", "1s", "how often the audit log integrates new events and signs a checkpoint"},
	{"max-request-bytes", "MIASTA_MAX_REQUEST_BYTES", "4194304", "largest request message accepted; larger ones get ResourceExhausted"},
	{"rpc-timeout", "MIASTA_RPC_TIMEOUT", "30s", "deadline of every call; past it the call ends with DeadlineExceeded"},
	{"statement-timeout", "MIASTA_STATEMENT_TIMEOUT", "10s", "PostgreSQL statement_timeout for the server's connections; past it the call ends with DeadlineExceeded"},
	{"write-rate", "MIASTA_WRITE_RATE", "20", "changes per second each signed-in caller may make on each replica (0: unlimited); over it ResourceExhausted"},
	{"write-burst", "MIASTA_WRITE_BURST", "40", "changes a caller may make at once before the rate applies"},
	{"idle-timeout", "MIASTA_IDLE_TIMEOUT", "2m", "how long a keep-alive connection may stay open without a request"},
	{"db-max-conns", "MIASTA_DB_MAX_CONNS", "10", "size of the database connection pool"},
	{"db-acquire-timeout", "MIASTA_DB_ACQUIRE_TIMEOUT", "2s", "how long a call waits for a free database connection; past it Unavailable"},
	{"max-token-age", "MIASTA_MAX_TOKEN_AGE", "24h", "ID tokens issued longer ago, or valid for longer, are refused"},
	{"session-ttl", "MIASTA_SESSION_TTL", "12h", "how long a browser session lasts at most"},
	{"session-idle-timeout", "MIASTA_SESSION_IDLE_TIMEOUT", "2h", "a browser session unused for this long ends"},
	{"sessions-per-user", "MIASTA_SESSIONS_PER_USER", "10", "browser sessions one person may hold at once; a new sign-in beyond it ends the oldest"},
	{"metrics-addr", "MIASTA_METRICS_ADDR", "127.0.0.1:9090", "host:port of the separate Prometheus /metrics listener (set but empty: off)"},
	{"otlp-endpoint", "MIASTA_OTLP_ENDPOINT", "", "URL of an OTLP/HTTP trace collector, e.g. http://127.0.0.1:4318 (empty: tracing off)"},
	{"smtp-host", "MIASTA_SMTP_HOST", "", "SMTP server mail is delivered to (empty: mail is queued and reviewable, not sent)"},
	{"smtp-port", "MIASTA_SMTP_PORT", "", "SMTP server port (default 587 for starttls, 465 for tls, 25 for none)"},
	{"smtp-tls", "MIASTA_SMTP_TLS", "starttls", "starttls (required), tls (implicit, SMTPS) or none (cleartext: a local relay only)"},
	{"smtp-username", "MIASTA_SMTP_USERNAME", "", "SMTP AUTH PLAIN user name (empty: no authentication)"},
	{"smtp-password", "MIASTA_SMTP_PASSWORD", "", "SMTP AUTH PLAIN password"},
	{"mail-from", "MIASTA_MAIL_FROM", "", "sender of every mail, e.g. \"Miasta Otwarte <noreply@example.org>\" (default noreply@ the public URL's host)"},
	{"mail-poll-interval", "MIASTA_MAIL_POLL_INTERVAL", "5s", "how often the sender looks for due mail and reminders are checked"},
	{"mail-retry-base", "MIASTA_MAIL_RETRY_BASE", "30s", "pause after a first failed delivery; doubles with each further failure"},
	{"mail-retry-max", "MIASTA_MAIL_RETRY_MAX", "1h", "longest pause between delivery attempts"},
	{"mail-max-attempts", "MIASTA_MAIL_MAX_ATTEMPTS", "8", "delivery attempts before a mail is given up as FAILED"},
	{"witnesses", "MIASTA_WITNESSES", "", "independent witnesses that cosign the audit log's checkpoints: URL=KEY entries, comma-separated, each KEY the verifier key `miasta witness key` prints (empty: none)"},
	{"witness-interval", "MIASTA_WITNESS_INTERVAL", "10s", "how often each witness is offered the newest checkpoint"},
	{"mail-body-retention", "MIASTA_MAIL_BODY_RETENTION", "365d", "how long a mail's body is kept once it was sent, failed or discarded (days like 365d, or a duration; 0: forever); the recipient, subject and times stay"},
	{"mail-attempt-retention", "MIASTA_MAIL_ATTEMPT_RETENTION", "90d", "how long a record of a delivery attempt (with the SMTP server's reply) is kept (0: forever)"},
	{"session-retention", "MIASTA_SESSION_RETENTION", "30d", "how long an expired browser session's record is kept (0: forever)"},
	{"signin-event-retention", "MIASTA_SIGNIN_EVENT_RETENTION", "90d", "how long the built-in e-mail sign-in's record of codes asked for, wrong codes and sign-ins (address, client address, time) is kept (0: forever)"},
	{"retention-interval", "MIASTA_RETENTION_INTERVAL", "1h", "how often the retention sweep deletes what is past these periods"},
	{"mail-reminders", "MIASTA_MAIL_REMINDERS", "7d,1d", "how long before the reporting and jury deadlines reminders go out: days (Warsaw calendar) or durations, comma-separated (empty: none)"},
}

// Load parses args with defaults from lookupEnv (os.LookupEnv in the binary). A variable that is set
// replaces the default even when it is empty, so that MIASTA_METRICS_ADDR= turns the listener off.
func Load(fs *flag.FlagSet, args []string, lookupEnv func(string) (string, bool)) (Config, error) {
	vals := make(map[string]*string, len(Settings))
	for _, s := range Settings {
		def := s.Default
		if v, ok := lookupEnv(s.Env); ok {
			def = v
		}
		vals[s.Flag] = fs.String(s.Flag, def, s.Usage+" ($"+s.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	get := func(name string) string { return strings.TrimSpace(*vals[name]) }
	c := Config{
		Addr:             get("addr"),
		DatabaseURL:      get("database-url"),
		PublicURL:        strings.TrimSuffix(get("public-url"), "/"),
		OIDCIssuer:       get("oidc-issuer"),
		OIDCClientID:     get("oidc-client-id"),
		OIDCClientSecret: get("oidc-client-secret"),
		OIDCRedirectURL:  get("oidc-redirect-url"),
		TLSCertFile:      get("tls-cert-file"),
		TLSKeyFile:       get("tls-key-file"),
		ProxyHeader:      get("proxy-header"),
		AuditKeyFile:     get("audit-key-file"),
		AuditKey:         get("audit-key"),
		BundleDir:        get("bundle-dir"),
		AttachmentsURL:   get("attachments-url"),
		LogFormat:        get("log-format"),
		MetricsAddr:      get("metrics-addr"),
		OTLPEndpoint:     get("otlp-endpoint"),
	}
	var err error
	if c.OIDCTrustEmail, err = strconv.ParseBool(get("oidc-trust-email")); err != nil {
		return Config{}, fmt.Errorf("-oidc-trust-email: %w", err)
	}
	c.OIDCName = get("oidc-name")
	if c.OIDCProviders, err = ParseProviders(get("oidc-providers"), os.ReadFile); err != nil {
		return Config{}, fmt.Errorf("MIASTA_OIDC_PROVIDERS: %w", err)
	}
	if c.Migrate, err = strconv.ParseBool(get("migrate")); err != nil {
		return Config{}, fmt.Errorf("-migrate: %w", err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		return Config{}, fmt.Errorf("-log-level: %w", err)
	}
	if c.AuditKeyFile != "" && c.AuditKey != "" {
		return Config{}, fmt.Errorf("-audit-key-file and MIASTA_AUDIT_KEY: give the audit key one way, not both")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return Config{}, fmt.Errorf("-log-format: %q is neither json nor text", c.LogFormat)
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("shutdown-timeout")); err != nil {
		return Config{}, fmt.Errorf("-shutdown-timeout: %w", err)
	}
	if c.LogInterval, err = time.ParseDuration(get("log-interval")); err != nil || c.LogInterval <= 0 {
		return Config{}, fmt.Errorf("-log-interval: must be a positive duration like 1s")
	}
	if c.MaxRequestBytes, err = strconv.Atoi(get("max-request-bytes")); err != nil || c.MaxRequestBytes < 1024 {
		return Config{}, fmt.Errorf("-max-request-bytes: must be a number of bytes, at least 1024")
	}
	if c.RPCTimeout, err = time.ParseDuration(get("rpc-timeout")); err != nil || c.RPCTimeout <= 0 {
		return Config{}, fmt.Errorf("-rpc-timeout: must be a positive duration like 30s")
	}
	if c.StatementTimeout, err = time.ParseDuration(get("statement-timeout")); err != nil || c.StatementTimeout <= 0 {
		return Config{}, fmt.Errorf("-statement-timeout: must be a positive duration like 10s")
	}
	if c.DownloadRate, err = strconv.ParseFloat(get("download-rate"), 64); err != nil || c.DownloadRate < 0 {
		return Config{}, fmt.Errorf("-download-rate: must be a number of megabytes per second, 0 for no limit")
	}
	if c.WriteRate, err = strconv.ParseFloat(get("write-rate"), 64); err != nil || c.WriteRate < 0 {
		return Config{}, fmt.Errorf("-write-rate: must be a number of changes per second, 0 for no limit")
	}
	if c.WriteBurst, err = strconv.Atoi(get("write-burst")); err != nil || c.WriteBurst < 1 {
		return Config{}, fmt.Errorf("-write-burst: must be at least 1")
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{
		{"idle-timeout", &c.IdleTimeout}, {"db-acquire-timeout", &c.DBAcquireTimeout}, {"max-token-age", &c.MaxTokenAge},
		{"session-ttl", &c.SessionTTL}, {"session-idle-timeout", &c.SessionIdleTimeout},
	} {
		if *d.to, err = time.ParseDuration(get(d.name)); err != nil || *d.to <= 0 {
			return Config{}, fmt.Errorf("-%s: must be a positive duration like 2s", d.name)
		}
	}
	if c.DBMaxConns, err = strconv.Atoi(get("db-max-conns")); err != nil || c.DBMaxConns < 2 || c.DBMaxConns > 1000 {
		return Config{}, fmt.Errorf("-db-max-conns: must be a number of connections from 2 to 1000")
	}
	if c.SessionsPerUser, err = strconv.Atoi(get("sessions-per-user")); err != nil || c.SessionsPerUser < 1 {
		return Config{}, fmt.Errorf("-sessions-per-user: must be at least 1")
	}
	c.SMTPHost, c.SMTPTLS, c.SMTPUsername, c.SMTPPassword, c.MailFrom = get("smtp-host"), get("smtp-tls"), get("smtp-username"), get("smtp-password"), get("mail-from")
	if p := get("smtp-port"); p != "" {
		if c.SMTPPort, err = strconv.Atoi(p); err != nil || c.SMTPPort < 1 || c.SMTPPort > 65535 {
			return Config{}, fmt.Errorf("-smtp-port: must be a port number")
		}
	}
	if c.SMTPTLS != "starttls" && c.SMTPTLS != "tls" && c.SMTPTLS != "none" {
		return Config{}, fmt.Errorf("-smtp-tls: %q is none of starttls, tls and none", c.SMTPTLS)
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"mail-poll-interval", &c.MailPollInterval}, {"mail-retry-base", &c.MailRetryBase}, {"mail-retry-max", &c.MailRetryMax}} {
		if *d.to, err = time.ParseDuration(get(d.name)); err != nil || *d.to <= 0 {
			return Config{}, fmt.Errorf("-%s: must be a positive duration like 5s", d.name)
		}
	}
	if c.MailMaxAttempts, err = strconv.Atoi(get("mail-max-attempts")); err != nil || c.MailMaxAttempts < 1 {
		return Config{}, fmt.Errorf("-mail-max-attempts: must be at least 1")
	}
	c.Witnesses = get("witnesses")
	if c.WitnessInterval, err = time.ParseDuration(get("witness-interval")); err != nil || c.WitnessInterval <= 0 {
		return Config{}, fmt.Errorf("-witness-interval: must be a positive duration like 10s")
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"mail-body-retention", &c.MailBodyRetention}, {"mail-attempt-retention", &c.MailAttemptRetention}, {"session-retention", &c.SessionRetention}, {"signin-event-retention", &c.SignInEventRetention}} {
		if *d.to, err = parseRetention(get(d.name)); err != nil {
			return Config{}, fmt.Errorf("-%s: %w", d.name, err)
		}
	}
	if c.RetentionInterval, err = time.ParseDuration(get("retention-interval")); err != nil || c.RetentionInterval <= 0 {
		return Config{}, fmt.Errorf("-retention-interval: must be a positive duration like 1h")
	}
	switch c.EmailSignIn = strings.ToLower(get("email-signin")); c.EmailSignIn {
	case "on", "off", "auto":
	default:
		return Config{}, fmt.Errorf("-email-signin: must be on, off or auto, not %q", c.EmailSignIn)
	}
	if c.MailReminders, err = mail.ParseOffsets(get("mail-reminders")); err != nil {
		return Config{}, fmt.Errorf("-mail-reminders: %w", err)
	}
	for _, e := range strings.Split(get("organisers"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			c.Organisers = append(c.Organisers, e)
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return Config{}, fmt.Errorf("-tls-cert-file and -tls-key-file: give both (TLS) or neither (plain HTTP)")
	}
	if c.TrustedProxies, err = clientaddr.ParsePrefixes(get("trusted-proxies")); err != nil {
		return Config{}, fmt.Errorf("-trusted-proxies: %w", err)
	}
	if c.ProxyHeader != clientaddr.XForwardedFor && c.ProxyHeader != clientaddr.Forwarded {
		return Config{}, fmt.Errorf("-proxy-header: %q is neither %s nor %s", c.ProxyHeader, clientaddr.XForwardedFor, clientaddr.Forwarded)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
		if c.TLSCertFile != "" {
			c.PublicURL = "https://" + c.Addr
		}
	}
	if c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.PublicURL + "/auth/callback"
	}
	return c, nil
}

// Defaults fills the limits a hand-built Config (tests, miasta dev) leaves zero with the defaults of
// Settings.
func (c *Config) Defaults() {
	if c.BundleDir == "" {
		// The user's own cache, not a shared temporary directory in which another local user could
		// have made the directory first.
		if d, err := os.UserCacheDir(); err == nil {
			c.BundleDir = filepath.Join(d, "miasta", "bundles")
		} else {
			c.BundleDir = filepath.Join(os.TempDir(), "miasta-bundles")
		}
	}
	if c.AttachmentsURL == "" {
		// Durable data, so not the cache: the user's data directory.
		dir := filepath.Join(os.TempDir(), "miasta-data")
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
		c.AttachmentsURL = "file://" + filepath.Join(dir, "miasta", "attachments")
	}
	if c.LogInterval <= 0 {
		c.LogInterval = time.Second
	}
	if c.RetentionInterval <= 0 {
		c.RetentionInterval = time.Hour
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = 4 << 20
	}
	if c.RPCTimeout <= 0 {
		c.RPCTimeout = 30 * time.Second
	}
	if c.StatementTimeout <= 0 {
		c.StatementTimeout = 10 * time.Second
	}
	if c.WriteBurst <= 0 {
		c.WriteBurst = 40
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 15 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 2 * time.Minute
	}
	if c.DBMaxConns <= 0 {
		c.DBMaxConns = 10
	}
	if c.DBAcquireTimeout <= 0 {
		c.DBAcquireTimeout = 2 * time.Second
	}
	if c.MaxTokenAge <= 0 {
		c.MaxTokenAge = 24 * time.Hour
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.SessionIdleTimeout <= 0 {
		c.SessionIdleTimeout = 2 * time.Hour
	}
	if c.SessionsPerUser <= 0 {
		c.SessionsPerUser = 10
	}
	if c.MailReminders == nil {
		c.MailReminders = []mail.Offset{{Days: 7}, {Days: 1}}
	}
	if c.ProxyHeader == "" {
		c.ProxyHeader = clientaddr.XForwardedFor
	}
}

// ParseProviders reads MIASTA_OIDC_PROVIDERS: empty, a JSON array of providers, or the name of a
// file holding one (read with readFile). An unknown field is an error, so that a misspelt
// "trust_email" does not quietly leave a provider untrusted, or a misspelt secret unused.
func ParseProviders(v string, readFile func(string) ([]byte, error)) ([]auth.Provider, error) {
	if v == "" {
		return nil, nil
	}
	data := []byte(v)
	if !strings.HasPrefix(v, "[") {
		var err error
		if data, err = readFile(v); err != nil {
			return nil, fmt.Errorf("neither a JSON array nor a readable file: %w", err)
		}
	}
	var list []struct {
		ID                 string `json:"id"`
		Name               string `json:"name"`
		Issuer             string `json:"issuer"`
		ClientID           string `json:"client_id"`
		ClientSecret       string `json:"client_secret"`
		TrustEmail         bool   `json:"trust_email"`
		EmailVerifiedClaim string `json:"email_verified_claim"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("not a JSON array of providers: %w", err)
	}
	ps := make([]auth.Provider, 0, len(list))
	for _, p := range list {
		ps = append(ps, auth.Provider{
			ID: strings.TrimSpace(p.ID), Name: strings.TrimSpace(p.Name), Issuer: strings.TrimSpace(p.Issuer),
			ClientID: strings.TrimSpace(p.ClientID), ClientSecret: p.ClientSecret, TrustEmail: p.TrustEmail,
			EmailVerifiedClaim: strings.TrimSpace(p.EmailVerifiedClaim),
		})
	}
	if len(ps) == 0 {
		return nil, errors.New("the array names no provider")
	}
	return ps, auth.CheckProviders(ps)
}

// Providers lists every configured OpenID provider: the one of OIDC_ISSUER first (id "oidc"), when
// set, then those of MIASTA_OIDC_PROVIDERS.
func (c *Config) Providers() []auth.Provider {
	var ps []auth.Provider
	if c.OIDCIssuer != "" || c.OIDCClientID != "" {
		name := c.OIDCName
		if name == "" {
			name = c.OIDCIssuer
			if u, err := url.Parse(c.OIDCIssuer); err == nil && u.Hostname() != "" {
				name = u.Hostname()
			}
		}
		ps = append(ps, auth.Provider{ID: "oidc", Name: name, Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID,
			ClientSecret: c.OIDCClientSecret, TrustEmail: c.OIDCTrustEmail})
	}
	return append(ps, c.OIDCProviders...)
}

// EmailSignInOn says whether the built-in e-mail sign-in is served: MIASTA_EMAIL_SIGNIN=on, or auto
// with no other provider configured.
func (c *Config) EmailSignInOn() bool {
	return c.EmailSignIn == "on" || (c.EmailSignIn == "auto" && len(c.Providers()) == 0)
}

// parseRetention reads a retention period: whole days ("365d"), a Go duration ("720h"), or 0 (forever).
func parseRetention(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days like 365d", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is neither days like 365d nor a duration like 720h", v)
	}
	return d, nil
}
