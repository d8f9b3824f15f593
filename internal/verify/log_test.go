package verify_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/verify"
)

func leafHashes(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = verify.LeafHash([]byte(fmt.Sprintf("leaf %d", i)))
	}
	return out
}

// The proofs the log serves verify with the library's own verifier, for every leaf and size.
func TestProofsVerify(t *testing.T) {
	all := leafHashes(70)
	for size := uint64(1); size <= uint64(len(all)); size++ {
		root, err := verify.Root(all[:size])
		if err != nil {
			t.Fatal(err)
		}
		for i := range size {
			p, err := verify.InclusionProof(all, i, size)
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
			root1, _ := verify.Root(all[:size1])
			p, err := verify.ConsistencyProof(all, size1, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size, p, root1, root); err != nil {
				t.Fatalf("consistency %d→%d: %v", size1, size, err)
			}
		}
	}
	empty, _ := verify.Root(nil)
	if want := sha256.Sum256(nil); !bytes.Equal(empty, want[:]) {
		t.Fatalf("empty root = %x; RFC 6962 says SHA-256 of nothing", empty)
	}
}

func TestCheckpointSignatures(t *testing.T) {
	signer, verifier, err := verify.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256([]byte("root"))
	signed, err := verify.Checkpoint{Size: 42, Root: root[:]}.Sign(signer)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.ParseVerifierKey(verifier)
	if err != nil {
		t.Fatal(err)
	}
	c, err := verify.OpenCheckpoint(signed, v)
	if err != nil || c.Size != 42 || !bytes.Equal(c.Root, root[:]) {
		t.Fatalf("OpenCheckpoint = %+v, %v", c, err)
	}
	_, otherVerifier, _ := verify.NewKey()
	for name, tc := range map[string]struct{ note, key string }{
		"another key":    {signed, otherVerifier},
		"size changed":   {strings.Replace(signed, "\n42\n", "\n43\n", 1), verifier},
		"root changed":   {flipRoot(signed), verifier},
		"unsigned":       {strings.SplitN(signed, "\n\n", 2)[0] + "\n", verifier},
		"signature flip": {signed[:len(signed)-6] + "AAAA=\n", verifier},
	} {
		v, err := verify.ParseVerifierKey(tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verify.OpenCheckpoint(tc.note, v); err == nil {
			t.Errorf("%s: a bad checkpoint opened", name)
		}
	}
}

func TestLeafEncoding(t *testing.T) {
	body := []byte(`{"actor":null,"edition_id":null,"id":1,"kind":"city.created","payload":{"city_id":"00000063-0000-4000-8000-000000000001","name":"Łódź"},"time":"2015-05-14T13:30:00.000000Z"}`)
	sum := sha256.Sum256(body)
	leaf := verify.Leaf("", sum[:])
	if want := "miasta-leaf/2\n\n" + fmt.Sprintf("%x", sum) + "\n"; string(leaf) != want {
		t.Fatalf("leaf = %q, want %q", leaf, want)
	}
	if got, want := verify.EventLeafHash("", body), verify.LeafHash(leaf); !bytes.Equal(got, want) {
		t.Fatal("EventLeafHash differs from LeafHash(Leaf(...))")
	}
	if got := verify.LeafHash(leaf); !bytes.Equal(got, rfc6962.DefaultHasher.HashLeaf(leaf)) {
		t.Fatal("the leaf hash is not RFC 6962's")
	}
}

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
