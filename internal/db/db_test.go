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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
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
