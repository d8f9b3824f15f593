package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/clientaddr"
)

// requestIDPattern admits a caller's request id into the logs only when it is short and plain.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// accessLog writes one line per call: request id, procedure, principal, client address, code and
// duration. It never logs tokens, cookies or messages (which may hold ballots).
type accessLog struct {
	log *slog.Logger
}

// record runs call and logs it; it returns the request id it logged under.
func (a *accessLog) record(ctx context.Context, procedure string, header http.Header, call func(context.Context) error) (string, error) {
	id := header.Get("X-Request-Id")
	if !requestIDPattern.MatchString(id) {
		id = uuid.NewString()
	}
	ctx, info := auth.WithCallInfo(ctx)
	start := time.Now()
	err := call(ctx)
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
	}
	attrs := []slog.Attr{
		slog.String("request_id", id), slog.String("procedure", procedure),
		slog.String("code", code), slog.Duration("duration", time.Since(start)),
	}
	if info.UserID != uuid.Nil {
		attrs = append(attrs, slog.String("principal", info.UserID.String()))
	}
	if client := clientaddr.FromContext(ctx); client.IsValid() {
		attrs = append(attrs, slog.String("client", client.String()))
	}
	level := slog.LevelInfo
	if c := connect.CodeOf(err); err != nil && (c == connect.CodeInternal || c == connect.CodeUnavailable) {
		level = slog.LevelError
	}
	a.log.LogAttrs(ctx, level, "rpc", attrs...)
	var ce *connect.Error
	if errors.As(err, &ce) {
		ce.Meta().Set("X-Request-Id", id) // so a client can quote it when reporting a problem
	}
	return id, err
}

func (a *accessLog) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		var resp connect.AnyResponse
		id, err := a.record(ctx, req.Spec().Procedure, req.Header(), func(ctx context.Context) error {
			var err error
			resp, err = next(ctx, req)
			return err
		})
		if resp != nil {
			resp.Header().Set("X-Request-Id", id)
		}
		return resp, err
	}
}

func (a *accessLog) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (a *accessLog) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		_, err := a.record(ctx, conn.Spec().Procedure, conn.RequestHeader(), func(ctx context.Context) error {
			return next(ctx, conn)
		})
		return err
	}
}

// deadline bounds every call, so nothing a client sends can hold a handler (and its database
// connection) forever. A server stream (ExportBundle: its one request read at once, then a bundle
// sent from a file at the downloads' shared rate) is bounded by its handler instead
// (auditlog.DownloadTimeout): a large bundle to a slow connection outlasts a call's deadline.
type deadline time.Duration

func (d deadline) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Duration(d))
		defer cancel()
		return next(ctx, req)
	}
}

func (d deadline) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (d deadline) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if conn.Spec().StreamType == connect.StreamTypeServer {
			return next(ctx, conn)
		}
		ctx, cancel := context.WithTimeout(ctx, time.Duration(d))
		defer cancel()
		return next(ctx, conn)
	}
}

// writeLimiter limits each caller's writes (procedures with side effects) to a rate with a burst;
// reads are not limited. Over the limit a call gets ResourceExhausted. A signed-in caller is known by
// their account, an anonymous one by their client address (behind trusted proxies, the one they
// recorded: package clientaddr), so that all anonymous callers do not share one allowance and a
// client cannot pick a new address per call with a header.
type writeLimiter struct {
	rate    rate.Limit
	burst   int
	mu      sync.Mutex
	callers map[limitKey]*rate.Limiter
}

// limitKey is a signed-in caller's account or, for an anonymous one, their client address.
type limitKey struct {
	user   uuid.UUID
	client netip.Addr
}

// maxLimitedCallers bounds the callers a writeLimiter remembers before it forgets the idle ones.
const maxLimitedCallers = 1 << 16

func newWriteLimiter(perSecond float64, burst int) *writeLimiter {
	return &writeLimiter{rate: rate.Limit(perSecond), burst: burst, callers: map[limitKey]*rate.Limiter{}}
}

func (w *writeLimiter) allow(ctx context.Context, spec connect.Spec) error {
	if w.rate <= 0 || spec.IdempotencyLevel == connect.IdempotencyNoSideEffects {
		return nil
	}
	var key limitKey
	if p := auth.FromContext(ctx); p != nil {
		key.user = p.UserID
	} else {
		key.client = clientaddr.FromContext(ctx)
	}
	w.mu.Lock()
	l, ok := w.callers[key]
	if !ok && len(w.callers) >= maxLimitedCallers {
		// Many anonymous addresses (an IPv6 client has plenty): forget the callers whose allowance
		// is whole again, who lose nothing by it.
		for k, l := range w.callers {
			if l.Tokens() >= float64(w.burst) {
				delete(w.callers, k)
			}
		}
	}
	if !ok {
		l = rate.NewLimiter(w.rate, w.burst)
		w.callers[key] = l
	}
	w.mu.Unlock()
	if !l.Allow() {
		return connect.NewError(connect.CodeResourceExhausted, errors.New("too many changes in a short time; wait a moment and retry"))
	}
	return nil
}

func (w *writeLimiter) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := w.allow(ctx, req.Spec()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (w *writeLimiter) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (w *writeLimiter) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := w.allow(ctx, conn.Spec()); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
