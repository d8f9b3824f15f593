package verify

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// Parts are a bundle's members other than the log (§10). Optional parts are absent when nil.
type Parts struct {
	EditionID   string
	Year        int
	Publication string
	VerifierKey string
	Checkpoint  string
	Casts       [][]byte // canonical casts (§8), in the order of their events, written as entries (§10); nil: absent
	Marks       []MarksEntry
	HasMarks    bool
	Rule        []byte // the canonical rule; nil: absent
	Tally       []byte // the canonical tally; nil: absent
}

// Entry is one log entry: an event body (canonical bytes) of the bundle's edition, or the edition
// ("" for the platform) and body hash of another leaf.
type Entry struct {
	Body    []byte
	Edition string
	Digest  []byte
}

// WriteBundle writes a bundle in canonical form, streaming the log from entries (which calls yield
// for each entry in leaf order and returns yield's first error).
func WriteBundle(w io.Writer, p Parts, entries func(yield func(Entry) error) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	put := func(s string) { bw.WriteString(s) }
	str := func(s string) error {
		b, err := canon.Encode(s)
		if err == nil {
			_, err = bw.Write(b)
		}
		return err
	}
	put("{")
	if p.Casts != nil {
		put(`"casts":[`)
		for i, c := range p.Casts {
			if i > 0 {
				put(",")
			}
			entry, err := BundleCast(c)
			if err != nil {
				return err
			}
			bw.Write(entry)
		}
		put("],")
	}
	put(`"checkpoint":`)
	if err := str(p.Checkpoint); err != nil {
		return err
	}
	put(`,"edition_id":`)
	if err := str(p.EditionID); err != nil {
		return err
	}
	put(`,"format":"` + BundleFormat + `","log":[`)
	first := true
	err := entries(func(e Entry) error {
		if !first {
			put(",")
		}
		first = false
		if e.Body != nil {
			_, err := bw.Write(e.Body)
			return err
		}
		put(`{"digest":"` + hex.EncodeToString(e.Digest) + `","edition_id":`)
		if e.Edition == "" {
			put("null}")
		} else {
			put(`"` + e.Edition + `"}`)
		}
		return nil
	})
	if err != nil {
		return err
	}
	put("]")
	if p.HasMarks {
		b, err := canon.Encode(p.Marks)
		if err != nil {
			return err
		}
		if p.Marks == nil {
			b = []byte("[]")
		}
		put(`,"marks":`)
		bw.Write(b)
	}
	put(`,"publication":`)
	if err := str(p.Publication); err != nil {
		return err
	}
	if p.Rule != nil {
		put(`,"rule":`)
		bw.Write(p.Rule)
	}
	if p.Tally != nil {
		put(`,"tally":`)
		bw.Write(p.Tally)
	}
	put(`,"verifier_key":`)
	if err := str(p.VerifierKey); err != nil {
		return err
	}
	put(`,"year":` + strconv.Itoa(p.Year) + "}")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// Actor is who made a change (§5); the zero Actor is the platform (null).
type Actor struct {
	Role string `json:"role"`
	ID   string `json:"id"`
}

// Body is an event as §5 defines it; marshalled with canon.Encode it is the event's body, the bytes
// its leaf commits to.
type Body struct {
	Actor     *Actor  `json:"actor"`
	EditionID *string `json:"edition_id"`
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Payload   any     `json:"payload"`
	Time      string  `json:"time"`
}

// EncodeBody returns an event's canonical body.
func EncodeBody(b Body) ([]byte, error) {
	if b.Actor != nil && b.Actor.Role == "" {
		b.Actor = nil
	}
	return canon.Encode(b)
}
