package devdb_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/devdb"
)

// TestShareKnowsWhenTheClusterIsFree: of two commands run under `miasta dev-db --` on one cluster,
// the first to end is not alone (so the cluster it may have started stays up for the other), the
// last is; and any other session keeps the cluster up too.
func TestShareKnowsWhenTheClusterIsFree(t *testing.T) {
	cluster := dbtest.NewCluster(t) // a private cluster: the shared test server always has other sessions
	ctx := context.Background()
	first, err := devdb.Hold(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	second, err := devdb.Hold(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	if alone, err := first.Release(ctx); err != nil || alone {
		t.Fatalf("first of two holders released: alone = %v, %v; want false", alone, err)
	}
	if alone, err := second.Release(ctx); err != nil || !alone {
		t.Fatalf("last holder released: alone = %v, %v; want true", alone, err)
	}

	other, err := pgx.Connect(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	third, err := devdb.Hold(ctx, cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	if alone, err := third.Release(ctx); err != nil || alone {
		t.Fatalf("holder released while another session is open: alone = %v, %v; want false", alone, err)
	}
}

// TestClaim: an empty database is taken and marked; a marked one is taken again; a database with
// tables and no mark is refused, and Reset refuses it too.
func TestClaim(t *testing.T) {
	ctx := context.Background()
	empty := dbtest.NewEmptyURL(t)
	for range 2 {
		if err := devdb.Claim(ctx, empty); err != nil {
			t.Fatalf("Claim of an empty (then marked) database: %v", err)
		}
	}
	conn, err := pgx.Connect(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE demo (x int)"); err != nil {
		t.Fatal(err)
	}
	if err := devdb.Reset(ctx, empty); err != nil {
		t.Fatalf("Reset of the marked database: %v", err)
	}
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("tables after Reset: %d, %v", tables, err)
	}

	platform := dbtest.NewURL(t) // migrated, not marked
	if err := devdb.Claim(ctx, platform); err == nil {
		t.Fatal("Claim took a migrated database it did not create")
	}
	if err := devdb.Reset(ctx, platform); err == nil {
		t.Fatal("Reset wiped a database miasta dev did not create")
	}
}
