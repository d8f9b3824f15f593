package auditlog_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestLogIntegratesPastOtherDatabasesTransactions: transaction ids are cluster-wide, and a transaction
// held open in another database of the cluster used to stop every event from being integrated. It must
// not; a transaction of the platform's own database does hold integration back (one of its events may
// still commit), and readiness then says how far behind the log is.
func TestLogIntegratesPastOtherDatabasesTransactions(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	other, err := url.Parse(dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	other.Path = "/postgres"
	dbtest.OpenTransaction(t, other.String())

	testenv.SeedEdition(t, org)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatalf("with a transaction open in another database, the log did not integrate the new events: %v", err)
	}

	own := dbtest.OpenTransaction(t, env.Config.DatabaseURL)
	testenv.SeedEdition(t, org)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(env.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "audit log:") && strings.Contains(string(body), "not yet integrated") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readiness with the log held back = %d %q; want 200 and the lag", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := own.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatalf("once the transaction ended, the log did not catch up: %v", err)
	}
}
