// Package devdb makes a local PostgreSQL available for `miasta dev` and the tests on a developer's
// machine: it uses a given URL when it answers, otherwise starts the Debian cluster that is installed
// but not running, and creates the role and database the platform uses.
package devdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is where Ensure puts the development database.
const DefaultURL = "postgres://miasta:miasta@127.0.0.1:5432/miasta?sslmode=disable"

// Ensure returns a URL of a PostgreSQL database that accepts connections. A non-empty url is used as
// it is (an error when it does not answer); otherwise DefaultURL, setting it up first if needed. When
// it had to start a cluster, stop (non-nil) stops it again.
func Ensure(ctx context.Context, url string, log *slog.Logger) (_ string, stop func() error, _ error) {
	if url != "" {
		if err := ping(ctx, url); err != nil {
			return "", nil, fmt.Errorf("database %s does not answer: %w", redact(url), err)
		}
		return url, nil, nil
	}
	if ping(ctx, DefaultURL) == nil {
		return DefaultURL, nil, nil
	}
	log.Info("no development database answers; setting up the local PostgreSQL cluster")
	stop, err := startCluster(ctx, log)
	if err != nil {
		return "", nil, err
	}
	if err := createRoleAndDatabase(ctx); err != nil {
		return "", stop, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := ping(ctx, DefaultURL)
		if err == nil {
			return DefaultURL, stop, nil
		}
		if time.Now().After(deadline) {
			return "", stop, fmt.Errorf("local PostgreSQL set up but %s does not answer: %w", redact(DefaultURL), err)
		}
		select {
		case <-ctx.Done():
			return "", stop, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func ping(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

// startCluster starts the first cluster pg_lsclusters lists (Debian's postgresql-common), creating
// "15 main" when there is none, and returns how to stop it (nil when it was running already).
func startCluster(ctx context.Context, log *slog.Logger) (stop func() error, _ error) {
	if _, err := exec.LookPath("pg_lsclusters"); err != nil {
		return nil, errors.New("no database: set DATABASE_URL, or install PostgreSQL (Debian: apt-get install postgresql)")
	}
	out, err := exec.CommandContext(ctx, "pg_lsclusters", "--no-header").Output()
	if err != nil {
		return nil, fmt.Errorf("pg_lsclusters: %w", err)
	}
	version, name := "15", "main"
	if fields := strings.Fields(string(out)); len(fields) >= 4 {
		version, name = fields[0], fields[1]
		if fields[3] == "online" {
			return nil, nil
		}
		log.Info("starting PostgreSQL cluster", "version", version, "name", name)
		err = run(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start")
	} else {
		log.Info("creating PostgreSQL cluster", "version", version, "name", name)
		err = run(ctx, "pg_createcluster", version, name, "--start")
	}
	if err != nil {
		return nil, err
	}
	return func() error {
		return run(context.Background(), "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop")
	}, nil
}

// createRoleAndDatabase connects as the postgres superuser over the local socket (peer
// authentication) and creates the miasta role and database when missing, marking the database as
// miasta dev's (see Claim). The role is a superuser: tests create a database per test and check
// what a superuser can do to the audit tables.
func createRoleAndDatabase(ctx context.Context) error {
	script := `
SELECT 'CREATE ROLE miasta LOGIN SUPERUSER PASSWORD ''miasta'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'miasta') \gexec
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'miasta') AS create_db \gset
\if :create_db
CREATE DATABASE miasta OWNER miasta;
COMMENT ON DATABASE miasta IS ` + quoteLiteral(Mark) + `;
\endif
`
	args := []string{"psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d", "postgres"}
	if os.Geteuid() == 0 {
		args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("creating the miasta role and database: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Mark is the comment on a database miasta dev created (or found empty and took). miasta dev seeds
// demo people, sends mail without review and offers one-click sign-in as the organiser, so it works
// only on a database carrying this mark; `miasta dev -reset` wipes only such a database.
const Mark = "miasta dev: the demo database of the Miasta Otwarte platform (miasta dev -reset wipes it)"

// Claim checks that url's database is miasta dev's: it carries Mark, or it is empty (no table, view
// or sequence outside the system schemas), in which case Claim marks it. Any other database is
// refused: miasta dev must never turn a real platform's database into a demo.
func Claim(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("database %s: %w", redact(url), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var name, comment string
	var relations int
	err = conn.QueryRow(ctx, `
		SELECT current_database(), coalesce(shobj_description(d.oid, 'pg_database'), ''),
		       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
		          AND n.nspname NOT LIKE 'pg\_temp\_%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
		FROM pg_database d WHERE d.datname = current_database()`).Scan(&name, &comment, &relations)
	if err != nil {
		return fmt.Errorf("database %s: %w", redact(url), err)
	}
	switch {
	case comment == Mark:
		return nil
	case relations > 0:
		return fmt.Errorf("database %q (%s) was not created by miasta dev and is not empty; miasta dev seeds demo people, "+
			"sends mail without review and offers one-click organiser sign-in, so it will not use it: serve a real database "+
			"with `miasta serve`, or point DATABASE_URL at an empty database (or unset it for the local demo one). A demo "+
			"database made before miasta dev marked its own has no mark either: drop it (runuser -u postgres -- dropdb %s) "+
			"and run again", name, redact(url), name)
	}
	if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+pgx.Identifier{name}.Sanitize()+" IS "+quoteLiteral(Mark)); err != nil {
		return fmt.Errorf("marking the empty database %q as miasta dev's: %w", name, err)
	}
	return nil
}

// Reset empties a database Claim accepts: every table, view, sequence, function and type in the
// public schema goes (migrations and the seed then start again); the mark stays.
func Reset(ctx context.Context, url string) error {
	if err := Claim(ctx, url); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("database %s: %w", redact(url), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"); err != nil {
		return fmt.Errorf("resetting the demo database: %w", err)
	}
	return nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// redact hides a URL's password for messages.
func redact(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "(unparseable database URL)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// shareKey is the advisory lock every command run under `miasta dev-db --` holds shared, so that
// the one that started the cluster can tell whether another still needs it.
const shareKey = 0x6d6961737461 // "miasta"

// Share is one user's hold on the local cluster, for as long as a command runs.
type Share struct {
	conn *pgx.Conn
}

// Hold takes a shared hold on the cluster url is on.
func Hold(ctx context.Context, url string) (*Share, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redact(url), err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock_shared($1)", int64(shareKey)); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("holding the cluster: %w", err)
	}
	return &Share{conn: conn}, nil
}

// Release lets go of the hold and reports whether nobody else uses the cluster: no other holder
// and no other client session (a `miasta dev`, another engineer's tests, a psql).
func (s *Share) Release(ctx context.Context) (alone bool, _ error) {
	defer s.conn.Close(context.WithoutCancel(ctx))
	var exclusive bool
	var others int
	// A holder that released a moment ago may still be listed while its backend exits: look again for
	// up to five seconds (a busy machine is slow to end a backend) before counting it as someone else.
	for try := 0; ; try++ {
		err := s.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1),
			(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())`,
			int64(shareKey)).Scan(&exclusive, &others)
		if err != nil {
			return false, err
		}
		if exclusive && others == 0 || try == 50 {
			return exclusive && others == 0, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
