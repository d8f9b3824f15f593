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
// authentication) and creates the miasta role and database when missing. The role is a superuser:
// tests create a database per test and check what a superuser can do to the audit tables.
func createRoleAndDatabase(ctx context.Context) error {
	const script = `
SELECT 'CREATE ROLE miasta LOGIN SUPERUSER PASSWORD ''miasta'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'miasta') \gexec
SELECT 'CREATE DATABASE miasta OWNER miasta'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'miasta') \gexec
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
