package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/config"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestFullPoolFailsFastAndStaysReady takes every connection of a two-connection pool: a call then
// fails fast with Unavailable instead of queueing until its deadline, and readiness says the pool is
// busy rather than that the database is unreachable (it answers).
func TestFullPoolFailsFastAndStaysReady(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.DBMaxConns, c.DBAcquireTimeout = 2, 300*time.Millisecond
	}})
	ctx := context.Background()
	if code, body, _ := readyz(t, env); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("readyz with a free pool = %d %q", code, body)
	}
	// Hold both connections (the background work may hold one for a moment: retry).
	var held []*pgxpool.Conn
	deadline := time.Now().Add(10 * time.Second)
	for len(held) < 2 {
		c, err := env.App.Pool.Acquire(ctx)
		if err == nil {
			held = append(held, c)
		} else if time.Now().After(deadline) {
			t.Fatalf("cannot take the pool's connections: %v", err)
		}
	}
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()

	start := time.Now()
	_, err := env.Clients(testenv.Connect, "").Editions.ListEditions(ctx, &v1.ListEditionsRequest{})
	if took := time.Since(start); testenv.Code(err) != connect.CodeUnavailable || took > 2*time.Second {
		t.Errorf("ListEditions with the pool full = %v after %v; want Unavailable within the 300 ms wait (and a little)", err, took)
	}
	if code, body, took := readyz(t, env); code != http.StatusOK || !strings.Contains(body, "busy") || took > 2*time.Second {
		t.Errorf("readyz with the pool full = %d %q after %v; want 200 saying the pool is busy", code, body, took)
	}
	for _, c := range held {
		c.Release()
	}
	held = nil
	testenv.Must(env.Clients(testenv.GRPC, "").Editions.ListEditions(ctx, &v1.ListEditionsRequest{}))
}
