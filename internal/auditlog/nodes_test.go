package auditlog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/migrations"
)

// nodesVersion is the migration that adds log_nodes.
const nodesVersion = 10

// The migration computes the nodes of a log integrated before it, and the integrator continues
// from them: log_nodes is then exactly what integrating every leaf would have written.
func TestMigrationBackfillsNodes(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 64, 1337} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool, err := pgxpool.New(ctx, dbtest.NewEmptyURL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			sqlDB := stdlib.OpenDBFromPool(pool)
			t.Cleanup(func() { sqlDB.Close() })
			provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := provider.UpTo(ctx, nodesVersion-1); err != nil {
				t.Fatal(err)
			}

			// A log as the integrator before log_nodes left it: events and their leaves.
			appendEvents(t, pool, size)
			rows, err := pool.Query(ctx, `SELECT `+eventColumns+` FROM events e ORDER BY e.id`)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			var hashes, bodies [][]byte
			for rows.Next() {
				id, _, body := scanEvent(t, rows)
				sum := sha256.Sum256(body)
				ids, hashes, bodies = append(ids, id), append(hashes, verify.LeafHash(verify.Leaf("", sum[:]))), append(bodies, sum[:])
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, `
				INSERT INTO log_leaves (leaf_index, event_id, leaf_hash, body_sha256)
				SELECT generate_series(0, cardinality($1::bigint[]) - 1), unnest($1::bigint[]), unnest($2::bytea[]), unnest($3::bytea[])`, ids, hashes, bodies); err != nil {
				t.Fatal(err)
			}

			if _, err := provider.Up(ctx); err != nil {
				t.Fatal(err)
			}
			checkNodes(t, pool)

			// The integrator continues the log from there, in rounds of odd sizes.
			key, err := auditlog.NewKey()
			if err != nil {
				t.Fatal(err)
			}
			l := auditlog.New(pool, slog.New(slog.DiscardHandler), key)
			for _, n := range []int{1, 6, 31, 100} {
				appendEvents(t, pool, n)
				if err := l.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			checkNodes(t, pool)
			leaves := leafHashes(t, pool)
			total := uint64(len(leaves))
			for _, s := range []uint64{1, uint64(max(size, 1)), uint64(size) + 1, total} {
				for _, i := range []uint64{0, s / 2, s - 1} {
					leaf, got, err := l.Inclusion(ctx, int64(i), int64(s))
					if err != nil {
						t.Fatal(err)
					}
					want, err := verify.InclusionProof(leaves, i, s)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(leaf, leaves[i]) || !slices.EqualFunc(got, want, bytes.Equal) {
						t.Errorf("inclusion of leaf %d in the tree of %d differs from the proof over all leaves", i, s)
					}
				}
				got, err := l.Consistency(ctx, int64(s), int64(total))
				if err != nil {
					t.Fatal(err)
				}
				want, err := verify.ConsistencyProof(leaves, s, total)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(got, want, bytes.Equal) {
					t.Errorf("consistency %d→%d differs from the proof over all leaves", s, total)
				}
			}

			// Leaves that complete a node cannot be appended without it (a server of an earlier
			// version would do that); a leaf that completes none can.
			for _, c := range []struct {
				leaves int
				ok     bool
			}{{2, false}, {1, total%2 == 0}} {
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `INSERT INTO events (kind, payload) SELECT 'test', '{}' FROM generate_series(1, $1)`, c.leaves); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `
						INSERT INTO log_leaves (leaf_index, event_id, leaf_hash, body_sha256)
						SELECT $1 + row_number() OVER (ORDER BY id) - 1, id, sha256(id::text::bytea), sha256(id::text::bytea)
						FROM events WHERE kind = 'test'`, total); err != nil {
						return err
					}
					return errRollBack
				})
				switch {
				case c.ok && err != errRollBack:
					t.Errorf("appending %d leaves at %d that complete no node: %v", c.leaves, total, err)
				case !c.ok && (err == errRollBack || !strings.Contains(err.Error(), "log_nodes lacks")):
					t.Errorf("appending %d leaves at %d without the nodes they complete = %v; want it refused", c.leaves, total, err)
				}
			}
		})
	}
}

var errRollBack = errors.New("roll back")
