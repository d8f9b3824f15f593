package auditlog

import (
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

var rf = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Tree grows a Merkle tree leaf by leaf, keeping only its compact range, so a verifier can check the
// root at every checkpoint in one pass over the log. It is not safe for concurrent use.
type Tree struct {
	r *compact.Range
}

// NewTree returns an empty tree. Its node hashes reuse one SHA-256 state: a 1M-leaf log has 2M of
// them, and a fresh state for each (as rfc6962.Hasher makes) was most of the verifier's garbage.
func NewTree() *Tree {
	h := sha256.New()
	prefix := []byte{rfc6962.RFC6962NodeHashPrefix}
	f := &compact.RangeFactory{Hash: func(left, right []byte) []byte {
		h.Reset()
		h.Write(prefix)
		h.Write(left)
		h.Write(right)
		return h.Sum(make([]byte, 0, sha256.Size))
	}}
	return &Tree{r: f.NewEmptyRange(0)}
}

// Append adds a leaf hash.
func (t *Tree) Append(leafHash []byte) error { return t.r.Append(leafHash, nil) }

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Root is the tree's RFC 6962 root.
func (t *Tree) Root() ([]byte, error) {
	if t.Size() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	return t.r.GetRootHash(nil)
}

// Root is the RFC 6962 root of a tree with the given leaf hashes.
func Root(leafHashes [][]byte) ([]byte, error) {
	t := NewTree()
	for _, h := range leafHashes {
		if err := t.Append(h); err != nil {
			return nil, err
		}
	}
	return t.Root()
}

// nodeHash is the hash of a perfect subtree, computed from its leaves.
func nodeHash(leafHashes [][]byte, id compact.NodeID) ([]byte, error) {
	begin, end := id.Coverage()
	if end > uint64(len(leafHashes)) {
		return nil, fmt.Errorf("node %v is beyond %d leaves", id, len(leafHashes))
	}
	return Root(leafHashes[begin:end])
}

func hashes(leafHashes [][]byte, nodes proof.Nodes) ([][]byte, error) {
	hs := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		h, err := nodeHash(leafHashes, id)
		if err != nil {
			return nil, err
		}
		hs[i] = h
	}
	return nodes.Rehash(hs, rfc6962.DefaultHasher.HashChildren)
}

// InclusionProof proves that leaf index is in the tree of the first size leaves.
func InclusionProof(leafHashes [][]byte, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return hashes(leafHashes[:size], nodes)
}

// ConsistencyProof proves that the tree of size1 leaves is a prefix of the tree of size2 leaves.
func ConsistencyProof(leafHashes [][]byte, size1, size2 uint64) ([][]byte, error) {
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return hashes(leafHashes[:size2], nodes)
}
