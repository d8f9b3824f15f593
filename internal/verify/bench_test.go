package verify_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// syntheticBundle is a log of n events with a signed checkpoint every 1,000 leaves and at the end:
// what a verifier of a large edition's log has to check, without a database.
func syntheticBundle(b *testing.B, n int) verify.Bundle {
	b.Helper()
	signer, verifier, err := auditlog.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	out := verify.Bundle{Format: verify.Format, EditionID: "00000000-0000-0000-0000-000000000001", Year: 2015, VerifierKey: verifier}
	tree := auditlog.NewTree()
	for i := range n {
		payload, _ := json.Marshal(map[string]any{"cast_id": fmt.Sprintf("c%d", i), "ballot_sha256": fmt.Sprintf("sha256:%064x", i)})
		leaf, err := auditlog.EncodeLeaf(auditlog.Event{ID: int64(i + 1), EditionID: out.EditionID, Kind: "ballot.cast", Payload: payload, Time: "2015-05-14T13:30:00Z"})
		if err != nil {
			b.Fatal(err)
		}
		out.Leaves = append(out.Leaves, leaf)
		if err := tree.Append(auditlog.LeafHash(leaf)); err != nil {
			b.Fatal(err)
		}
		if size := tree.Size(); size%1000 == 0 || int(size) == n {
			root, err := tree.Root()
			if err != nil {
				b.Fatal(err)
			}
			note, err := auditlog.Checkpoint{Size: size, Root: root}.Sign(signer)
			if err != nil {
				b.Fatal(err)
			}
			out.Checkpoints = append(out.Checkpoints, note)
		}
	}
	return out
}

// BenchmarkVerifyLog times the offline verification of a log (signatures, the tree rebuilt at every
// checkpoint, every leaf decoded) at 10k, 100k and 1M events.
func BenchmarkVerifyLog(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			bundle := syntheticBundle(b, n)
			b.ResetTimer()
			for b.Loop() {
				if _, err := verify.Verify(bundle, "", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
