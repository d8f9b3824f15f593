// Package dbtest gives each test its own migrated PostgreSQL database, cloned from a template that is
// migrated once per set of migrations (pgtestdb). Tests that need a database fail, never skip, when
// none is configured.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb connects with
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/common"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/migrations"
)

// AdminURL is the server URL tests create databases with: $TEST_DATABASE_URL, else $DATABASE_URL.
// `make test` sets it, starting a local PostgreSQL when needed.
func AdminURL(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := lookupEnv(name); v != "" {
			return v
		}
	}
	t.Fatal("no test database: set TEST_DATABASE_URL (make test does this, starting a local PostgreSQL)")
	return ""
}

// Config returns pgtestdb's view of AdminURL.
func Config(t testing.TB) pgtestdb.Config {
	t.Helper()
	u, err := url.Parse(AdminURL(t))
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       u.Port(),
		User:       u.User.Username(),
		Password:   pw,
		Database:   strings.TrimPrefix(u.Path, "/"),
		Options:    u.RawQuery,
	}
}

// migrator applies the embedded migrations to pgtestdb's template database.
type migrator struct{}

func (migrator) Hash() (string, error) {
	return common.HashDirs(migrations.FS, "*.sql", ".")
}

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	return db.MigrateDB(ctx, sqlDB, slog.New(slog.DiscardHandler))
}

// NewURL returns the URL of a fresh, migrated database that is dropped when the test passes.
func NewURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, Config(t), migrator{}).URL()
}

// NewPool returns a pool on a fresh, migrated database.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), NewURL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewEmptyURL returns the URL of a new, empty database (not migrated: for tests of migrating and of
// `miasta dev`, which takes only a database it created or found empty). It is dropped when the
// test ends, whatever the test left connected to it.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin := AdminURL(t)
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	name := "miasta_empty_" + strings.ToLower(rand.Text())[:16]
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// A connection of its own: anything opened during the test may be closed by now.
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
