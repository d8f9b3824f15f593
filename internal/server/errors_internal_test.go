package server

import (
	"context"
	"log/slog"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
)

// A statement PostgreSQL cancels for running past statement_timeout reaches the client as
// DeadlineExceeded, not as an internal error.
func TestStatementTimeoutIsDeadlineExceeded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET statement_timeout = 20`); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SELECT pg_sleep(2)`)
	if err == nil {
		t.Fatal("pg_sleep outlived the statement timeout")
	}
	got := (&errorInterceptor{log: slog.New(slog.DiscardHandler)}).toWire(ctx, "/test", err)
	if connect.CodeOf(got) != connect.CodeDeadlineExceeded {
		t.Fatalf("statement timeout became %v; want DeadlineExceeded", got)
	}
}
