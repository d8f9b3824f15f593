package verify_test

import (
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

// TestWitnessFixtureIsTheLibrary: the vectors' hand-made cosignatures are what the C2SP library's
// cosignature/v1 signer makes and its verifier accepts, and a cosignature the library's signer makes
// now is one K5 reads.
func TestWitnessFixtureIsTheLibrary(t *testing.T) {
	l := build(t, fixture.Options{})
	signed, err := l.CheckpointAt(mustEntries(t, l), len(l.Events))
	if err != nil {
		t.Fatal(err)
	}
	text := fixture.NoteText(signed)
	for _, w := range testWitnesses {
		s, err := fnote.NewSignerForCosignatureV1(w.Signer)
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		if s.Name() != w.Name {
			t.Fatalf("%s: the library names the signer %q", w.Name, s.Name())
		}
		raw := w.Cosignature(text, 1768910400)
		if !s.Verifier().Verify([]byte(text), raw[4:]) {
			t.Errorf("%s: the library does not verify the fixture's cosignature", w.Name)
		}
		k, err := verify.ParseWitnessKey(w.Verifier)
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		if k.KeyHash != s.KeyHash() {
			t.Errorf("%s: key hash %08x, the library's signer %08x", w.Name, k.KeyHash, s.KeyHash())
		}
		// The library's own cosignature, at the current time.
		before := uint64(time.Now().Unix())
		cosigned, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			t.Fatal(err)
		}
		ws, err := verify.Cosignatures(signed+strings.SplitN(string(cosigned), "\n\n", 2)[1], []verify.WitnessKey{k})
		if err != nil || !ws[0].Cosigned || ws[0].Timestamp < before || ws[0].Timestamp > uint64(time.Now().Unix()) {
			t.Errorf("%s: the library's cosignature read as %+v, %v", w.Name, ws, err)
		}
	}
}

func mustEntries(t *testing.T, l *fixture.Log) []verify.Entry {
	t.Helper()
	e, err := l.Entries()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestWitnessSummary: the summary reports every given witness, cosigned (with its time in UTC) or not.
func TestWitnessSummary(t *testing.T) {
	w1, w2 := testWitnesses[0], testWitnesses[1]
	l := build(t, fixture.Options{})
	l.Override = func(p *verify.Parts) { p.Checkpoint = w1.Cosign(p.Checkpoint, 1768910400) }
	s, err := verify.Verify(bundleOf(t, l), verify.Options{Key: fixture.TestVerifier, Witnesses: []string{w1.Verifier, w2.Verifier}, WitnessThreshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Witnesses) != 2 || !s.Witnesses[0].Cosigned || s.Witnesses[0].Timestamp != 1768910400 || s.Witnesses[1].Cosigned || s.WitnessThreshold != 1 {
		t.Fatalf("witnesses %+v, threshold %d", s.Witnesses, s.WitnessThreshold)
	}
	out := s.String()
	for _, want := range []string{"cosigned by 1 of the 2 witnesses given (1 required)", "cosigned at 2026-01-20T12:00:00Z (1768910400) by " + w1.Verifier, "not cosigned by " + w2.Verifier} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if _, err := verify.Verify(bundleOf(t, l), verify.Options{Key: fixture.TestVerifier, Witnesses: []string{w1.Verifier}, WitnessThreshold: 2}); err == nil || !strings.HasPrefix(err.Error(), "K5") {
		t.Errorf("a threshold above the witnesses given: %v, want a K5 failure", err)
	}
	if _, err := verify.Verify(bundleOf(t, l), verify.Options{Key: fixture.TestVerifier, WitnessThreshold: 1}); err == nil || !strings.HasPrefix(err.Error(), "K5") {
		t.Errorf("a threshold without witnesses: %v, want a K5 failure", err)
	}
	if s, err := verify.Verify(bundleOf(t, l), verify.Options{Key: fixture.TestVerifier}); err != nil || len(s.Witnesses) != 0 || strings.Contains(s.String(), "witness") {
		t.Errorf("without witness keys: %v, %v", s, err)
	}
}
