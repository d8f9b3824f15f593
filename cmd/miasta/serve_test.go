package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// serveEnv starts a provider for a `miasta serve` on a fresh migrated database and returns the
// environment that configures it (on a free address, metrics off, logs at info).
// keygen writes a new audit key file with `miasta audit keygen` and returns it with the verifier key
// it printed.
func keygen(t *testing.T) (file, verifier string) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "audit.key")
	var out strings.Builder
	if err := run(context.Background(), []string{"miasta", "audit", "keygen", "-out", file}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("audit keygen: %v", err)
	}
	return file, strings.TrimSpace(out.String())
}

func serveEnv(t *testing.T) map[string]string {
	t.Helper()
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	addr := freeAddr(t)
	idp, err := devidp.New(devidp.Config{
		Issuer:  issuer,
		Users:   []devidp.User{{Subject: "org", Email: demo.OrganiserEmail, EmailVerified: true, Name: "Org"}},
		Clients: []devidp.Client{{ID: "miasta", Secret: "s", RedirectURIs: []string{"http://" + addr + "/auth/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp.Handler()}
	go func() { _ = idpSrv.Serve(idpLn) }()
	t.Cleanup(func() { _ = idpSrv.Close() })
	keyFile, _ := keygen(t)
	return map[string]string{
		"MIASTA_AUDIT_KEY_FILE": keyFile,
		"DATABASE_URL":          dbtest.NewURL(t),
		"MIASTA_ADDR":           addr,
		"OIDC_ISSUER":           issuer,
		"OIDC_CLIENT_ID":        "miasta",
		"MIASTA_ORGANISERS":     demo.OrganiserEmail,
		"MIASTA_LOG_LEVEL":      "info",
		"MIASTA_METRICS_ADDR":   "",
	}
}

// TestServeRefusesATakenMetricsPort: when the metrics listener cannot be opened, serve fails at once
// with a message naming the setting, and it never served the API (nor integrated or sent mail).
func TestServeRefusesATakenMetricsPort(t *testing.T) {
	t.Parallel()
	vars := serveEnv(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	vars["MIASTA_METRICS_ADDR"] = taken.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "metrics listener") || !strings.Contains(err.Error(), "MIASTA_METRICS_ADDR") {
			t.Fatalf("serve with the metrics port taken = %v; want an error about the metrics listener", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve kept running with its metrics port taken; logs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), `"msg":"serving"`) {
		t.Errorf("serve logged serving although it could not start:\n%s", logs.String())
	}
	if c, err := net.DialTimeout("tcp", vars["MIASTA_ADDR"], time.Second); err == nil {
		c.Close()
		t.Errorf("the API address still accepts connections after serve failed")
	}
}

// TestServeWithMetricsOff: MIASTA_METRICS_ADDR set but empty means no metrics listener, as README
// says, not the default address.
func TestServeWithMetricsOff(t *testing.T) {
	t.Parallel()
	vars := serveEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	waitReady(t, "http://"+vars["MIASTA_ADDR"], errc)
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(logs.String(), "serving metrics") {
		t.Fatalf("MIASTA_METRICS_ADDR= still opened a metrics listener:\n%s", logs.String())
	}
}

// TestShutdownTimeoutBoundsExit stops serve while calls are stuck behind a lock held outside the
// server: serve returns within the shutdown timeout (and a little), and every call gets an answer
// (Unavailable: retry elsewhere) instead of a dropped connection or no answer at all.
func TestShutdownTimeoutBoundsExit(t *testing.T) {
	t.Parallel()
	vars := serveEnv(t)
	vars["MIASTA_SHUTDOWN_TIMEOUT"] = "2s"
	vars["MIASTA_RPC_TIMEOUT"] = "60s"
	vars["MIASTA_STATEMENT_TIMEOUT"] = "60s"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, io.Discard) }()
	base := "http://" + vars["MIASTA_ADDR"]
	waitReady(t, base, errc)

	// Another session locks the editions table: every ListEditions waits for it.
	locker, err := pgx.Connect(context.Background(), vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(context.Background())
	tx, err := locker.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(context.Background(), "LOCK TABLE editions IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	const calls = 4 // 8 calls in all, within the pool's 10 connections
	type answer struct {
		code connect.Code
		err  error
		took time.Duration
	}
	answers := make(chan answer, 2*calls)
	for i := range 2 * calls {
		// Half over HTTP/1.1 (Connect), half over HTTP/2 (gRPC).
		hc := &http.Client{Timeout: 20 * time.Second}
		var opts []connect.ClientOption
		if i%2 == 1 {
			protocols := new(http.Protocols)
			protocols.SetUnencryptedHTTP2(true)
			hc.Transport = &http.Transport{Protocols: protocols}
			opts = append(opts, connect.WithGRPC())
		}
		c := miastav1connect.NewEditionServiceClient(hc, base, opts...)
		go func() {
			start := time.Now()
			_, err := c.ListEditions(context.Background(), &v1.ListEditionsRequest{})
			answers <- answer{connect.CodeOf(err), err, time.Since(start)}
		}()
	}
	// Watch from a session of its own: inside the locker's transaction pg_stat_activity is a snapshot.
	watcher, err := pgx.Connect(context.Background(), vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close(context.Background())
	waitFor(t, 10*time.Second, func() bool {
		var n int
		err := watcher.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ListEditions%'`).Scan(&n)
		return err == nil && n == 2*calls
	})
	stopped := time.Now()
	cancel()
	select {
	case err := <-errc:
		if took := time.Since(stopped); took > 3*time.Second {
			t.Errorf("serve took %v to stop with a 2s shutdown timeout", took)
		}
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of a 2 s shutdown timeout")
	}
	for range 2 * calls {
		select {
		case a := <-answers:
			if a.code != connect.CodeUnavailable {
				t.Errorf("a call stuck at shutdown got %v (%v); want Unavailable", a.code, a.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a call stuck at shutdown got no answer")
		}
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
