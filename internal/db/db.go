// Package db opens the PostgreSQL pool, applies the embedded migrations and runs transactions that
// retry when PostgreSQL asks them to.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/miasta-otwarte/miasta/migrations"
)

// Option adjusts how Open connects.
type Option func(*pgxpool.Config)

// StatementTimeout makes PostgreSQL cancel any statement of the pool's connections that runs longer
// than d (0: no limit), so a slow query cannot pile up connections.
func StatementTimeout(d time.Duration) Option {
	return func(c *pgxpool.Config) {
		if d > 0 {
			c.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(d.Milliseconds())
		}
	}
}

// Open connects a pool to url and checks that the database answers.
func Open(ctx context.Context, url string, opts ...Option) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database does not answer: %w", err)
	}
	return pool, nil
}

// Migrate applies every pending migration. It is safe to run again: applied migrations are skipped,
// and concurrent runs (several replicas starting) are serialised by goose's session lock.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	return MigrateDB(ctx, sqlDB, log)
}

// MigrateDB is Migrate over a database/sql handle (for tools that hand one out, like test templates).
func MigrateDB(ctx context.Context, sqlDB *sql.DB, log *slog.Logger) error {
	locker, err := newSessionLocker()
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	// The Polish dictionary may have been installed since the search migration fell back without it:
	// take it up now (a no-op when it is in use).
	var dict string
	if err := sqlDB.QueryRowContext(ctx, "SELECT search_use_dictionary()").Scan(&dict); err != nil {
		return fmt.Errorf("search dictionary: %w", err)
	}
	return nil
}

// Pending reports how many migrations are not applied yet.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	status, err := provider.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, s := range status {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// Beginner starts transactions; *pgxpool.Pool and pgx.Tx (for a nested savepoint) both are.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// maxAttempts bounds how often InTx runs fn when PostgreSQL keeps reporting serialization failures.
const maxAttempts = 10

// InTx runs fn in a transaction and commits it. When PostgreSQL aborts the transaction with a
// serialization failure (40001) or a deadlock (40P01) the whole transaction, fn included, runs again
// after a short, growing pause, so fn must not have effects outside the transaction.
func InTx(ctx context.Context, db Beginner, fn func(pgx.Tx) error) error {
	pause := 5 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, db, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(pause):
		}
		pause *= 2
	}
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// IsUniqueViolation reports whether err is PostgreSQL refusing a duplicate of a unique key, and which
// constraint it was.
func IsUniqueViolation(err error) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName, true
	}
	return "", false
}
