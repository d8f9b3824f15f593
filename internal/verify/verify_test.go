package verify_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

func TestValidBundles(t *testing.T) {
	for _, o := range []fixture.Options{
		{},
		{Method: "median", Tie: true},
		{Method: "trimmed_mean", Jurors: 5},
		{Method: "majority_judgment", Conflict: true},
		{Publication: verify.PublishAggregates, Conflict: true},
		{Publication: verify.PublishNames, Reopen: true, Tie: true},
		{BackToReview: true, ExpertJuror: true, ForeignEvery: 3},
		{Stage: "JURY"},
		{Stage: "TALLIED"},
	} {
		l, err := fixture.Build(o)
		if err != nil {
			t.Fatalf("%+v: build: %v", o, err)
		}
		b, err := l.Bundle()
		if err != nil {
			t.Fatalf("%+v: bundle: %v", o, err)
		}
		s, err := verify.Verify(b, verify.Options{Key: fixture.TestVerifier})
		if err != nil {
			t.Errorf("%+v: %v", o, err)
			continue
		}
		t.Logf("%+v:\n%s", o, s)
	}
}

// TestCastForms: a cast's direct canonical encoding is canon.Encode's, and its bundle entry keeps
// exactly its marks and recusals (the verifier completes the rest from the event).
func TestCastForms(t *testing.T) {
	for _, o := range []fixture.Options{{}, {Conflict: true, Method: "majority_judgment"}, {ExpertJuror: true, Criteria: 4}} {
		l, err := fixture.Build(o)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range l.Casts {
			want, err := canon.Encode(c)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Canonical(); !bytes.Equal(got, want) {
				t.Fatalf("cast %d: Canonical()\n%s\ncanon.Encode\n%s", i, got, want)
			}
			entry, err := verify.BundleCast(want)
			if err != nil {
				t.Fatalf("cast %d: BundleCast: %v", i, err)
			}
			var back struct {
				Marks    map[string][]int  `json:"marks"`
				Recusals map[string]string `json:"recusals"`
			}
			if err := json.Unmarshal(entry, &back); err != nil {
				t.Fatalf("cast %d: the entry %s: %v", i, entry, err)
			}
			if _, err := canon.Parse(entry); err != nil {
				t.Fatalf("cast %d: the entry is not canonical: %v\n%s", i, err, entry)
			}
			if len(back.Marks) != len(c.Marks) || len(back.Recusals) != len(c.Recusals) {
				t.Fatalf("cast %d: the entry %s does not hold the cast's %d marks and %d recusals", i, entry, len(c.Marks), len(c.Recusals))
			}
			for _, m := range c.Marks {
				if !slices.Equal(back.Marks[m.NominationID], m.Values) {
					t.Fatalf("cast %d: the entry gives %v for %s, the cast %v", i, back.Marks[m.NominationID], m.NominationID, m.Values)
				}
			}
			for _, r := range c.Recusals {
				if back.Recusals[r.NominationID] != r.Kind {
					t.Fatalf("cast %d: the entry gives %q for %s, the cast %q", i, back.Recusals[r.NominationID], r.NominationID, r.Kind)
				}
			}
		}
	}
	if _, err := verify.BundleCast([]byte(`{"marks":[]}`)); err == nil {
		t.Error("BundleCast took something that is not a cast")
	}
}

// TestSummaryReportsTheJuryTexts: the verifier reports the jury's texts as the announcement recorded
// them, for a reader to compare with the published results; an announcement without them reports none.
func TestSummaryReportsTheJuryTexts(t *testing.T) {
	for _, o := range []fixture.Options{{}, {NoJuryTexts: true}} {
		l, err := fixture.Build(o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := l.Bundle()
		if err != nil {
			t.Fatal(err)
		}
		s, err := verify.Verify(b, verify.Options{Key: fixture.TestVerifier})
		if err != nil {
			t.Fatal(err)
		}
		if o.NoJuryTexts {
			if len(s.Justifications) != 0 || s.Recommendations != nil || bytes.Contains([]byte(s.String()), []byte("the jury's")) {
				t.Errorf("an announcement without texts reports %v, %v", s.Justifications, s.Recommendations)
			}
			continue
		}
		want, rec := fixture.JuryTexts(s.Winners)
		if len(s.Justifications) != len(want) || len(s.Justifications) == 0 || s.Recommendations["pl"] != rec["pl"] {
			t.Fatalf("summary reports %v and %v; want a justification per winner and the recommendations", s.Justifications, s.Recommendations)
		}
		for i, j := range s.Justifications {
			if j.NominationID != want[i]["nomination_id"] || j.Text["pl"] != want[i]["text"].(map[string]string)["pl"] {
				t.Errorf("justification %d = %v; want %v", i, j, want[i])
			}
		}
		out := s.String()
		for _, w := range []string{"the jury's justification of " + s.Justifications[0].NominationID, `pl "Uzasadnienie wyróżnienia 1:`, `the jury's recommendations, as the announcement recorded them: pl "Rekomendacje jury`} {
			if !bytes.Contains([]byte(out), []byte(w)) {
				t.Errorf("the summary lacks %q:\n%s", w, out)
			}
		}
	}
}
