package auditlog_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// interesting are the sizes (and indexes) around powers of two up to n, and n itself.
func interesting(n uint64) []uint64 {
	var s []uint64
	for p := uint64(1); p <= 2*n; p *= 2 {
		for _, v := range []uint64{p - 1, p, p + 1} {
			if v >= 1 && v <= n {
				s = append(s, v)
			}
		}
	}
	s = append(s, n/3, n/2, n-1, n)
	slices.Sort(s)
	return slices.Compact(s)
}

// Proofs are built from the stored nodes of the perfect subtrees: over a tree of more than a
// thousand leaves integrated in rounds of odd sizes, alternately by two replicas, every proof served is
// byte for byte the one computed from all leaf hashes and verifies against the signed checkpoints.
func TestProofsFromStoredNodes(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) { c.LogInterval = time.Hour }})
	ctx := context.Background()
	anon := env.Clients(testenv.Connect, "")
	key, err := auditlog.ParseKey(env.Config.AuditKey)
	if err != nil {
		t.Fatal(err)
	}
	replicas := []*auditlog.Log{env.App.Audit, auditlog.New(env.App.Pool, slog.New(slog.DiscardHandler), key)}

	for i, target := range []int{1, 2, 3, 8, 15, 16, 17, 100, 255, 256, 257, 511, 513, 777, 1023, 1024, 1025, 1301} {
		if n := target - env.EventCount(t); n > 0 {
			appendEvents(t, env.App.Pool, n)
		}
		if err := replicas[i%2].Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Then both replicas integrating at once while events arrive.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := r.Integrate(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 40 {
		appendEvents(t, env.App.Pool, 1+i%7)
	}
	close(stop)
	wg.Wait()
	if err := replicas[0].Sync(ctx); err != nil {
		t.Fatal(err)
	}

	leaves := leafHashes(t, env.App.Pool)
	dbtest.CheckLogNodes(t, env.App.Pool, leaves)
	size := uint64(len(leaves))
	if size < 1301 {
		t.Fatalf("%d leaves; want at least 1301", size)
	}

	verifierKey, err := verify.ParseVerifierKey(testenv.Must(anon.Audit.GetPublicKey(ctx, &v1.GetPublicKeyRequest{})).GetVerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	roots := map[uint64][]byte{}
	rows, err := env.App.Pool.Query(ctx, `SELECT note FROM checkpoints`)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, note := range notes {
		cp, err := verify.OpenCheckpoint(note, verifierKey)
		if err != nil {
			t.Fatal(err)
		}
		roots[cp.Size] = cp.Root
	}
	if len(roots) < 20 {
		t.Fatalf("%d checkpoints; want one per round", len(roots))
	}

	sizes := interesting(size)
	for s := range roots {
		sizes = append(sizes, s)
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)

	for _, s := range sizes {
		indexes := append(interesting(s), 0, s-2, s-1)
		slices.Sort(indexes)
		for _, i := range slices.Compact(indexes) {
			if i >= s { // s-2 of a size of 1
				continue
			}
			got := testenv.Must(anon.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: int64(i), TreeSize: int64(s)}))
			want, err := verify.InclusionProof(leaves, i, s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.GetLeafHash(), leaves[i]) || !slices.EqualFunc(got.GetHashes(), want, bytes.Equal) {
				t.Fatalf("inclusion of leaf %d in the tree of %d: served %x, %x; want %x, %x", i, s, got.GetLeafHash(), got.GetHashes(), leaves[i], want)
			}
			if root, ok := roots[s]; ok {
				if err := verify.VerifyInclusion(i, s, got.GetLeafHash(), got.GetHashes(), root); err != nil {
					t.Fatalf("inclusion of leaf %d in checkpoint %d: %v", i, s, err)
				}
			}
		}
	}

	for _, s2 := range sizes {
		for _, s1 := range append([]uint64{0}, sizes...) {
			if s1 > s2 {
				break
			}
			var got [][]byte
			if s1 == 0 { // the API asks for a first size of at least 1
				if got, err = env.App.Audit.Consistency(ctx, 0, int64(s2)); err != nil {
					t.Fatal(err)
				}
			} else {
				got = testenv.Must(anon.Audit.GetConsistencyProof(ctx, &v1.GetConsistencyProofRequest{FirstTreeSize: int64(s1), SecondTreeSize: int64(s2)})).GetHashes()
			}
			want, err := verify.ConsistencyProof(leaves, s1, s2)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, bytes.Equal) {
				t.Fatalf("consistency %d→%d: served %x; want %x", s1, s2, got, want)
			}
			r1, ok1 := roots[s1]
			r2, ok2 := roots[s2]
			if ok1 && ok2 {
				if err := verify.VerifyConsistency(s1, s2, got, r1, r2); err != nil {
					t.Fatalf("consistency of checkpoints %d→%d: %v", s1, s2, err)
				}
			}
		}
	}

	// What is not in the log is refused as before, naming the field.
	for _, c := range []struct {
		err   error
		field string
	}{
		{err: testenv.ErrOf(anon.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: int64(size), TreeSize: int64(size)})), field: "leaf_index"},
		{err: testenv.ErrOf(anon.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: 0, TreeSize: int64(size) + 1})), field: "tree_size"},
		{err: testenv.ErrOf(anon.Audit.GetConsistencyProof(ctx, &v1.GetConsistencyProofRequest{FirstTreeSize: 2, SecondTreeSize: 1})), field: "first_tree_size"},
		{err: testenv.ErrOf(anon.Audit.GetConsistencyProof(ctx, &v1.GetConsistencyProofRequest{FirstTreeSize: 1, SecondTreeSize: int64(size) + 1})), field: "second_tree_size"},
	} {
		if testenv.Field(c.err) != c.field {
			t.Errorf("error %v; want InvalidArgument naming %s", c.err, c.field)
		}
	}
}
