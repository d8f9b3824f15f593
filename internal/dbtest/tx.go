package dbtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// OpenTransaction starts a transaction on url, on a connection of its own, that holds a transaction
// id until the test ends (as a long report or a migration does), and returns it.
func OpenTransaction(t testing.TB, url string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}
