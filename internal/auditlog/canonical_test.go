package auditlog

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

// FuzzDecodeLeaf checks the canonical-form fast path against encoding/json: whatever it accepts,
// json.Unmarshal accepts too and decodes to the same event, and DecodeLeaf as a whole accepts exactly
// what json.Unmarshal accepts.
func FuzzDecodeLeaf(f *testing.F) {
	for _, s := range []string{
		`{"id":7,"edition_id":"e","kind":"ballot.cast","actor_id":"a","payload":{"b":1,"a":"Łódź"},"time":"2015-05-14T13:30:00Z"}`,
		`{"id":-0,"edition_id":"","kind":"","actor_id":"","payload":null,"time":""}`,
		`{"id":9223372036854775807,"edition_id":"x","kind":"k","actor_id":"","payload":[1,-2.5e+3,true,false,null,"\u00e9\n",{}],"time":"t"}`,
		`{"id":1,"edition_id":"a\"b","kind":"k","actor_id":"","payload":{},"time":"t"}`,
		`{"id":1,"edition_id":"\xff","kind":"k","actor_id":"","payload":{},"time":"t"}`,
		`{"id":01,"edition_id":"","kind":"","actor_id":"","payload":{},"time":""}`,
		`{"id":1,"edition_id":"","kind":"","actor_id":"","payload":{"a":1,},"time":""}`,
		`{"id":1,"edition_id":"","kind":"","actor_id":"","payload":{"a":"\x01"},"time":""}`,
		`{"id":1,"edition_id":"","kind":"","actor_id":"","payload":{},"time":""} `,
		`{"id":1.5}`,
		`{"id":"one"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want Event
		werr := json.Unmarshal(body, &want)
		got, ok := decodeCanonical(body)
		if ok {
			if werr != nil {
				t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", body, werr)
			}
			if got.ID != want.ID || got.EditionID != want.EditionID || got.Kind != want.Kind || got.ActorID != want.ActorID ||
				got.Time != want.Time || !bytes.Equal(got.Payload, want.Payload) {
				t.Fatalf("fast path decoded %q as %+v, encoding/json as %+v", body, got, want)
			}
		}
		_, err := DecodeLeaf(append([]byte(LeafPrefix), body...))
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeLeaf(%q) error %v, encoding/json %v", body, err, werr)
		}
	})
}

// FuzzCanonicalValue checks that the payload scanner never accepts what json.Valid refuses.
func FuzzCanonicalValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud800"`, `-0.0e-0`, `01`, `[1,]`, `{"a" :1}`, `tru`, `"\x7f\xff"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := canonParser{b: b}
		if p.value(0) && p.i == len(b) && !json.Valid(b) {
			t.Fatalf("scanner accepted %q, which is not JSON", b)
		}
	})
}

// Leaves the log writes take the fast path; a fallback for every leaf would pass the fuzz targets.
func TestCanonicalLeavesTakeTheFastPath(t *testing.T) {
	for _, e := range []Event{
		{ID: 1, EditionID: "0b3c4f2e-8d7a-4c1e-9f00-000000000001", Kind: "ballot.cast", ActorID: "0b3c4f2e-8d7a-4c1e-9f00-000000000002",
			Payload: json.RawMessage(`{"cast_id": "c", "ballot_sha256": "sha256:00", "version": 3, "nested": [{"x": "Łódź \"quoted\""}, -1.5e3]}`), Time: "2015-05-14T13:30:00.123456789Z"},
		{ID: 2, Kind: "city.created", Payload: json.RawMessage(`{}`), Time: "2015-05-14T13:30:00Z"},
	} {
		leaf, err := EncodeLeaf(e)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeCanonical(leaf[len(LeafPrefix):])
		if !ok {
			t.Fatalf("EncodeLeaf's output %s is not taken by the fast path", leaf)
		}
		var want Event
		if err := json.Unmarshal(leaf[len(LeafPrefix):], &want); err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.EditionID != want.EditionID || got.Kind != want.Kind || got.ActorID != want.ActorID ||
			got.Time != want.Time || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("fast path %+v, encoding/json %+v", got, want)
		}
	}
}

func TestLeafHasherMatchesLeafHash(t *testing.T) {
	h := NewLeafHasher()
	var buf []byte
	for _, leaf := range []string{"", "a", LeafPrefix + `{"id":1}`} {
		buf = h.AppendHash(buf[:0], []byte(leaf))
		if !bytes.Equal(buf, LeafHash([]byte(leaf))) {
			t.Fatalf("AppendHash(%q) = %x, LeafHash %x", leaf, buf, LeafHash([]byte(leaf)))
		}
	}
}

// The Tree's own node hashing must give the roots the rfc6962 hasher gives.
func TestTreeMatchesRFC6962(t *testing.T) {
	var hashes [][]byte
	tree := NewTree()
	for i := range 1000 {
		h := LeafHash([]byte{byte(i), byte(i >> 8)})
		hashes = append(hashes, h)
		if err := tree.Append(h); err != nil {
			t.Fatal(err)
		}
		got, err := tree.Root()
		if err != nil {
			t.Fatal(err)
		}
		want := referenceRoot(hashes)
		if !bytes.Equal(got, want) {
			t.Fatalf("root of %d leaves = %x, want %x", i+1, got, want)
		}
	}
}

// referenceRoot is RFC 6962's MTH, straight from its definition, with the library's hasher.
func referenceRoot(leaves [][]byte) []byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return rfc6962.DefaultHasher.HashChildren(referenceRoot(leaves[:k]), referenceRoot(leaves[k:]))
}
