package db

import (
	"fmt"

	"github.com/pressly/goose/v3/lock"
)

// migrationLockID is the advisory lock that serialises migrations across replicas.
const migrationLockID = 0x6d696173 // "mias"

func newSessionLocker() (lock.SessionLocker, error) {
	l, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return l, nil
}
