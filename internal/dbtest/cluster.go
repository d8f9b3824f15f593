package dbtest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/db"
)

// pgBin is where Debian installs the PostgreSQL server programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// Cluster is a private PostgreSQL server for tests that stop and start the database, which the
// shared test server must not suffer. It runs as the postgres user, so the test must run as root.
type Cluster struct {
	t    testing.TB
	dir  string
	port int
	// URL is a migrated database on the cluster.
	URL string
}

// NewCluster initialises, starts and migrates a private cluster on a free loopback port; it is
// removed when the test ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	pg, err := user.Lookup("postgres")
	if err != nil || os.Geteuid() != 0 {
		t.Fatalf("a private PostgreSQL cluster needs root and the postgres user (Debian's postgresql package): %v", err)
	}
	dir, err := os.MkdirTemp("", "miasta-pg-")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c := &Cluster{t: t, dir: dir, port: port}
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if out, err := c.asPostgres(filepath.Join(pgBin, "initdb"), "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	ctx := context.Background()
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE miasta"); err != nil {
		t.Fatal(err)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/miasta?sslmode=disable", port)
	pool, err := db.Open(ctx, c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) asPostgres(args ...string) (string, error) {
	out, err := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (c *Cluster) pgctl(args ...string) error {
	full := append([]string{filepath.Join(pgBin, "pg_ctl"), "-D", c.data(), "-w"}, args...)
	if out, err := c.asPostgres(full...); err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	if err := c.pgctl("start", "-l", filepath.Join(c.dir, "log"), "-o", opts); err != nil {
		c.t.Fatal(err)
	}
}

// Stop shuts the cluster down at once (fast mode: sessions are ended, as in a failover).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", "fast"); err != nil {
		c.t.Fatal(err)
	}
}
