package auditlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
)

func leafHashes(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = auditlog.LeafHash([]byte(fmt.Sprintf("leaf %d", i)))
	}
	return out
}

// The proofs the log serves verify with the library's own verifier, for every leaf and size.
func TestProofsVerify(t *testing.T) {
	all := leafHashes(70)
	for size := uint64(1); size <= uint64(len(all)); size++ {
		root, err := auditlog.Root(all[:size])
		if err != nil {
			t.Fatal(err)
		}
		for i := range size {
			p, err := auditlog.InclusionProof(all, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, all[i], p, root); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", i, size, err)
			}
			if i > 0 && proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, all[i-1], p, root) == nil {
				t.Fatalf("inclusion of %d in %d verified for the wrong leaf", i, size)
			}
		}
		for size1 := uint64(1); size1 <= size; size1++ {
			root1, _ := auditlog.Root(all[:size1])
			p, err := auditlog.ConsistencyProof(all, size1, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size, p, root1, root); err != nil {
				t.Fatalf("consistency %d→%d: %v", size1, size, err)
			}
		}
	}
	empty, _ := auditlog.Root(nil)
	if want := sha256.Sum256(nil); !bytes.Equal(empty, want[:]) {
		t.Fatalf("empty root = %x; RFC 6962 says SHA-256 of nothing", empty)
	}
}

func TestCheckpointSignatures(t *testing.T) {
	signer, verifier, err := auditlog.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256([]byte("root"))
	signed, err := auditlog.Checkpoint{Size: 42, Root: root[:]}.Sign(signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auditlog.OpenCheckpoint(signed, verifier)
	if err != nil || c.Size != 42 || !bytes.Equal(c.Root, root[:]) {
		t.Fatalf("OpenCheckpoint = %+v, %v", c, err)
	}
	_, otherVerifier, _ := auditlog.NewKey()
	for name, tc := range map[string]struct{ note, key string }{
		"another key":    {signed, otherVerifier},
		"size changed":   {strings.Replace(signed, "\n42\n", "\n43\n", 1), verifier},
		"root changed":   {flipRoot(signed), verifier},
		"unsigned":       {strings.SplitN(signed, "\n\n", 2)[0] + "\n", verifier},
		"signature flip": {signed[:len(signed)-6] + "AAAA=\n", verifier},
	} {
		if _, err := auditlog.OpenCheckpoint(tc.note, tc.key); err == nil {
			t.Errorf("%s: a bad checkpoint opened", name)
		}
	}
}

func TestLeafEncodingRoundTrips(t *testing.T) {
	e := auditlog.Event{ID: 7, EditionID: "e", Kind: "ballot.cast", ActorID: "a", Payload: json.RawMessage(`{"b": 1, "a": "Łódź"}`), Time: "2015-05-14T13:30:00Z"}
	leaf, err := auditlog.EncodeLeaf(e)
	if err != nil {
		t.Fatal(err)
	}
	want := auditlog.LeafPrefix + `{"id":7,"edition_id":"e","kind":"ballot.cast","actor_id":"a","payload":{"b":1,"a":"Łódź"},"time":"2015-05-14T13:30:00Z"}`
	if string(leaf) != want {
		t.Fatalf("leaf =\n%s\nwant\n%s", leaf, want)
	}
	back, err := auditlog.DecodeLeaf(leaf)
	if err != nil || back.ID != 7 || string(back.Payload) != `{"b":1,"a":"Łódź"}` {
		t.Fatalf("DecodeLeaf = %+v, %v", back, err)
	}
	if _, err := auditlog.DecodeLeaf([]byte("miasta-event/2\n{}")); err == nil {
		t.Fatal("a leaf of another version decoded")
	}
	if _, err := auditlog.DecodeLeaf([]byte(auditlog.LeafPrefix + `{"id":"one"}`)); err == nil {
		t.Fatal("a leaf with a mistyped field decoded")
	}
}

// flipRoot changes the first character of a signed checkpoint's root line.
func flipRoot(signed string) string {
	lines := strings.SplitN(signed, "\n", 4)
	b := []byte(lines[2])
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	lines[2] = string(b)
	return strings.Join(lines, "\n")
}
