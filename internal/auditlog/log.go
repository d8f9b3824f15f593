// Package auditlog makes the platform's event table tamper-evident, as the audit specification
// (spec/audit.md) defines it: every event becomes a two-level leaf of an append-only RFC 6962 Merkle
// tree, integrated by one replica at a time under a PostgreSQL advisory lock, with checkpoints signed in
// the signed-note format. It serves AuditService: checkpoints, proofs and each edition's bundle. The
// formats themselves are internal/verify's.
package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transparency-dev/merkle/compact"

	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// integratorLock is the advisory lock that elects the one integrator among replicas.
const integratorLock = 0x6d696173_6c6f67 // "mias" "log"

// safeHorizon is the lowest transaction id that may still commit an event into this database, as text:
// every transaction of this database below it has ended. Transaction ids are cluster-wide, so the
// snapshot's running transactions include other databases' (a report, a migration elsewhere); those are
// left out when pg_stat_activity or pg_prepared_xacts shows they belong to another database, so that
// they cannot hold the log back. A running transaction whose database is not known counts, to be safe.
// (Hand-written: sqlc does not know the system views.)
const safeHorizon = `
WITH snap AS (SELECT pg_current_snapshot() AS s)
SELECT coalesce((
    SELECT min(x)
    FROM snap, pg_snapshot_xip(snap.s) AS x
    WHERE NOT EXISTS (
            SELECT 1 FROM pg_stat_activity a
            WHERE a.backend_xid = (x::text::bigint % 4294967296)::text::xid
              AND a.datname IS DISTINCT FROM current_database())
      AND NOT EXISTS (
            SELECT 1 FROM pg_prepared_xacts p
            WHERE p.transaction = (x::text::bigint % 4294967296)::text::xid
              AND p.database <> current_database())
), (SELECT pg_snapshot_xmax(s) FROM snap))::text`

// batchSize bounds how many events one integration round appends.
const batchSize = 5000

// Log integrates events into the Merkle tree and serves checkpoints and proofs.
type Log struct {
	pool *pgxpool.Pool
	q    *auditlogdb.Queries
	log  *slog.Logger

	// tree is the compact range of the first tree.End() leaves as of the last integration this
	// process committed, so that the next round hashes only its new leaves instead of reading every
	// leaf hash of the log again. It is checked against the signed checkpoint of its size before use.
	mu   sync.Mutex
	tree *compact.Range
}

// New returns the log over the platform's database.
func New(pool *pgxpool.Pool, log *slog.Logger) *Log {
	return &Log{pool: pool, q: auditlogdb.New(), log: log}
}

// Keys returns the checkpoint key pair, generating it on first use. Every replica reads the same row;
// concurrent first uses agree because only one insert wins.
func (l *Log) Keys(ctx context.Context) (signerKey, verifierKey string, err error) {
	k, err := l.q.GetAuditKey(ctx, l.pool)
	if err == nil {
		return k.SignerKey, k.VerifierKey, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", "", err
	}
	s, v, err := verify.NewKey()
	if err != nil {
		return "", "", err
	}
	if err := l.q.InsertAuditKey(ctx, l.pool, auditlogdb.InsertAuditKeyParams{SignerKey: s, VerifierKey: v}); err != nil {
		return "", "", err
	}
	k, err = l.q.GetAuditKey(ctx, l.pool)
	return k.SignerKey, k.VerifierKey, err
}

// Body returns an event's body (§5 of the specification) from its row: the bytes its leaf commits to.
func Body(id int64, editionID *uuid.UUID, kind string, actorRole *string, actorID *uuid.UUID, payload string, at time.Time) ([]byte, error) {
	b := verify.Body{ID: id, Kind: kind, Payload: json.RawMessage(payload), Time: verify.FormatTime(at)}
	if editionID != nil {
		s := editionID.String()
		b.EditionID = &s
	}
	if actorRole != nil && actorID != nil {
		b.Actor = &verify.Actor{Role: *actorRole, ID: actorID.String()}
	}
	body, err := verify.EncodeBody(b)
	if err != nil {
		return nil, fmt.Errorf("event %d (%s): %w", id, kind, err)
	}
	return body, nil
}

func editionString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

// Integrate appends the events whose transactions have ended to the tree and publishes a signed
// checkpoint. Only the replica holding the advisory lock does anything; the others return at once,
// and writers never wait for it. It returns how many events it appended.
func (l *Log) Integrate(ctx context.Context) (int, error) {
	signer, _, err := l.Keys(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var integrated *compact.Range
	err = db.InTx(ctx, l.pool, func(tx pgx.Tx) error {
		n, integrated = 0, nil
		if leader, err := db.TryXactLock(ctx, tx, integratorLock); err != nil || !leader {
			return err
		}
		size, err := l.q.TreeSize(ctx, tx)
		if err != nil {
			return err
		}
		var horizon string
		if err := tx.QueryRow(ctx, safeHorizon).Scan(&horizon); err != nil {
			return err
		}
		events, err := l.q.PendingEvents(ctx, tx, auditlogdb.PendingEventsParams{Horizon: horizon, MaxRows: batchSize})
		if err != nil || len(events) == 0 {
			return err
		}
		r, err := l.rangeOf(ctx, tx, size)
		if err != nil {
			return err
		}
		tree := verify.TreeOf(r)
		batch := auditlogdb.InsertLeavesParams{
			LeafIndexes: make([]int64, len(events)), EventIds: make([]int64, len(events)), LeafHashes: make([][]byte, len(events)),
			EditionIds: make([]string, len(events)), BodyHashes: make([][]byte, len(events)),
		}
		for i, e := range events {
			body, err := Body(e.ID, e.EditionID, e.Kind, e.ActorRole, e.ActorID, e.Payload, e.CreateTime)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(body)
			ed := editionString(e.EditionID)
			batch.LeafIndexes[i], batch.EventIds[i], batch.EditionIds[i], batch.BodyHashes[i] = size+int64(i), e.ID, ed, sum[:]
			batch.LeafHashes[i] = verify.LeafHash(verify.Leaf(ed, sum[:]))
			if err := tree.Append(batch.LeafHashes[i]); err != nil {
				return err
			}
		}
		if err := l.q.InsertLeaves(ctx, tx, batch); err != nil {
			return err
		}
		root, err := tree.Root()
		if err != nil {
			return err
		}
		newSize := size + int64(len(events))
		integrated = tree.Range()
		signed, err := verify.Checkpoint{Size: uint64(newSize), Root: root}.Sign(signer)
		if err != nil {
			return err
		}
		n = len(events)
		return l.q.InsertCheckpoint(ctx, tx, auditlogdb.InsertCheckpointParams{TreeSize: newSize, RootHash: root, Note: signed})
	})
	if err == nil && integrated != nil { // only what committed may seed the next round
		l.mu.Lock()
		l.tree = integrated
		l.mu.Unlock()
	}
	return n, err
}

// rangeOf returns a compact range of the log's first size leaves that the caller may extend: the
// one this process kept from its last round, extended by the leaves other replicas appended since,
// when the signed checkpoint of its size confirms it; else one built from every leaf hash.
func (l *Log) rangeOf(ctx context.Context, tx pgx.Tx, size int64) (*compact.Range, error) {
	l.mu.Lock()
	kept := l.tree
	l.mu.Unlock()
	from, r := int64(0), verify.EmptyRange()
	if kept != nil && kept.End() > 0 && int64(kept.End()) <= size {
		root, rerr := kept.GetRootHash(nil)
		cp, cerr := l.q.GetCheckpoint(ctx, tx, int64(kept.End()))
		switch {
		case cerr != nil && !errors.Is(cerr, pgx.ErrNoRows):
			return nil, cerr
		case rerr == nil && cerr == nil && bytes.Equal(cp.RootHash, root):
			// A copy: extending must not change the kept range, from which a failed round's retry
			// starts again.
			if r, rerr = verify.NewRange(kept.Begin(), kept.End(), slices.Clone(kept.Hashes())); rerr != nil {
				return nil, rerr
			}
			from = int64(kept.End())
		default:
			l.log.WarnContext(ctx, "audit log: the kept tree does not match the signed checkpoint of its size; rebuilding it from the leaves", "size", kept.End())
		}
	}
	if from == size {
		return r, nil
	}
	hashes, err := l.q.LeafHashes(ctx, tx, auditlogdb.LeafHashesParams{FromIndex: from, ToIndex: size})
	if err != nil {
		return nil, err
	}
	if int64(len(hashes)) != size-from {
		return nil, fmt.Errorf("audit log: %d leaf hashes in [%d, %d)", len(hashes), from, size)
	}
	for _, h := range hashes {
		if err := r.Append(h, nil); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Sync returns once every event committed before it was called is in the log and under a checkpoint,
// integrating itself or waiting for the replica that holds the integrator lock.
func (l *Log) Sync(ctx context.Context) error {
	horizon, err := l.q.CurrentHorizon(ctx, l.pool)
	if err != nil {
		return err
	}
	for {
		if _, err := l.Integrate(ctx); err != nil {
			return err
		}
		pending, err := l.q.PendingBelow(ctx, l.pool, horizon)
		if err != nil {
			return err
		}
		if !pending {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Lag is how far the log is behind the event table.
type Lag struct {
	Pending int64
	Oldest  time.Duration // how long the oldest pending event has waited
}

// Lag measures the log's lag behind the event table.
func (l *Log) Lag(ctx context.Context) (Lag, error) {
	r, err := l.q.PendingCount(ctx, l.pool)
	if err != nil {
		return Lag{}, err
	}
	out := Lag{Pending: r.Pending}
	if r.Pending > 0 {
		out.Oldest = time.Since(r.Oldest)
	}
	return out, nil
}

// Run integrates every interval until ctx ends; a failed round is logged and retried next time.
func (l *Log) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := l.Integrate(ctx); err != nil && ctx.Err() == nil {
			l.log.ErrorContext(ctx, "audit log integration failed", "error", err)
		} else if n > 0 {
			l.log.DebugContext(ctx, "audit log integrated", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// LatestCheckpoint returns the newest signed checkpoint.
func (l *Log) LatestCheckpoint(ctx context.Context) (string, error) {
	c, err := l.q.LatestCheckpoint(ctx, l.pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fault.Preconditionf("", "the log has no checkpoint yet")
	}
	return c.Note, err
}

// leaves loads the first size leaf hashes, checking the tree is that large.
func (l *Log) leaves(ctx context.Context, size int64, field string) ([][]byte, error) {
	have, err := l.q.TreeSize(ctx, l.pool)
	if err != nil {
		return nil, err
	}
	if size > have {
		return nil, fault.Invalidf(field, "the tree has %d leaves", have)
	}
	return l.q.LeafHashes(ctx, l.pool, auditlogdb.LeafHashesParams{FromIndex: 0, ToIndex: size})
}

// Inclusion returns the leaf's hash and the proof that it is in the tree of size leaves.
func (l *Log) Inclusion(ctx context.Context, index, size int64) ([]byte, [][]byte, error) {
	if index >= size {
		return nil, nil, fault.Invalidf("leaf_index", "must be less than tree_size %d", size)
	}
	leaves, err := l.leaves(ctx, size, "tree_size")
	if err != nil {
		return nil, nil, err
	}
	p, err := verify.InclusionProof(leaves, uint64(index), uint64(size))
	if err != nil {
		return nil, nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return leaves[index], p, nil
}

// Consistency proves the tree of size1 leaves is a prefix of the tree of size2 leaves.
func (l *Log) Consistency(ctx context.Context, size1, size2 int64) ([][]byte, error) {
	if size1 > size2 {
		return nil, fault.Invalidf("first_tree_size", "must not exceed second_tree_size %d", size2)
	}
	leaves, err := l.leaves(ctx, size2, "second_tree_size")
	if err != nil {
		return nil, err
	}
	return verify.ConsistencyProof(leaves, uint64(size1), uint64(size2))
}

// LeafIndex returns the leaf of an event, or -1 while it is not integrated yet.
func (l *Log) LeafIndex(ctx context.Context, q auditlogdb.DBTX, eventID int64) (int64, error) {
	i, err := l.q.LeafOfEvent(ctx, q, eventID)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1, nil
	}
	return i, err
}
