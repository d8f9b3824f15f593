package db

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3/lock"
)

// migrationLockID is the advisory lock that serialises migrations across replicas.
const migrationLockID = 0x6d696173 // "mias"

// Replicas that start while another applies the migrations try the lock again every
// migrationLockPoll, for up to migrationLockTries times (15 minutes: a long data migration must not
// make the waiting replicas give up), then find nothing pending and go on. goose's default polls
// every 5 s for 5 minutes.
const (
	migrationLockPoll  = 1 // second, goose's smallest period
	migrationLockTries = 900
)

func newSessionLocker() (lock.SessionLocker, error) {
	l, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(migrationLockPoll, migrationLockTries))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return l, nil
}

// TryXactLock takes the advisory lock key for the rest of the transaction if no other session holds
// it, and reports whether it did: how one replica among many is elected for a periodic job.
func TryXactLock(ctx context.Context, tx pgx.Tx, key int64) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&ok)
	return ok, err
}

// XactLock takes the advisory lock key for the rest of the transaction, waiting for any session
// holding it: how rare changes that must not run at once (a key rotation) are serialised.
func XactLock(ctx context.Context, tx pgx.Tx, key int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

// EditionLockClass is the first key of the two-key advisory locks on editions (the second is the
// edition's hash), so that they never meet the single-key locks above.
const EditionLockClass = 0x6d696564 // "mied"

// LockEditionShared takes, for the rest of the transaction, the edition's advisory lock in shared mode:
// changes within an edition (a cast, a save) share it, and a stage change waits for them to finish.
// PostgreSQL queues lock requests in order, so once a stage change waits for the lock, later shared
// requests wait behind it: a close takes effect promptly however many casts keep arriving (row locks,
// by contrast, let new share lockers overtake a waiting writer).
func LockEditionShared(ctx context.Context, tx pgx.Tx, editionID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, hashtext($2::text))`, int32(EditionLockClass), editionID)
	return err
}

// LockEditionExclusive takes the edition's advisory lock exclusively for the rest of the transaction:
// a stage change.
func LockEditionExclusive(ctx context.Context, tx pgx.Tx, editionID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2::text))`, int32(EditionLockClass), editionID)
	return err
}
