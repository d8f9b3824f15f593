package app

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/db"
)

// poolSize sizes the pool (unless the database URL sets pool_max_conns itself, which then wins) and
// bounds how long anything waits for one of its connections: a call that finds every connection busy
// for longer than wait fails (Unavailable, "busy") instead of queueing until its own deadline, so a
// full pool answers fast and callers retry.
func poolSize(maxConns int, wait time.Duration) db.Option {
	return func(c *pgxpool.Config) {
		if !strings.Contains(c.ConnString(), "pool_max_conns") {
			c.MaxConns = int32(maxConns)
		}
		c.ConnConfig.Tracer = acquireTimeout(wait)
	}
}

// acquireTimeout is a pgx tracer whose only work is to bound pgxpool's wait for a connection: the
// context it returns from TraceAcquireStart is the one the pool waits with, and it is cancelled again
// in TraceAcquireEnd. Queries are not traced.
type acquireTimeout time.Duration

type acquireCancelKey struct{}

var _ pgxpool.AcquireTracer = acquireTimeout(0)

// TraceAcquireStart implements pgxpool.AcquireTracer.
func (d acquireTimeout) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(d))
	return context.WithValue(ctx, acquireCancelKey{}, cancel)
}

// TraceAcquireEnd implements pgxpool.AcquireTracer.
func (d acquireTimeout) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if cancel, ok := ctx.Value(acquireCancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

// TraceQueryStart implements pgx.QueryTracer (required of a ConnConfig.Tracer); it does nothing.
func (acquireTimeout) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer; it does nothing.
func (acquireTimeout) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
