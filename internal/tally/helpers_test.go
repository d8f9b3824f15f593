package tally

import (
	"cmp"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// The hand-computed tests describe their inputs as juror ballots, the way a jury round is thought
// about: juror -> nomination -> criterion -> mark, plus the nominations each juror is recused from.
// The tally itself takes per-nomination mark vectors and recusal counts (§9.2 of the
// specification); ballots.input converts. Everything in this block is test-only.

// RecusalKind says why a juror does not mark a nomination (test-only: the tally counts recusals by
// kind and never sees who was recused).
type RecusalKind int

const (
	HomeCity RecusalKind = iota + 1
	Declared
	Abstained
)

// Ballot is one juror's marks and recusals (test-only).
type Ballot struct {
	Juror    string
	Scores   map[string]map[string]int // nomination ID -> criterion ID -> mark
	Recusals map[string]RecusalKind    // nomination ID -> why the juror does not mark it
}

// ballots is an input described by ballots. Nominations' Vectors and Recusals are ignored and
// filled in from Ballots by input.
type ballots struct {
	Rule        Rule // Criteria in any order: input sorts them by Number
	Categories  []Category
	Nominations []Nomination
	Ballots     []Ballot
	Decisions   []Decision
}

// input converts the ballots to the tally's Input: criteria sorted by Number, one vector per juror
// who marks a nomination (its marks in the rule's criterion order, jurors by key) and recusal counts
// by kind. A ballot that the new model cannot express (incomplete marks, an unknown nomination or
// criterion, marks and a recusal for one nomination) fails the test.
func (b ballots) input(t testing.TB) Input {
	t.Helper()
	rule := b.Rule
	rule.Criteria = slices.Clone(b.Rule.Criteria)
	slices.SortStableFunc(rule.Criteria, func(x, y Criterion) int { return cmp.Compare(x.Number, y.Number) })
	rule.TieBreaks = slices.Clone(b.Rule.TieBreaks)
	in := Input{Rule: rule, Categories: slices.Clone(b.Categories)}
	for _, d := range b.Decisions {
		in.Decisions = append(in.Decisions, Decision{CategoryID: d.CategoryID, Order: slices.Clone(d.Order)})
	}
	sorted := slices.Clone(b.Ballots)
	slices.SortStableFunc(sorted, func(x, y Ballot) int { return strings.Compare(x.Juror, y.Juror) })
	known := map[string]bool{}
	for _, n := range b.Nominations {
		known[n.ID] = true
		out := Nomination{ID: n.ID, CategoryID: n.CategoryID}
		for _, bl := range sorted {
			if kind, ok := bl.Recusals[n.ID]; ok {
				if len(bl.Scores[n.ID]) > 0 {
					t.Fatalf("ballot %q: nomination %q is both marked and recused, which a cast cannot say", bl.Juror, n.ID)
				}
				switch kind {
				case HomeCity:
					out.Recusals.HomeCity++
				case Declared:
					out.Recusals.Declared++
				case Abstained:
					out.Recusals.Abstained++
				default:
					t.Fatalf("ballot %q: nomination %q: recusal kind %d", bl.Juror, n.ID, kind)
				}
				continue
			}
			marks := bl.Scores[n.ID]
			if len(marks) == 0 {
				continue // the juror does not mark it: no vector
			}
			v := make([]int, len(rule.Criteria))
			for i, c := range rule.Criteria {
				m, ok := marks[c.ID]
				if !ok {
					t.Fatalf("ballot %q: nomination %q: no mark for criterion %q; the tally takes complete vectors only", bl.Juror, n.ID, c.ID)
				}
				v[i] = m
			}
			if len(marks) != len(rule.Criteria) {
				t.Fatalf("ballot %q: nomination %q: marks for unknown criteria in %v", bl.Juror, n.ID, marks)
			}
			out.Vectors = append(out.Vectors, v)
		}
		in.Nominations = append(in.Nominations, out)
	}
	for _, bl := range sorted {
		for _, id := range slices.Concat(slices.Collect(maps.Keys(bl.Scores)), slices.Collect(maps.Keys(bl.Recusals))) {
			if !known[id] {
				t.Fatalf("ballot %q: unknown nomination %q", bl.Juror, id)
			}
		}
	}
	return in
}

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
func grades(r Rule, g map[string][]int) ballots {
	in := ballots{Rule: r, Categories: []Category{{ID: "cat", Number: 1}}}
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

// mustTally converts ballots and computes.
func mustTally(t testing.TB, b ballots) Result {
	t.Helper()
	return mustCompute(t, b.input(t))
}

// orderOf returns the nomination IDs of the first category, best first.
func orderOf(r Result) []string {
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
	if got := orderOf(r); !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func wantRanks(t testing.TB, r Result, want ...string) {
	t.Helper()
	if got := ranks(r); !slices.Equal(got, want) {
		t.Errorf("ranks = %v, want %v", got, want)
	}
}

// sentences renders n's explanation in English, with nominations and criteria named by their IDs.
func sentences(n Ranked) []string {
	out := make([]string, len(n.Explanation))
	for i, it := range n.Explanation {
		out[i] = English(it, nil)
	}
	return out
}

// wantSentence checks that one explanation item of n renders in English exactly as want.
func wantSentence(t testing.TB, n Ranked, want string) {
	t.Helper()
	if s := sentences(n); !slices.Contains(s, want) {
		t.Errorf("%s: no explanation sentence %q in:\n  %s", n.NominationID, want, strings.Join(s, "\n  "))
	}
}

// itemJSON is an explanation item as the tally document writes it (§9.7): canonical JSON with the
// code beside the arguments.
func itemJSON(t testing.TB, it Item) string {
	t.Helper()
	a := Args{"code": it.Code}
	for k, v := range it.Args {
		a[k] = v
	}
	b, err := canon.Encode(a)
	if err != nil {
		t.Fatalf("item %v: %v", it, err)
	}
	return string(b)
}

// explanationJSON is n's whole explanation, one canonical item a line.
func explanationJSON(t testing.TB, n Ranked) string {
	t.Helper()
	var lines []string
	for _, it := range n.Explanation {
		lines = append(lines, itemJSON(t, it))
	}
	return strings.Join(lines, "\n")
}

// wantItems checks n's whole structured explanation, item by item, in order.
func wantItems(t testing.TB, n Ranked, want ...string) {
	t.Helper()
	if got := explanationJSON(t, n); got != strings.Join(want, "\n") {
		t.Errorf("%s: explanation\n got %s\nwant %s", n.NominationID, got, strings.Join(want, "\n"))
	}
}

// wantItem checks that n's explanation has the item want (canonical JSON).
func wantItem(t testing.TB, n Ranked, want string) {
	t.Helper()
	got := explanationJSON(t, n)
	if !slices.Contains(strings.Split(got, "\n"), want) {
		t.Errorf("%s: no explanation item %s in:\n  %s", n.NominationID, want, strings.ReplaceAll(got, "\n", "\n  "))
	}
}

// winnersOf collects the winners by hand, to check Result.Winners against.
func winnersOf(r Result) []string {
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

// wantWinners checks Result.Winners, and that it agrees with the Winner flags in document order.
func wantWinners(t testing.TB, r Result, want ...string) {
	t.Helper()
	got := r.Winners()
	if !slices.Equal(got, want) {
		t.Errorf("winners = %v, want %v", got, want)
	}
	if flags := winnersOf(r); !slices.Equal(got, flags) {
		t.Errorf("Winners() = %v but the Winner flags say %v", got, flags)
	}
}
