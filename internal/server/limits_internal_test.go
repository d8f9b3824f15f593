package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/clientaddr"
)

// TestAnonymousWritesAreLimitedPerClientAddress: an anonymous caller's writes count against their
// client address (behind a trusted proxy, the one it recorded), so one client's burst does not use
// up another's, and a client that is not a trusted proxy cannot pick a new address with a header.
func TestAnonymousWritesAreLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	res, err := clientaddr.New([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, clientaddr.XForwardedFor)
	if err != nil {
		t.Fatal(err)
	}
	ctxOf := func(peer, forwardedFor string) context.Context {
		var ctx context.Context
		h := res.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() }))
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RemoteAddr = peer
		if forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", forwardedFor)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		return ctx
	}
	w := newWriteLimiter(0.001, 2)
	write := connect.Spec{Procedure: "/miasta.v1.Test/Write", IdempotencyLevel: connect.IdempotencyUnknown}
	allowed := func(ctx context.Context) bool { return w.allow(ctx, write) == nil }
	// A direct client with a different made-up X-Forwarded-For each time: one allowance.
	if !allowed(ctxOf("203.0.113.1:1000", "198.51.100.1")) || !allowed(ctxOf("203.0.113.1:1001", "198.51.100.2")) {
		t.Fatal("the first two writes of a burst of two were refused")
	}
	if allowed(ctxOf("203.0.113.1:1002", "198.51.100.3")) {
		t.Fatal("a direct client's third write passed by naming another address in X-Forwarded-For")
	}
	// Behind the trusted proxy, two clients have an allowance each; the proxy is not limited as one.
	for _, client := range []string{"198.51.100.1", "198.51.100.2"} {
		for i := range 2 {
			if !allowed(ctxOf("10.0.0.5:2000", client)) {
				t.Fatalf("write %d of %s behind the proxy was refused", i+1, client)
			}
		}
	}
	if allowed(ctxOf("10.0.0.5:2000", "198.51.100.1")) {
		t.Fatal("a third write of 198.51.100.1 behind the proxy passed")
	}
}
