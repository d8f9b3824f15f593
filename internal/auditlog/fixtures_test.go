package auditlog_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
)

// Helpers shared by the audit log's tests.

// leafHashes reads every leaf hash of the log, in order.
func leafHashes(t *testing.T, pool *pgxpool.Pool) [][]byte {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT leaf_hash FROM log_leaves ORDER BY leaf_index`)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	return hashes
}

// checkNodes fails unless log_nodes holds exactly the hashes of every perfect subtree of level 1 and
// above of the tree of the log's leaves.
func checkNodes(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	dbtest.CheckLogNodes(t, pool, leafHashes(t, pool))
}

// appendEvents appends n city.created events in one transaction.
func appendEvents(t *testing.T, pool *pgxpool.Pool, n int) { dbtest.AppendEvents(t, pool, n) }

// eventColumns are the columns of an event (alias e) that its body is made of, for scanEvent.
const eventColumns = `e.id, e.edition_id, e.kind, e.actor_role, e.actor_id, e.payload::text, e.create_time`

// scanEvent reads the row's leading columns into lead, then an event's eventColumns, and returns the
// event's id, its edition and its body as the log hashes it (auditlog.Body).
func scanEvent(t *testing.T, rows pgx.Rows, lead ...any) (id int64, edition *uuid.UUID, body []byte) {
	t.Helper()
	var (
		kind    string
		role    *string
		actor   *uuid.UUID
		payload string
		at      time.Time
	)
	if err := rows.Scan(append(lead, &id, &edition, &kind, &role, &actor, &payload, &at)...); err != nil {
		t.Fatal(err)
	}
	body, err := auditlog.Body(id, edition, kind, role, actor, payload, at)
	if err != nil {
		t.Fatal(err)
	}
	return id, edition, body
}
