package tally

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// single is a one-criterion rule: weight 1 on the scale min..max, so a juror's weighted sum is the
// grade itself, which is how the published single-scale examples are expressed.
func single(m Method, min, max int) Rule {
	return Rule{
		Method:   m,
		Criteria: []Criterion{{ID: "g", Number: 1, Min: min, Max: max, Weight: 1}},
		Quorum:   1,
		Winners:  1,
	}
}

// grades builds an input with one category "cat" whose nominations have the given grades on the
// single criterion "g": juror jNN gives grade[NN-1] to each nomination that has that many grades.
func grades(r Rule, g map[string][]int) Input {
	in := Input{Rule: r, Categories: []Category{{ID: "cat", Number: 1}}}
	most := 0
	for _, id := range slices.Sorted(maps.Keys(g)) {
		in.Nominations = append(in.Nominations, Nomination{ID: id, CategoryID: "cat"})
		most = max(most, len(g[id]))
	}
	for j := range most {
		b := Ballot{Juror: fmt.Sprintf("j%02d", j+1), Scores: map[string]map[string]int{}}
		for id, gs := range g {
			if j < len(gs) {
				b.Scores[id] = map[string]int{"g": gs[j]}
			}
		}
		in.Ballots = append(in.Ballots, b)
	}
	return in
}

func mustCompute(t testing.TB, in Input) Result {
	t.Helper()
	r, err := Compute(in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

// order returns the nomination IDs of the first category, best first.
func order(r Result) []string {
	var ids []string
	for _, n := range r.Categories[0].Nominations {
		ids = append(ids, n.NominationID)
	}
	return ids
}

// ranks returns "id:rank" pairs of the first category, best first.
func ranks(r Result) []string {
	var out []string
	for _, n := range r.Categories[0].Nominations {
		out = append(out, fmt.Sprintf("%s:%d", n.NominationID, n.Rank))
	}
	return out
}

func find(t testing.TB, r Result, id string) Ranked {
	t.Helper()
	for _, c := range r.Categories {
		for _, n := range c.Nominations {
			if n.NominationID == id {
				return n
			}
		}
	}
	t.Fatalf("nomination %q not in the result", id)
	return Ranked{}
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

func wantScore(t testing.TB, n Ranked, want string) {
	t.Helper()
	if n.Score == nil || n.Score.Cmp(rat(want)) != 0 {
		t.Errorf("%s: score = %v, want %s", n.NominationID, n.Score, want)
	}
}

func wantOrder(t testing.TB, r Result, want ...string) {
	t.Helper()
	if got := order(r); !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func wantRanks(t testing.TB, r Result, want ...string) {
	t.Helper()
	if got := ranks(r); !slices.Equal(got, want) {
		t.Errorf("ranks = %v, want %v", got, want)
	}
}

// wantSentence checks that one explanation sentence of n is exactly want.
func wantSentence(t testing.TB, n Ranked, want string) {
	t.Helper()
	if !slices.Contains(n.Explanation, want) {
		t.Errorf("%s: no explanation sentence %q in:\n  %s", n.NominationID, want, strings.Join(n.Explanation, "\n  "))
	}
}

// wantMention checks that some explanation sentence of n contains every fragment.
func wantMention(t testing.TB, n Ranked, fragments ...string) {
	t.Helper()
	for _, s := range n.Explanation {
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(s, f)
		}
		if ok {
			return
		}
	}
	t.Errorf("%s: no explanation sentence contains %q in:\n  %s", n.NominationID, fragments, strings.Join(n.Explanation, "\n  "))
}

func winners(r Result) []string {
	var out []string
	for _, c := range r.Categories {
		for _, n := range c.Nominations {
			if n.Winner {
				out = append(out, n.NominationID)
			}
		}
	}
	return out
}
