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
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/event"
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

	keyMu  sync.Mutex
	key    Key
	reload func() (Key, error) // reads the key again, when it comes from a file

	// tree is the compact range of the first tree.End() leaves as of the last integration this
	// process committed, so that the next round hashes only its new leaves instead of reading every
	// leaf hash of the log again. It is checked against the signed checkpoint of its size before use.
	mu   sync.Mutex
	tree *compact.Range
}

// New returns the log over the platform's database, signing checkpoints with key.
func New(pool *pgxpool.Pool, log *slog.Logger, key Key) *Log {
	return &Log{pool: pool, q: auditlogdb.New(), log: log, key: key}
}

// ReloadWith makes the log read its key again with reload whenever the key it holds is no longer the
// key in force (after a rotation): a server whose key file was replaced signs with the new key from
// its next round, without a restart.
func (l *Log) ReloadWith(reload func() (Key, error)) { l.reload = reload }

func (l *Log) signingKey() Key {
	l.keyMu.Lock()
	defer l.keyMu.Unlock()
	return l.key
}

// Key is the key pair that signs checkpoints. It lives in a file or the server's environment, never
// in the database, the logs or a bundle: whoever holds it can sign a rewritten log.
type Key struct {
	signer   string
	Verifier string // the public half, a note verifier key
}

// String never shows the private half.
func (k Key) String() string { return "audit key " + k.Verifier }

// LogValue keeps the private half out of structured logs.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// ParseKey reads a signing key as `miasta audit keygen` writes it (a note signer key; white space
// around it is ignored).
func ParseKey(text string) (Key, error) {
	signer := strings.TrimSpace(text)
	v, err := verify.VerifierKeyOf(signer)
	if err != nil {
		return Key{}, fmt.Errorf("audit key: %w", err)
	}
	return Key{signer: signer, Verifier: v}, nil
}

// NewKey generates a signing key.
func NewKey() (Key, error) {
	s, v, err := verify.NewKey()
	return Key{signer: s, Verifier: v}, err
}

// File is the key as a key file holds it.
func (k Key) File() []byte { return []byte(k.signer + "\n") }

// LogKey is the log's key: the verifier key of its first checkpoint, which verifiers are given (§4.4
// of the specification). Before the first checkpoint it is this server's key.
func (l *Log) LogKey(ctx context.Context) (string, error) {
	k, err := l.q.GetLogKey(ctx, l.pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return l.signingKey().Verifier, nil
	}
	return k, err
}

// SigningKey is the key in force at the end of the log as written (after every rotation, integrated
// or not): the key that must sign the next checkpoints.
func (l *Log) SigningKey(ctx context.Context, q auditlogdb.DBTX) (string, error) {
	k, err := l.q.LastRotation(ctx, q)
	if errors.Is(err, pgx.ErrNoRows) {
		if k, err = l.q.GetLogKey(ctx, q); errors.Is(err, pgx.ErrNoRows) {
			return l.signingKey().Verifier, nil
		}
	}
	return k, err
}

// CheckKey fails unless this server's key is the one that must sign the log's next checkpoints: a
// replica given an old key after a rotation, or another log's key, refuses to start.
func (l *Log) CheckKey(ctx context.Context) error {
	want, err := l.SigningKey(ctx, l.pool)
	if err != nil {
		return err
	}
	if key := l.signingKey(); want != key.Verifier {
		logKey, _ := l.LogKey(ctx)
		return fmt.Errorf("this server's audit key (%s) does not sign this log: its checkpoints are signed by %s (the log's key is %s). "+
			"Give the server that key (after a rotation, the new one), or, for a database of miasta dev, start the demo again with miasta dev -reset", key.Verifier, want, logKey)
	}
	return nil
}

// Rotate replaces the key that signs the log's checkpoints by next (§4.4): it appends a
// log.key_rotated signed by this log's key, which must be the key in force, and integrates it with
// next. Replicas still holding the old key integrate nothing after the rotation and refuse to start:
// give them next. It returns the first checkpoint signed by next.
func (l *Log) Rotate(ctx context.Context, next Key) (string, error) {
	key := l.signingKey()
	if next.Verifier == key.Verifier {
		return "", errors.New("the new key is the key in force")
	}
	sig, err := verify.SignRotation(key.signer, next.Verifier)
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, l.pool, func(tx pgx.Tx) error {
		// The integrator's lock, waited for: no round is half-way (its first checkpoint fixing the
		// log's key, or a checkpoint under the key in force) while the key in force is read and replaced.
		if err := db.XactLock(ctx, tx, integratorLock); err != nil {
			return err
		}
		if _, err := l.q.GetLogKey(ctx, tx); errors.Is(err, pgx.ErrNoRows) {
			return errors.New("the log has no checkpoint yet, so no key to rotate from: the first server to sign one fixes the log's key")
		} else if err != nil {
			return err
		}
		inForce, err := l.SigningKey(ctx, tx)
		if err != nil {
			return err
		}
		if inForce != key.Verifier {
			return fmt.Errorf("the key in force is %s, not the key given (%s): only the key in force can rotate", inForce, key.Verifier)
		}
		_, err = event.Append(ctx, tx, event.Event{Kind: event.KeyRotated, Payload: map[string]string{"verifier_key": next.Verifier, "signature": sig}})
		return err
	})
	if err != nil {
		return "", err
	}
	nl := New(l.pool, l.log, next)
	if err := nl.Sync(ctx); err != nil {
		return "", err
	}
	return nl.LatestCheckpoint(ctx)
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
	key := l.signingKey()
	n, err := l.integrate(ctx, key)
	if errors.Is(err, errNotInForce) && l.reload != nil {
		next, rerr := l.reload()
		if rerr != nil {
			return n, fmt.Errorf("%w; reading the key again: %v", err, rerr)
		}
		if next.Verifier != key.Verifier {
			l.keyMu.Lock()
			l.key = next
			l.keyMu.Unlock()
			l.log.InfoContext(ctx, "audit log: signing with the key read again", "key", next.Verifier)
			return l.integrate(ctx, next)
		}
	}
	return n, err
}

// errNotInForce: the server's key does not sign the log's next checkpoint.
var errNotInForce = errors.New("audit log: this server's key is not the key in force")

func (l *Log) integrate(ctx context.Context, key Key) (int, error) {
	if key.signer == "" {
		return 0, errors.New("audit log: no signing key to integrate with")
	}
	n := 0
	var integrated *compact.Range
	err := db.InTx(ctx, l.pool, func(tx pgx.Tx) error {
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
		if events, err = l.signable(ctx, tx, key, events); err != nil || len(events) == 0 {
			return err
		}
		r, err := l.rangeOf(ctx, tx, size)
		if err != nil {
			return err
		}
		// The range reports each node a new leaf completes: those of level 1 and above are the
		// round's new perfect subtrees (the leaves that rangeOf appended were reported by the round
		// that integrated them).
		var nodes auditlogdb.InsertNodesParams
		visit := func(id compact.NodeID, hash []byte) {
			if id.Level > 0 {
				nodes.Levels = append(nodes.Levels, int16(id.Level))
				nodes.Indexes = append(nodes.Indexes, int64(id.Index))
				nodes.Hashes = append(nodes.Hashes, hash)
			}
		}
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
			if err := r.Append(batch.LeafHashes[i], visit); err != nil {
				return err
			}
		}
		if len(nodes.Levels) > 0 { // first: appending the leaves checks that their nodes are there
			if err := l.q.InsertNodes(ctx, tx, nodes); err != nil {
				return err
			}
		}
		if err := l.q.InsertLeaves(ctx, tx, batch); err != nil {
			return err
		}
		tree := verify.TreeOf(r)
		root, err := tree.Root()
		if err != nil {
			return err
		}
		newSize := size + int64(len(events))
		integrated = tree.Range()
		signed, err := verify.Checkpoint{Size: uint64(newSize), Root: root}.Sign(key.signer)
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

// signable returns the longest run of the pending events from their start that this server's key
// may sign (§4.4): a checkpoint is signed by the key in force at its size, so a server integrates up
// to a rotation away from its key, and past one only when the rotation is to its key and signed by the
// key before it. A rotation that does not verify is never integrated (the log waits, and says why).
func (l *Log) signable(ctx context.Context, tx pgx.Tx, key Key, events []auditlogdb.PendingEventsRow) ([]auditlogdb.PendingEventsRow, error) {
	inForce, err := l.q.LastIntegratedRotation(ctx, tx)
	if errors.Is(err, pgx.ErrNoRows) {
		inForce, err = l.q.GetLogKey(ctx, tx)
		if errors.Is(err, pgx.ErrNoRows) { // the first checkpoint: this key becomes the log's
			if err = l.q.InsertLogKey(ctx, tx, key.Verifier); err == nil {
				inForce, err = l.q.GetLogKey(ctx, tx) // whichever key the row holds now, not the one hoped for
			}
		}
	}
	if err != nil {
		return nil, err
	}
	best := -1
	if inForce == key.Verifier {
		best = 0
	}
	for i, e := range events {
		if e.Kind == string(event.KeyRotated) {
			var r struct {
				VerifierKey string `json:"verifier_key"`
				Signature   string `json:"signature"`
			}
			if err := json.Unmarshal([]byte(e.Payload), &r); err != nil {
				return nil, fmt.Errorf("audit log: key rotation %d: %w", e.ID, err)
			}
			if err := verify.VerifyRotation(inForce, r.VerifierKey, r.Signature); err != nil {
				l.log.ErrorContext(ctx, "audit log: a key rotation does not verify; the log is not extended past it", "event", e.ID, "error", err)
				break
			}
			inForce = r.VerifierKey
		}
		if inForce == key.Verifier {
			best = i + 1
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("%w: %s holds %s, the log's key in force is %s", errNotInForce, "this server", key.Verifier, inForce)
	}
	return events[:best], nil
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

// AnnouncementCheckpoint returns the first checkpoint whose tree holds the edition's last
// results.announced (the one the results cite, which a verifier may be given to pin, check K4), or ""
// while the log has not integrated it.
func (l *Log) AnnouncementCheckpoint(ctx context.Context, editionID uuid.UUID) (string, error) {
	cp, err := l.q.AnnouncementCheckpoint(ctx, l.pool, &editionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	cp, err = l.cosigned(ctx, l.pool, cp)
	return cp.Note, err
}

// LatestCheckpoint returns the newest signed checkpoint, with the witnesses' cosignatures it has.
func (l *Log) LatestCheckpoint(ctx context.Context) (string, error) {
	c, err := l.q.LatestCheckpoint(ctx, l.pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fault.Preconditionf("", "the log has no checkpoint yet")
	}
	if err != nil {
		return "", err
	}
	c, err = l.cosigned(ctx, l.pool, c)
	return c.Note, err
}

// checkSize fails unless the tree has at least size leaves.
func (l *Log) checkSize(ctx context.Context, size int64, field string) error {
	have, err := l.q.TreeSize(ctx, l.pool)
	if err != nil {
		return err
	}
	if size > have {
		return fault.Invalidf(field, "the tree has %d leaves", have)
	}
	return nil
}

// nodeHashes reads the hashes of the given nodes of the tree (perfect subtrees: leaves from
// log_leaves, the others from log_nodes) in one query.
func (l *Log) nodeHashes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	if len(ids) == 0 {
		return [][]byte{}, nil
	}
	arg := auditlogdb.NodeHashesParams{Levels: make([]int16, len(ids)), Indexes: make([]int64, len(ids))}
	for i, id := range ids {
		arg.Levels[i], arg.Indexes[i] = int16(id.Level), int64(id.Index)
	}
	hashes, err := l.q.NodeHashes(ctx, l.pool, arg)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(ids) {
		return nil, fmt.Errorf("audit log: %d hashes for %d nodes", len(hashes), len(ids))
	}
	for i, h := range hashes {
		if len(h) != sha256.Size {
			return nil, fmt.Errorf("audit log: node %d at level %d is not in the log", ids[i].Index, ids[i].Level)
		}
	}
	return hashes, nil
}

// Inclusion returns the leaf's hash and the proof that it is in the tree of size leaves. It reads
// the O(log size) node hashes the proof is made of, not the leaves.
func (l *Log) Inclusion(ctx context.Context, index, size int64) ([]byte, [][]byte, error) {
	if index >= size {
		return nil, nil, fault.Invalidf("leaf_index", "must be less than tree_size %d", size)
	}
	if err := l.checkSize(ctx, size, "tree_size"); err != nil {
		return nil, nil, err
	}
	nodes, err := proof.Inclusion(uint64(index), uint64(size))
	if err != nil {
		return nil, nil, fmt.Errorf("inclusion proof: %w", err)
	}
	hashes, err := l.nodeHashes(ctx, append([]compact.NodeID{compact.NewNodeID(0, uint64(index))}, nodes.IDs...))
	if err != nil {
		return nil, nil, err
	}
	p, err := nodes.Rehash(hashes[1:], rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return hashes[0], p, nil
}

// Consistency proves the tree of size1 leaves is a prefix of the tree of size2 leaves, from the
// O(log size2) node hashes the proof is made of.
func (l *Log) Consistency(ctx context.Context, size1, size2 int64) ([][]byte, error) {
	if size1 > size2 {
		return nil, fault.Invalidf("first_tree_size", "must not exceed second_tree_size %d", size2)
	}
	if err := l.checkSize(ctx, size2, "second_tree_size"); err != nil {
		return nil, err
	}
	if size1 == 0 {
		return [][]byte{}, nil // every tree extends the empty one: nothing to prove
	}
	nodes, err := proof.Consistency(uint64(size1), uint64(size2))
	if err != nil {
		return nil, err
	}
	hashes, err := l.nodeHashes(ctx, nodes.IDs)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// LeafIndex returns the leaf of an event, or -1 while it is not integrated yet.
func (l *Log) LeafIndex(ctx context.Context, q auditlogdb.DBTX, eventID int64) (int64, error) {
	i, err := l.q.LeafOfEvent(ctx, q, eventID)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1, nil
	}
	return i, err
}

// The audit bundle of an edition (§10 of the specification): exported under a checkpoint, and for the
// downloads built once per checkpoint into the files Bundles keeps.

// exportQuery reads the leaves of the first $2 leaves in order: for the edition $1's own leaves and
// the key rotations (§10 of the specification) the event rows (re-encoded, so that an event changed after it was logged no longer matches its signed
// leaf), for every other leaf only its edition and body hash. It is read as a stream, not a slice: a
// log can hold millions of leaves.
const exportQuery = `
SELECT l.leaf_index, l.edition_id, l.body_sha256, e.id, e.kind,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.actor_role END,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.actor_id END,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.payload::text END,
       e.create_time
FROM log_leaves l JOIN events e ON e.id = l.event_id
WHERE l.leaf_index < $2
ORDER BY l.leaf_index`

// Export writes the bundle of the edition of year (§10 of the specification) under the newest
// checkpoint: the log up to it, and the parts the edition's stage in that log and its publication
// setting disclose. A draft edition has no bundle.
func (l *Log) Export(ctx context.Context, d Disclosures, year int32, w io.Writer) error {
	if l.signingKey().signer == "" {
		// A reader without the key (miasta audit export) exports what the servers integrated.
	} else if _, err := l.Integrate(ctx); err != nil {
		l.log.WarnContext(ctx, "audit log: integration before the export failed; exporting what is integrated", "error", err)
	}
	return l.exportAt(ctx, d, year, nil, w)
}

// exportAt writes the bundle under the checkpoint cp, or under the newest when cp is nil.
func (l *Log) exportAt(ctx context.Context, d Disclosures, year int32, at *auditlogdb.Checkpoint, w io.Writer) error {
	editionID, publication, draft, err := d.EditionForYear(ctx, year)
	if err != nil {
		return err
	}
	if draft {
		return fault.NotFoundf("year", "no edition of %d is published", year)
	}
	tx, err := l.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var cp auditlogdb.Checkpoint
	if at != nil {
		cp = *at
	} else {
		cp, err = l.q.LatestCheckpoint(ctx, tx)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.Preconditionf("year", "the audit log has no checkpoint yet")
	}
	if err != nil {
		return err
	}
	if cp, err = l.cosigned(ctx, tx, cp); err != nil {
		return err
	}
	verifier, err := l.LogKey(ctx)
	if err != nil {
		return err
	}
	// First pass: the edition's events, for what the bundle must disclose.
	events, err := editionEvents(ctx, tx, editionID, cp.TreeSize)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return fault.NotFoundf("year", "no edition of %d is in the audit log yet", year)
	}
	p := verify.Parts{EditionID: editionID.String(), Year: int(year), Publication: publication, VerifierKey: verifier, Checkpoint: cp.Note}
	if err := disclose(ctx, d, editionID, publication, events, &p); err != nil {
		return err
	}
	// Second pass: the log itself, streamed.
	rows, err := tx.Query(ctx, exportQuery, editionID, cp.TreeSize)
	if err != nil {
		return err
	}
	defer rows.Close()
	return verify.WriteBundle(w, p, func(yield func(verify.Entry) error) error {
		want := int64(0)
		for rows.Next() {
			var (
				index      int64
				edition    *uuid.UUID
				bodyHash   []byte
				id         int64
				kind, role *string
				actor      *uuid.UUID
				payload    *string
				at         time.Time
			)
			if err := rows.Scan(&index, &edition, &bodyHash, &id, &kind, &role, &actor, &payload, &at); err != nil {
				return err
			}
			if index != want {
				return fmt.Errorf("audit log: leaf %d missing", want)
			}
			want++
			if edition != nil && *edition == editionID || edition == nil && *kind == string(event.KeyRotated) {
				body, err := Body(id, edition, *kind, role, actor, *payload, at)
				if err != nil {
					return err
				}
				if err := yield(verify.Entry{Body: body, Edition: editionString(edition)}); err != nil {
					return err
				}
				continue
			}
			if err := yield(verify.Entry{Edition: editionString(edition), Digest: bodyHash}); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if want != cp.TreeSize {
			return fmt.Errorf("audit log: %d leaves under a checkpoint of %d", want, cp.TreeSize)
		}
		return nil
	})
}

func editionEvents(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, size int64) ([]editionEvent, error) {
	rows, err := auditlogdb.New().EditionEventsInLog(ctx, tx, auditlogdb.EditionEventsInLogParams{EditionID: &editionID, Size: size})
	if err != nil {
		return nil, err
	}
	out := make([]editionEvent, len(rows))
	for i, r := range rows {
		out[i] = editionEvent{id: r.ID, kind: r.Kind, payload: r.Payload}
	}
	return out, nil
}

// Open returns the newest bundle of the edition of year (as Get) with its file, or with gzip its
// gzip copy, open for a download.
func (b *Bundles) Open(ctx context.Context, year int32, gzipped bool) (*Bundle, *os.File, error) {
	bundle, err := b.Get(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	f, err := bundle.open(gzipped)
	if err != nil { // pruned between Get and open by a newer build: that one is as good
		if bundle, err = b.Get(ctx, year); err == nil {
			f, err = bundle.open(gzipped)
		}
	}
	return bundle, f, err
}

// Get returns the bundle of the edition of year under the log's newest checkpoint, building it if no
// one has yet. A draft edition has no bundle (NotFound).
func (b *Bundles) Get(ctx context.Context, year int32) (*Bundle, error) {
	if b.log.signingKey().signer != "" {
		// The freshest events first, as Export does; one integration for every caller at once.
		ch := b.integrations.DoChan("", func() (any, error) {
			ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			return b.log.Integrate(ictx)
		})
		select {
		case r := <-ch:
			if r.Err != nil {
				b.log.log.WarnContext(ctx, "audit log: integration before the export failed; exporting what is integrated", "error", r.Err)
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	editionID, _, draft, err := b.d.EditionForYear(ctx, year)
	if err != nil {
		return nil, err
	}
	if draft {
		return nil, fault.NotFoundf("year", "no edition of %d is published", year)
	}
	cp, err := b.log.q.LatestCheckpoint(ctx, b.log.pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.Preconditionf("year", "the audit log has no checkpoint yet")
	}
	if err != nil {
		return nil, err
	}
	// The name covers the cosignatures too: a witness's arriving makes a new bundle.
	if cp, err = b.log.cosigned(ctx, b.log.pool, cp); err != nil {
		return nil, err
	}
	name := bundleName(editionID, cp)

	b.mu.Lock()
	nb := b.newest[editionID]
	b.mu.Unlock()
	if nb != nil && filepath.Base(nb.path) == name+".json" {
		if _, err := os.Stat(nb.path); err == nil { // another server sharing the directory may have pruned it
			return nb, nil
		}
	}
	ch := b.builds.DoChan(name, func() (any, error) {
		// Built for everyone waiting, not for the first caller only: its cancellation stops nothing.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
		defer cancel()
		if nb, err := b.find(editionID, year, cp.TreeSize, name); err == nil {
			return nb, nil
		}
		select {
		case b.building <- struct{}{}:
		case <-time.After(5 * time.Minute):
			return nil, connect.NewError(connect.CodeUnavailable, errors.New("the server is busy building bundles; retry in a minute"))
		}
		defer func() { <-b.building }()
		// The log may have moved on while this waited its turn: build the newest bundle, once, rather
		// than every one in between.
		at, atName := cp, name
		if latest, err := b.log.q.LatestCheckpoint(bctx, b.log.pool); err == nil && latest.TreeSize > at.TreeSize {
			if latest, err = b.log.cosigned(bctx, b.log.pool, latest); err != nil {
				return nil, err
			}
			at, atName = latest, bundleName(editionID, latest)
			if nb, err := b.find(editionID, year, at.TreeSize, atName); err == nil {
				return nb, nil
			}
		}
		return b.build(bctx, editionID, year, at, atName, func(w io.Writer) error { return b.log.exportAt(bctx, b.d, year, &at, w) })
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		nb := r.Val.(*Bundle)
		b.mu.Lock()
		if old := b.newest[editionID]; old == nil || old.TreeSize < nb.TreeSize {
			b.newest[editionID] = nb
		}
		b.mu.Unlock()
		return nb, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
