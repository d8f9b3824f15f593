// Package verify is the audit specification (spec/audit.md) in code: the formats others must verify
// (canonical events, two-level leaves, the RFC 6962 tree, signed checkpoints, the bundle, the rule and
// casts) and the numbered checks of §11. It is pure: it imports no database driver, no RPC framework,
// no net/http and no domain package (a test enforces this), so that the command line, the server's
// export and a browser build all use one implementation.
package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// LeafPrefix starts every leaf of this version (§4.1).
const LeafPrefix = "miasta-leaf/2\n"

// Leaf returns the leaf of an event of edition (empty: a platform event) whose body hashes to
// bodyHash (32 bytes).
func Leaf(edition string, bodyHash []byte) []byte {
	b := make([]byte, 0, len(LeafPrefix)+len(edition)+2+2*sha256.Size)
	b = append(b, LeafPrefix...)
	b = append(b, edition...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, bodyHash)
	return append(b, '\n')
}

// LeafHash is the RFC 6962 hash of a leaf: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(leaf) }

// EventLeafHash is the leaf hash of an event body.
func EventLeafHash(edition string, body []byte) []byte {
	h := sha256.Sum256(body)
	return LeafHash(Leaf(edition, h[:]))
}

// Hash is a hash string (§3.1) of b.
func Hash(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// hasher computes leaf hashes with one reused SHA-256 state, for many leaves without an allocation each.
type hasher struct {
	h    hash.Hash
	leaf []byte
	sum  [sha256.Size]byte
}

func newHasher() *hasher { return &hasher{h: sha256.New()} }

// eventLeaf appends the leaf hash of an event body to dst.
func (x *hasher) eventLeaf(dst []byte, edition string, body []byte) []byte {
	x.h.Reset()
	x.h.Write(body)
	x.leaf = x.leafStart(edition)
	x.leaf = hex.AppendEncode(x.leaf, x.h.Sum(x.sum[:0]))
	return x.leafEnd(dst)
}

// digestLeaf appends the leaf hash of a leaf given by its edition and body hash (in lowercase
// hexadecimal, as a digest entry gives it) to dst.
func (x *hasher) digestLeaf(dst []byte, edition, bodyHashHex string) []byte {
	x.leaf = x.leafStart(edition)
	x.leaf = append(x.leaf, bodyHashHex...)
	return x.leafEnd(dst)
}

func (x *hasher) leafStart(edition string) []byte {
	l := append(x.leaf[:0], LeafPrefix...)
	l = append(l, edition...)
	return append(l, '\n')
}

func (x *hasher) leafEnd(dst []byte) []byte {
	x.leaf = append(x.leaf, '\n')
	x.h.Reset()
	x.h.Write(leafHashPrefix)
	x.h.Write(x.leaf)
	return x.h.Sum(dst)
}

var leafHashPrefix = []byte{rfc6962.RFC6962LeafHashPrefix}

var rf = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Tree grows a Merkle tree leaf by leaf, keeping only its compact range. It is not safe for
// concurrent use.
type Tree struct{ r *compact.Range }

// NewTree returns an empty tree. Its node hashes reuse one SHA-256 state: a million-leaf log has two
// million of them.
func NewTree() *Tree { return &Tree{r: newRangeFactory().NewEmptyRange(0)} }

// newRangeFactory makes compact ranges whose node hashes share one SHA-256 state (so a factory and its
// ranges belong to one goroutine).
func newRangeFactory() *compact.RangeFactory {
	h := sha256.New()
	prefix := []byte{rfc6962.RFC6962NodeHashPrefix}
	return &compact.RangeFactory{Hash: func(left, right []byte) []byte {
		h.Reset()
		h.Write(prefix)
		h.Write(left)
		h.Write(right)
		return h.Sum(make([]byte, 0, sha256.Size))
	}}
}

// Append adds a leaf hash.
func (t *Tree) Append(leafHash []byte) error { return t.r.Append(leafHash, nil) }

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Root is the tree's RFC 6962 root hash.
func (t *Tree) Root() ([]byte, error) {
	if t.Size() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	return t.r.GetRootHash(nil)
}

// Range is the tree's compact range (for a caller that keeps extending a tree across calls).
func (t *Tree) Range() *compact.Range { return t.r }

// TreeOf continues a tree from a compact range of its first leaves.
func TreeOf(r *compact.Range) *Tree { return &Tree{r: r} }

// NewRange returns a compact range over [begin, end) with the given node hashes.
func NewRange(begin, end uint64, hashes [][]byte) (*compact.Range, error) {
	return rf.NewRange(begin, end, hashes)
}

// EmptyRange returns an empty compact range starting at leaf 0.
func EmptyRange() *compact.Range { return rf.NewEmptyRange(0) }

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

func proofHashes(leafHashes [][]byte, nodes proof.Nodes) ([][]byte, error) {
	hs := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		if end > uint64(len(leafHashes)) {
			return nil, fmt.Errorf("node %v is beyond %d leaves", id, len(leafHashes))
		}
		h, err := Root(leafHashes[begin:end])
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
	return proofHashes(leafHashes[:size], nodes)
}

// ConsistencyProof proves that the tree of size1 leaves is a prefix of the tree of size2 leaves.
func ConsistencyProof(leafHashes [][]byte, size1, size2 uint64) ([][]byte, error) {
	if size1 == 0 && size2 <= uint64(len(leafHashes)) {
		return [][]byte{}, nil // every tree extends the empty one: the proof is empty
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return proofHashes(leafHashes[:size2], nodes)
}

// VerifyInclusion checks an inclusion proof against a root.
func VerifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, p, root)
}

// VerifyConsistency checks a consistency proof between two roots.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	if size1 == 0 { // every tree extends the empty one; its proof is empty
		if len(p) > 0 {
			return fmt.Errorf("a consistency proof from the empty tree has no hashes; got %d", len(p))
		}
		if size2 == 0 && !bytes.Equal(root1, root2) {
			return errors.New("two empty trees with different roots")
		}
		return nil
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, p, root1, root2)
}

// Origin names the log in its checkpoints and its key (§4.3).
const Origin = "miasta-otwarte/audit-log"

// NewKey generates an Ed25519 note key pair for signing checkpoints.
func NewKey() (signerKey, verifierKey string, err error) {
	return note.GenerateKey(rand.Reader, Origin)
}

// Checkpoint is a signed statement of the tree's size and root.
type Checkpoint struct {
	Size uint64
	Root []byte
}

// Text is the checkpoint body the signature covers.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// Sign returns the checkpoint as a signed note.
func (c Checkpoint) Sign(signerKey string) (string, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return "", fmt.Errorf("checkpoint key: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signer)
	return string(msg), err
}

// ParseVerifierKey checks a note verifier key of this log (§4.3, check K1).
func ParseVerifierKey(key string) (note.Verifier, error) {
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("not a note verifier key: %w", err)
	}
	if v.Name() != Origin {
		return nil, fmt.Errorf("the key is named %q, not %q", v.Name(), Origin)
	}
	if parts := strings.SplitN(key, "+", 3); len(parts) != 3 || !canonicalBase64(parts[2]) {
		return nil, errors.New("the key data is not in canonical base64")
	}
	return v, nil // note.NewVerifier accepts only Ed25519 keys
}

// canonicalBase64 reports whether s is standard base64 with padding in its one form: decoding and
// encoding again gives s back (so no stray bits after the last byte).
func canonicalBase64(s string) bool {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil && base64.StdEncoding.EncodeToString(b) == s
}

// OpenCheckpoint verifies a signed checkpoint against a verifier key and parses it (check K2).
func OpenCheckpoint(signed string, v note.Verifier) (Checkpoint, error) {
	if i := strings.LastIndex(signed, "\n\n"); i >= 0 {
		for _, line := range strings.Split(strings.TrimSuffix(signed[i+2:], "\n"), "\n") {
			if f := strings.Fields(line); len(f) == 3 && !canonicalBase64(f[2]) {
				return Checkpoint{}, errors.New("a signature is not in canonical base64")
			}
		}
	}
	n, err := note.Open([]byte(signed), note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the checkpoint is not signed by the key in force at its size: %w", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != Origin {
		return Checkpoint{}, fmt.Errorf("the checkpoint is not one of %s", Origin)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] || size > 1<<53-1 {
		return Checkpoint{}, errors.New("the checkpoint's size is not a decimal number")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != sha256.Size {
		return Checkpoint{}, errors.New("the checkpoint's root is not 32 bytes of base64")
	}
	c := Checkpoint{Size: size, Root: root}
	if !bytes.Equal([]byte(c.Text()), []byte(n.Text)) {
		return Checkpoint{}, errors.New("the checkpoint text is not in its one form")
	}
	return c, nil
}

// RotationText is the text a key rotation's signature covers (§4.4).
func RotationText(previousKey, nextKey string) string {
	return "miasta-audit/2 key rotation\n" + previousKey + "\n" + nextKey + "\n"
}

// SignRotation returns the previous key's signature of the rotation to nextKey, as a log.key_rotated
// event carries it (§4.4).
func SignRotation(previousSigner, nextKey string) (string, error) {
	signer, err := note.NewSigner(previousSigner)
	if err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	if _, err := ParseVerifierKey(nextKey); err != nil {
		return "", fmt.Errorf("the new key: %w", err)
	}
	previousKey, err := VerifierKeyOf(previousSigner)
	if err != nil {
		return "", err
	}
	sig, err := signer.Sign([]byte(RotationText(previousKey, nextKey)))
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifyRotation checks a rotation's signature by the previous key (§4.4, check K2).
func VerifyRotation(previousKey, nextKey, signature string) error {
	prev, err := ParseVerifierKey(previousKey)
	if err != nil {
		return err
	}
	if _, err := ParseVerifierKey(nextKey); err != nil {
		return fmt.Errorf("the new key: %w", err)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(signature)
	if err != nil || !canonicalBase64(signature) || len(sig) != ed25519.SignatureSize {
		return errors.New("the signature is not 64 bytes in canonical base64")
	}
	if !prev.Verify([]byte(RotationText(previousKey, nextKey)), sig) {
		return errors.New("the signature is not the previous key's")
	}
	return nil
}

// VerifierKeyOf returns the verifier key of a note signer key (the public half of a key file).
func VerifierKeyOf(signerKey string) (string, error) {
	// A signer key is PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 and the 32-byte seed>.
	parts := strings.SplitN(signerKey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || parts[2] != Origin {
		return "", fmt.Errorf("not a signing key of %s", Origin)
	}
	data, err := base64.StdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(data) != 1+ed25519.SeedSize || data[0] != 1 {
		return "", errors.New("not an Ed25519 signing key")
	}
	pub := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	v, err := note.NewEd25519VerifierKey(Origin, pub)
	if err != nil {
		return "", err
	}
	if _, err := note.NewSigner(signerKey); err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	if strings.SplitN(v, "+", 3)[1] != parts[3] {
		return "", errors.New("the signing key's hash does not match its key")
	}
	return v, nil
}

// CommitmentPrefix starts the bytes a commitment hashes (§3.2).
const CommitmentPrefix = "miasta-commitment/1\n"

// Commit returns the commitment to text under a 32-byte salt.
func Commit(salt []byte, text string) string {
	h := sha256.New()
	h.Write([]byte(CommitmentPrefix))
	h.Write(salt)
	h.Write([]byte(text))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// NewSalt returns 32 random bytes for a commitment.
func NewSalt() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}
