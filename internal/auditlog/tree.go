package auditlog

import (
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

var rf = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Root is the RFC 6962 root of a tree with the given leaf hashes.
func Root(leafHashes [][]byte) ([]byte, error) {
	if len(leafHashes) == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	r := rf.NewEmptyRange(0)
	for _, h := range leafHashes {
		if err := r.Append(h, nil); err != nil {
			return nil, err
		}
	}
	return r.GetRootHash(nil)
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
