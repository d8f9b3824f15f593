package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// TestDevRefusesADatabaseItDidNotCreate points `miasta dev` at a platform database (migrated, with
// data, not marked as the demo's): it refuses at once, and no mail policy was switched to automatic.
func TestDevRefusesADatabaseItDidNotCreate(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.NewURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO cities (name) VALUES ('Szczecin')"); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	for _, flags := range [][]string{nil, {"-reset"}} {
		errc := make(chan error, 1)
		go func() {
			args := append([]string{"miasta", "dev", "-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-token-dir", t.TempDir(),
				"-smtp-addr", "127.0.0.1:0", "-mail-dir", t.TempDir(), "-audit-key-file", keyFile}, flags...)
			errc <- run(ctx, args, env(map[string]string{"DATABASE_URL": dbURL}), io.Discard, io.Discard)
		}()
		select {
		case err := <-errc:
			if err == nil || !strings.Contains(err.Error(), "not created by miasta dev") {
				t.Fatalf("miasta dev %v on a database it did not create = %v; want a refusal", flags, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("miasta dev %v runs on a database it did not create", flags)
		}
	}
	var policies, cities int
	if err := conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM mail_policies), (SELECT count(*) FROM cities)").Scan(&policies, &cities); err != nil {
		t.Fatal(err)
	}
	if policies != 0 || cities != 1 {
		t.Fatalf("after the refusals: %d mail policies, %d cities; want 0 and the 1 there was", policies, cities)
	}
}

// TestDevKeepsTheDemoUntilReset: the demo database persists between runs and the banner says the
// edition's real stage; -reset starts the demo again.
func TestDevKeepsTheDemoUntilReset(t *testing.T) {
	t.Parallel()
	dbURL, tokens := dbtest.NewEmptyURL(t), t.TempDir()
	ctx := context.Background()
	d := runDev(t, dbURL, tokens)
	if !strings.Contains(d.banner, "stage REPORTING") {
		t.Fatalf("first run's banner:\n%s\nwant stage REPORTING", d.banner)
	}
	raw, err := os.ReadFile(filepath.Join(tokens, "organizator.token"))
	if err != nil {
		t.Fatal(err)
	}
	auth := connect.WithInterceptors(bearer(strings.TrimSpace(string(raw))).interceptor())
	editions := miastav1connect.NewEditionServiceClient(http.DefaultClient, d.base, auth)
	list, err := editions.ListEditions(ctx, &v1.ListEditionsRequest{})
	if err != nil || len(list.GetEditions()) != 1 {
		t.Fatalf("ListEditions = %v, %v", list, err)
	}
	if _, err := editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: list.GetEditions()[0].GetId(), Stage: v1.Stage_STAGE_DRAFT, Reason: "Próba"}); err != nil {
		t.Fatal(err)
	}
	if _, err := editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Sopot"}); err != nil {
		t.Fatal(err)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	d = runDev(t, dbURL, tokens)
	if !strings.Contains(d.banner, "stage DRAFT") {
		t.Fatalf("second run's banner:\n%s\nwant stage DRAFT: the demo database persists", d.banner)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	d = runDev(t, dbURL, tokens, "-reset")
	defer func() { _ = d.stop() }()
	if !strings.Contains(d.banner, "stage REPORTING") {
		t.Fatalf("banner after -reset:\n%s\nwant stage REPORTING", d.banner)
	}
	cities, err := miastav1connect.NewEditionServiceClient(http.DefaultClient, d.base).ListCities(ctx, &v1.ListCitiesRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cities.GetCities() {
		if c.GetName() == "Sopot" {
			t.Fatal("Sopot, created before -reset, is still there")
		}
	}
}
