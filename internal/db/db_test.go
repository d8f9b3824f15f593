package db_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/migrations"
)

// TestMigrateEmptyDatabaseAndAgain migrates an empty database twice; the database is dropped
// afterwards (an earlier version closed its admin connection before its drop ran and left one
// behind on every run of make test).
func TestMigrateEmptyDatabaseAndAgain(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("migrate", func(t *testing.T) {
		url := dbtest.NewEmptyURL(t)
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		name = cfg.ConnConfig.Database
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()

		if n, err := db.Pending(ctx, pool); err != nil || n == 0 {
			t.Fatalf("Pending on an empty database = %d, %v; want > 0", n, err)
		}
		log := slog.New(slog.DiscardHandler)
		for i := range 2 {
			if err := db.Migrate(ctx, pool, log); err != nil {
				t.Fatalf("Migrate #%d: %v", i+1, err)
			}
			if n, err := db.Pending(ctx, pool); err != nil || n != 0 {
				t.Fatalf("Pending after Migrate #%d = %d, %v; want 0", i+1, n, err)
			}
		}
		var tables int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('editions', 'events', 'users')`).Scan(&tables); err != nil || tables != 3 {
			t.Fatalf("tables after migrate = %d, %v; want 3", tables, err)
		}
	})
	admin, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var left bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&left); err != nil || left {
		t.Fatalf("database %s still exists after the test (%v)", name, err)
	}
}

// TestEveryQueryPreparesAgainstTheSchema proves that the schema the migrations build is the one sqlc
// generated code for: PostgreSQL prepares (parses, resolves and types) every generated query.
func TestEveryQueryPreparesAgainstTheSchema(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	queries := generatedQueries(t, "..")
	if len(queries) < 20 {
		t.Fatalf("found %d generated queries; the walk is broken", len(queries))
	}
	for name, sql := range queries {
		if _, err := conn.Conn().Prepare(ctx, name, sql); err != nil {
			t.Errorf("%s does not prepare: %v", name, err)
		}
	}
}

// generatedQueries finds the SQL constants sqlc wrote under root.
func generatedQueries(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						continue
					}
					s, err := strconv.Unquote(lit.Value)
					if err == nil && strings.HasPrefix(s, "-- name:") {
						out[filepath.Base(filepath.Dir(path))+"."+vs.Names[i].Name] = s
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInTxRetriesSerializationFailures(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	attempts := 0
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		attempts++
		if _, err := tx.Exec(ctx, `INSERT INTO cities (name) VALUES ('Białystok')`); err != nil {
			return err
		}
		if attempts == 1 {
			_, err := tx.Exec(ctx, `DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$`)
			return err
		}
		return nil
	})
	if err != nil || attempts != 2 {
		t.Fatalf("InTx = %v after %d attempts; want nil after 2", err, attempts)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cities WHERE name = 'Białystok'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("cities named Białystok = %d, %v; want exactly 1 (the first attempt rolled back)", n, err)
	}
}

func TestInTxDoesNotRetryOtherErrors(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	attempts := 0
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		attempts++
		_, err := tx.Exec(ctx, `INSERT INTO cities (name) VALUES ('')`) // violates the length check
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23514" || attempts != 1 {
		t.Fatalf("InTx = %v after %d attempts; want a check violation after 1", err, attempts)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	if _, err := pool.Exec(ctx, `INSERT INTO events (kind, payload) VALUES ('test', '{}')`); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE events SET kind = 'forged'`,
		`DELETE FROM events`,
		`TRUNCATE events`,
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s succeeded; the event table must be append-only", stmt)
		}
	}
	var kind string
	if err := pool.QueryRow(ctx, `SELECT kind FROM events`).Scan(&kind); err != nil || kind != "test" {
		t.Fatalf("event after refused changes = %q, %v; want it unchanged", kind, err)
	}
}

// TestConcurrentMigrationsApplyOnce starts several replicas' migrations at once against a fresh
// database, each with its own pool, as replicas of `miasta serve -migrate` would, while the test holds
// the migration lock as a replica that got there first would: none of them migrates while it is held;
// once it is released every one succeeds, each migration is applied (and logged) once, by whichever
// replica took the lock next, and the others waited for it and then found nothing left to do.
func TestConcurrentMigrationsApplyOnce(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewEmptyURL(t)
	holder, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(db.MigrationLockID)); err != nil {
		t.Fatal(err)
	}
	const replicas = 4
	var logs [replicas]strings.Builder
	errs := make(chan error, replicas)
	for i := range replicas {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		log := slog.New(slog.NewTextHandler(&logs[i], nil))
		go func() { errs <- db.Migrate(ctx, pool, log) }()
	}
	select {
	case err := <-errs:
		t.Fatalf("a replica's Migrate returned (%v) while another held the migration lock", err)
	case <-time.After(2 * time.Second):
	}
	var migrated bool
	if err := holder.QueryRow(ctx, `SELECT EXISTS (SELECT FROM information_schema.tables WHERE table_name = 'users')`).Scan(&migrated); err != nil || migrated {
		t.Fatalf("the schema was changed while the migration lock was held (%v)", err)
	}
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(db.MigrationLockID)); err != nil {
		t.Fatal(err)
	}
	for i := range replicas {
		select {
		case err := <-errs:
			if err != nil {
				t.Errorf("replica %d of %d: Migrate: %v", i+1, replicas, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("only %d of %d replicas finished migrating within a minute of the lock's release", i, replicas)
		}
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n, err := db.Pending(ctx, pool); err != nil || n != 0 {
		t.Fatalf("Pending after the concurrent migrations = %d, %v; want 0", n, err)
	}
	var versions, rows int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT version_id), count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions, &rows); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	if versions != len(files) || rows != len(files) {
		t.Errorf("goose_db_version has %d rows for %d versions; want each of the %d migrations recorded once", rows, versions, len(files))
	}
	applied, appliers := 0, 0
	for i := range replicas {
		n := strings.Count(logs[i].String(), "migration applied")
		applied += n
		if n > 0 {
			appliers++
		}
	}
	if applied != len(files) || appliers != 1 {
		t.Errorf("%d migrations logged as applied by %d replicas; want %d by one", applied, appliers, len(files))
	}
}
