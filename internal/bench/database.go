package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// createDatabase creates a database with a random name next to adminURL's and returns its URL and a
// function that drops it. It refuses a server that is not on this machine: the run loads the
// database as hard as it can and pgbench writes to it.
func createDatabase(ctx context.Context, adminURL string) (string, func() error, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("database URL: want postgres://… (%v)", err)
	}
	cc, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("database URL: %w", err)
	}
	if !local(cc.Host) {
		return "", nil, fmt.Errorf("database host %q is not this machine: the benchmark only runs against a local PostgreSQL", cc.Host)
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "miasta_bench_" + hex.EncodeToString(suffix)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create the throwaway database (the role needs CREATEDB): %w", err)
	}
	drop := func() error {
		// Even when the run was interrupted: a fresh context, bounded.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		c, err := pgx.ConnectConfig(dctx, cc)
		if err != nil {
			return err
		}
		defer c.Close(dctx)
		_, err = c.Exec(dctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	}
	dbURL := *u
	dbURL.Path = "/" + name
	return dbURL.String(), drop, nil
}

// local reports whether a PostgreSQL host is this machine: a loopback address, localhost, or a Unix
// socket directory.
func local(host string) bool {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func databaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(u.Path, "/")
}

// withParam returns dbURL with the query parameter key set to value.
func withParam(dbURL, key, value string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// libpqURL returns dbURL for libpq (pgbench) without its password, and the password: pgx's pool_*
// parameters, which libpq does not know, are dropped.
func libpqURL(dbURL string) (string, string) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL, ""
	}
	password, _ := u.User.Password()
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), password
}

// redact hides a URL's password.
func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// postgresVersion is the server's version and the settings that decide what a commit costs, or ""
// when they cannot be read.
func postgresVersion(ctx context.Context, dbURL string) string {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return ""
	}
	defer conn.Close(ctx)
	var v, fsync, syncCommit string
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit')").Scan(&v, &fsync, &syncCommit); err != nil {
		return ""
	}
	return fmt.Sprintf("%s (fsync %s, synchronous_commit %s)", v, fsync, syncCommit)
}
