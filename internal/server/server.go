// Package server wires the whole API onto one http.Handler: the Connect services (Connect, gRPC and
// gRPC-Web on one port), health checking, reflection and the browser login endpoints.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/otelconnect"
	"connectrpc.com/validate"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/clientaddr"
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
	"github.com/miasta-otwarte/miasta/internal/share"
	"github.com/miasta-otwarte/miasta/internal/translation"
)

// Deps is everything the server needs.
type Deps struct {
	Pool     *pgxpool.Pool
	Log      *slog.Logger
	Authn    *auth.Authenticator
	Editions *edition.Service
	Identity *identity.Store
	Reports  *report.Service
	Jury     *jury.Service
	Audit    *auditlog.Log
	Bundles  *auditlog.Bundles // the audit bundles' downloads
	Mail     *mail.Service
	// Translations holds the reports' translations and their XLIFF exchange.
	Translations *translation.Service
	// Search finds the public practices.
	Search *search.Service
	// Past holds the archive's past editions (internal/past).
	Past *past.Service
	// Privacy erases and exports people's data and keeps the privacy notice.
	Privacy *privacy.Service
	Metrics *metrics.Metrics
	// Tracer, when not nil, records a span per call (OpenTelemetry, through otelconnect).
	Tracer trace.TracerProvider
	Limits Limits
	// ClientAddr finds each request's client address (behind trusted proxies, the one they recorded),
	// which the access log and the limits use; nil: the connection's peer.
	ClientAddr *clientaddr.Resolver
	// SignIn, when not nil, is the built-in e-mail sign-in provider (package signin), served at
	// /signin/.
	SignIn http.Handler
	// Share, when not nil, serves the public archive's open data, feed, certificates and badges.
	Share *share.Service
	// Web, when not nil, serves the browser app at every path the API does not own.
	Web http.Handler
}

// Limits protect the service from any one client.
type Limits struct {
	MaxRequestBytes int           // larger request messages get ResourceExhausted
	RPCTimeout      time.Duration // every call's deadline
	WriteRate       float64       // changes per second per signed-in caller; 0: unlimited
	WriteBurst      int
}

// compressMinBytes is the smallest reply that is gzipped for a client that accepts it. Each gzip
// stream costs a compressor reset (clearing its tables) whatever the size, which for the few-kB
// replies of ballot saves and casts took more processor time than the rest of the reply; replies
// this small gain little on the wire. Large ones (bundles, results, long lists) are still gzipped.
const compressMinBytes = 8 << 10

// New returns the handler serving the whole API. routes.go lists every route.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	var interceptors []connect.Interceptor
	if d.Tracer != nil {
		// Metrics are Prometheus's job here; otelconnect only traces.
		otel, err := otelconnect.NewInterceptor(otelconnect.WithTracerProvider(d.Tracer), otelconnect.WithoutMetrics())
		if err != nil {
			panic("otelconnect: " + err.Error()) // only invalid options fail, and these are fixed
		}
		interceptors = append(interceptors, otel)
	}
	opts := connect.WithHandlerOptions(
		connect.WithReadMaxBytes(d.Limits.MaxRequestBytes),
		connect.WithCompressMinBytes(compressMinBytes),
		connect.WithInterceptors(interceptors...),
		connect.WithInterceptors(
			d.Metrics,                     // calls by procedure and code, latency
			&accessLog{log: d.Log},        // outermost: one line per call, with its final code
			deadline(d.Limits.RPCTimeout), // no call runs forever (outside errorInterceptor, which reads it)
			&errorInterceptor{log: d.Log}, // every error becomes a wire error here
			auth.NewInterceptor(d.Authn, auth.Rules, d.Identity),     // who may call what
			newWriteLimiter(d.Limits.WriteRate, d.Limits.WriteBurst), // how often a caller may change things
			validate.NewInterceptor(),                                // the request's own constraints
			textInterceptor{},                                        // no control characters in any text (internal/plaintext)
		),
	)
	addRoutes(mux, d, opts)
	clients := d.ClientAddr
	if clients == nil {
		clients, _ = clientaddr.New(nil, "") // no trusted proxies: never fails
	}
	return clients.Handler(edge(mux, d.Limits.RPCTimeout))
}

// dbChecker reports the service as serving while PostgreSQL answers, even when every connection of
// the pool is busy.
type dbChecker struct {
	pool *pgxpool.Pool
}

func (c dbChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := databaseState(ctx, c.pool); err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// databaseState tells a database that answers from one that does not, and says whether the pool is
// busy: when every connection is in use, the check does not queue for one (that would read a busy
// pool as a dead database) but asks PostgreSQL over a connection of its own.
func databaseState(ctx context.Context, pool *pgxpool.Pool) (busy bool, _ error) {
	if s := pool.Stat(); s.AcquiredConns() < s.MaxConns() {
		err := pool.Ping(ctx)
		if err == nil {
			return false, nil
		}
		if s := pool.Stat(); s.AcquiredConns() < s.MaxConns() {
			return false, err
		}
	}
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return true, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return true, conn.Ping(ctx)
}

// readyHandler answers 200 when the database answers and no migration is pending, 503 otherwise. A
// pool whose every connection is in use is still ready (the database answers; calls that find no
// connection in time fail fast with Unavailable), and says so in the body. The body also says how far
// the audit log is behind: a long transaction of this database holds integration back (every replica
// alike, so it is reported rather than taken out of rotation).
func readyHandler(pool *pgxpool.Pool, audit *auditlog.Log) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		busy, err := databaseState(ctx, pool)
		if err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if busy {
			fmt.Fprintf(w, "ok: busy, all %d database connections in use\n", pool.Stat().MaxConns())
			return
		}
		if n, err := db.Pending(ctx, pool); err != nil || n > 0 {
			http.Error(w, "migrations pending", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
		if lag, err := audit.Lag(ctx); err == nil && lag.Pending > 0 {
			fmt.Fprintf(w, "audit log: %d events not yet integrated, the oldest for %s\n", lag.Pending, lag.Oldest.Round(time.Second))
		}
	}
}
