// Package auditlog makes the platform's event table tamper-evident: every event becomes a leaf of an
// append-only RFC 6962 Merkle tree (github.com/transparency-dev/merkle), integrated by one replica at a
// time under a PostgreSQL advisory lock, with checkpoints signed in the signed-note format
// (golang.org/x/mod/sumdb/note) under an Ed25519 key.
//
// # Leaf encoding, version 1
//
// A leaf is the UTF-8 text "miasta-event/1\n" followed by the JSON object
//
//	{"id":N,"edition_id":"uuid or empty","kind":"...","actor_id":"uuid or empty","payload":{...},"time":"RFC 3339 UTC, nanoseconds"}
//
// with exactly these keys in this order, no insignificant white space, and payload as PostgreSQL
// renders the stored jsonb (keys sorted by length then bytes, which is deterministic). The leaf hash is
// SHA-256(0x00 || leaf), as RFC 6962 defines.
package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// LeafPrefix starts every version-1 leaf; a new encoding gets a new prefix.
const LeafPrefix = "miasta-event/1\n"

// Event is what a leaf records.
type Event struct {
	ID        int64           `json:"id"`
	EditionID string          `json:"edition_id"`
	Kind      string          `json:"kind"`
	ActorID   string          `json:"actor_id"`
	Payload   json.RawMessage `json:"payload"`
	Time      string          `json:"time"`
}

// EncodeLeaf returns the canonical encoding of an event.
func EncodeLeaf(e Event) ([]byte, error) {
	var payload bytes.Buffer
	if err := json.Compact(&payload, e.Payload); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", e.ID, err)
	}
	e.Payload = payload.Bytes()
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append([]byte(LeafPrefix), body...), nil
}

// DecodeLeaf parses a version-1 leaf. Fields it does not know are ignored: what a verifier trusts is
// the leaf's bytes, which the signed roots cover whatever they hold. The returned Payload may share
// memory with leaf.
func DecodeLeaf(leaf []byte) (Event, error) {
	body, ok := bytes.CutPrefix(leaf, []byte(LeafPrefix))
	if !ok {
		return Event{}, fmt.Errorf("not a %q leaf", LeafPrefix[:len(LeafPrefix)-1])
	}
	// Every leaf the log writes is in the canonical form, which decodeCanonical reads without
	// reflection; anything else (another key order, escapes, white space, a bad value) goes through
	// encoding/json, which decides what is accepted and words the error.
	if e, ok := decodeCanonical(body); ok {
		return e, nil
	}
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return Event{}, fmt.Errorf("leaf: %w", err)
	}
	return e, nil
}

// FormatTime renders an event time as leaves record it.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// LeafHash is the RFC 6962 hash of a leaf.
func LeafHash(leaf []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(leaf) }

// LeafHasher computes LeafHash with one reused SHA-256 state, for hashing many leaves without an
// allocation each. It is not safe for concurrent use.
type LeafHasher struct{ h hash.Hash }

// NewLeafHasher returns a LeafHasher.
func NewLeafHasher() *LeafHasher { return &LeafHasher{h: sha256.New()} }

// AppendHash appends the RFC 6962 hash of leaf to dst and returns the extended slice.
func (l *LeafHasher) AppendHash(dst, leaf []byte) []byte {
	l.h.Reset()
	l.h.Write([]byte{rfc6962.RFC6962LeafHashPrefix})
	l.h.Write(leaf)
	return l.h.Sum(dst)
}
