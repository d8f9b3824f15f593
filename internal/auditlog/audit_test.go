package auditlog_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// integrated waits until a checkpoint covers every event, and returns it opened with the public key.
func integrated(t *testing.T, env *testenv.Env, c testenv.Clients) verify.Checkpoint {
	t.Helper()
	ctx := context.Background()
	key, err := verify.ParseVerifierKey(testenv.Must(c.Audit.GetPublicKey(ctx, &v1.GetPublicKeyRequest{})).GetVerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := env.EventCount(t)
		resp, err := c.Audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})
		if err == nil {
			cp, err := verify.OpenCheckpoint(resp.GetCheckpoint(), key)
			if err != nil {
				t.Fatalf("checkpoint does not verify with the published key: %v", err)
			}
			if cp.Size == uint64(n) {
				return cp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers all %d events: %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkLog proves that the log is contiguous, that every leaf is the two-level leaf of its event's
// body as the specification defines it, and that each is included under the checkpoint, with proofs
// served by the API.
func checkLog(t *testing.T, env *testenv.Env, c testenv.Clients, cp verify.Checkpoint) {
	t.Helper()
	ctx := context.Background()
	rows, err := env.App.Pool.Query(ctx, `SELECT l.leaf_index, `+eventColumns+`
		FROM log_leaves l JOIN events e ON e.id = l.event_id ORDER BY l.leaf_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want int64
	for rows.Next() {
		var index int64
		id, edition, body := scanEvent(t, rows, &index)
		if index != want {
			t.Fatalf("leaf %d follows leaf %d: the log is not contiguous", index, want-1)
		}
		want++
		ed := ""
		if edition != nil {
			ed = edition.String()
		}
		p := testenv.Must(c.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: index, TreeSize: int64(cp.Size)}))
		if !bytes.Equal(p.GetLeafHash(), verify.EventLeafHash(ed, body)) {
			t.Fatalf("leaf %d (event %d) hash differs from the event's leaf", index, id)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(index), cp.Size, p.GetLeafHash(), p.GetHashes(), cp.Root); err != nil {
			t.Fatalf("leaf %d: %v", index, err)
		}
	}
	if uint64(want) != cp.Size {
		t.Fatalf("%d leaves under a checkpoint of size %d", want, cp.Size)
	}
}

func TestAuditLogIntegratesEveryEventWithProofs(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	anon := env.Clients(testenv.GRPC, "")
	testenv.SeedEdition(t, org)
	first := integrated(t, env, anon)
	checkLog(t, env, anon, first)

	testenv.SeedEdition(t, org)
	second := integrated(t, env, anon)
	if second.Size <= first.Size {
		t.Fatalf("checkpoint did not grow: %d then %d", first.Size, second.Size)
	}
	p := testenv.Must(anon.Audit.GetConsistencyProof(ctx, &v1.GetConsistencyProofRequest{FirstTreeSize: int64(first.Size), SecondTreeSize: int64(second.Size)}))
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, first.Size, second.Size, p.GetHashes(), first.Root, second.Root); err != nil {
		t.Fatalf("consistency %d→%d: %v", first.Size, second.Size, err)
	}
	checkLog(t, env, anon, second)

	if _, err := anon.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: 0, TreeSize: int64(second.Size) + 100}); testenv.Field(err) != "tree_size" {
		t.Fatalf("proof against a tree larger than the log = %v; want InvalidArgument naming tree_size", err)
	}
}

func TestAuditTablesAreAppendOnly(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	testenv.SeedEdition(t, org)
	integrated(t, env, org)
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE log_leaves SET leaf_hash = sha256('forged')`,
		`DELETE FROM log_leaves`,
		`TRUNCATE log_leaves CASCADE`,
		`UPDATE checkpoints SET note = 'forged'`,
		`DELETE FROM checkpoints`,
		`TRUNCATE checkpoints`,
		`UPDATE log_nodes SET hash = sha256('forged')`,
		`DELETE FROM log_nodes`,
		`TRUNCATE log_nodes`,
		`UPDATE events SET payload = '{}'`,
		`DELETE FROM events`,
	} {
		if _, err := env.App.Pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s succeeded; the audit tables must be append-only", stmt)
		}
	}
}

// Two servers on one database: both run the integrator, the advisory lock lets one work at a time,
// and changes made through both end up in one contiguous log.
func TestTwoServersShareOneLog(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	second, err := app.New(ctx, env.Config, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- second.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; second.Close() })

	token := env.Token(t, demo.OrganiserEmail)
	servers := []testenv.Clients{env.Clients(testenv.Connect, token), (&testenv.Env{URL: "http://" + ln.Addr().String()}).Clients(testenv.GRPC, token)}
	var wg sync.WaitGroup
	for i, c := range servers {
		wg.Go(func() {
			for j := range 20 {
				if _, err := c.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Miasto %d-%d %s", i, j, uuid.NewString()[:6])}); err != nil {
					t.Errorf("server %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	cp := integrated(t, env, servers[1])
	if cp.Size < 40 {
		t.Fatalf("checkpoint covers %d events; want at least the 40 changes", cp.Size)
	}
	checkLog(t, env, servers[0], cp)
}
