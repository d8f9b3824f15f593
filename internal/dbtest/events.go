package dbtest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/event"
)

// AppendEvents appends n city.created events in one transaction: leaves for the audit log's tests.
func AppendEvents(t testing.TB, pool *pgxpool.Pool, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		for range n {
			id := uuid.NewString()
			if _, err := event.Append(ctx, tx, event.Event{Kind: event.CityCreated, Payload: map[string]string{"id": id, "name": "Miasto " + id[:8]}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
