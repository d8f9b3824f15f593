package tally

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// nominationAt returns a pointer to the nomination id of in, to mutate it.
func nominationAt(t testing.TB, in *Input, id string) *Nomination {
	t.Helper()
	for i := range in.Nominations {
		if in.Nominations[i].ID == id {
			return &in.Nominations[i]
		}
	}
	t.Fatalf("no nomination %q", id)
	return nil
}

func TestValidateAcceptsValidInput(t *testing.T) {
	for _, m := range []Method{WeightedMean, Median, TrimmedMean, MajorityJudgment} {
		if err := Validate(handInput(m).input(t)); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	in := handInput(WeightedMean).input(t)
	in.Rule.TrimCount = 3 // ignored by WeightedMean, and too large for C under TrimmedMean: not an input error
	in.Rule.MinimumScore = big.NewRat(-1, 2)
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, JuryDecision}
	// Several decisions for one category are concatenated (§9.5.2), and a decision may list only some
	// nominations.
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"B"}}, {CategoryID: "cat", Order: []string{"C", "A"}}, {CategoryID: "cat"}}
	nominationAt(t, &in, "B").Vectors = nil // no counted juror: explained, not rejected
	nominationAt(t, &in, "C").Recusals = Recusals{HomeCity: 2, Declared: 1, Abstained: 7}
	in.Nominations = append(in.Nominations, Nomination{ID: "D", CategoryID: "cat"})
	in.Categories = append(in.Categories, Category{ID: "empty", Number: -4}) // a category without nominations
	if err := Validate(in); err != nil {
		t.Error(err)
	}
	in.Rule.Method = TrimmedMean
	if err := Validate(in); err != nil {
		t.Error(err)
	}
}

func TestValidateNamesTheProblem(t *testing.T) {
	// handInput after conversion: criteria c1, c2 (both 0..5); A has 4 vectors, B 4, C 3.
	cases := []struct {
		name   string
		mutate func(*Input)
		is     error
		want   string // the exact message
	}{
		{"mark out of scale", func(in *Input) { nominationAt(t, in, "A").Vectors[1][0] = 7 }, ErrInvalidVector,
			`nomination "A": vector 1: criterion "c1": invalid marks: 7 is not in 0..5`},
		{"mark below scale", func(in *Input) { nominationAt(t, in, "C").Vectors[2][1] = -1 }, ErrInvalidVector,
			`nomination "C": vector 2: criterion "c2": invalid marks: -1 is not in 0..5`},
		{"short vector", func(in *Input) { nominationAt(t, in, "B").Vectors[0] = []int{4} }, ErrInvalidVector,
			`nomination "B": vector 0: invalid marks: 1 marks for 2 criteria`},
		{"long vector", func(in *Input) {
			n := nominationAt(t, in, "A")
			n.Vectors[3] = append(n.Vectors[3], 1)
		}, ErrInvalidVector, `nomination "A": vector 3: invalid marks: 3 marks for 2 criteria`},
		{"empty vector", func(in *Input) {
			n := nominationAt(t, in, "C")
			n.Vectors = append(n.Vectors, nil)
		}, ErrInvalidVector, `nomination "C": vector 3: invalid marks: 0 marks for 2 criteria`},
		{"negative recusal count", func(in *Input) { nominationAt(t, in, "C").Recusals.Abstained = -1 }, ErrInvalidNomination,
			`invalid nomination: nomination "C": a negative recusal count`},
		{"unknown method", func(in *Input) { in.Rule.Method = "plurality" }, ErrInvalidRule, `invalid rule: unknown method "plurality"`},
		{"no method", func(in *Input) { in.Rule.Method = "" }, ErrInvalidRule, `invalid rule: unknown method ""`},
		{"method in the wrong case", func(in *Input) { in.Rule.Method = "WeightedMean" }, ErrInvalidRule, `invalid rule: unknown method "WeightedMean"`},
		{"no criteria", func(in *Input) { in.Rule.Criteria = nil }, ErrInvalidRule, `invalid rule: no criteria`},
		{"weight", func(in *Input) { in.Rule.Criteria[1].Weight = 0 }, ErrInvalidRule, `invalid rule: criterion "c2": weight 0 is below 1`},
		{"scale", func(in *Input) { in.Rule.Criteria[0].Min = 6 }, ErrInvalidRule, `invalid rule: criterion "c1": min 6 is above max 5`},
		{"criterion twice", func(in *Input) { in.Rule.Criteria[0].ID = "c2" }, ErrInvalidRule, `invalid rule: criterion "c2" appears twice`},
		{"empty criterion ID", func(in *Input) { in.Rule.Criteria[1].ID = "" }, ErrInvalidRule, `invalid rule: criterion 1: the ID is empty or not UTF-8`},
		{"criterion number twice", func(in *Input) { in.Rule.Criteria[1].Number = 1 }, ErrInvalidRule,
			`invalid rule: criterion "c2": numbers must increase (1 after 1)`},
		{"criteria out of number order", func(in *Input) {
			in.Rule.Criteria[0], in.Rule.Criteria[1] = in.Rule.Criteria[1], in.Rule.Criteria[0]
		}, ErrInvalidRule, `invalid rule: criterion "c1": numbers must increase (1 after 2)`},
		{"no ranking criterion", func(in *Input) {
			in.Rule.Criteria[0].NonRanking, in.Rule.Criteria[1].NonRanking = true, true
		}, ErrInvalidRule, `invalid rule: every criterion is non-ranking, so there is nothing to rank by`},
		{"quorum", func(in *Input) { in.Rule.Quorum = 0 }, ErrInvalidRule, `invalid rule: quorum 0 is below 1`},
		{"winners", func(in *Input) { in.Rule.Winners = 0 }, ErrInvalidRule, `invalid rule: winners 0 is below 1`},
		{"trim count", func(in *Input) { in.Rule.TrimCount = -1 }, ErrInvalidRule, `invalid rule: trim count -1 is negative`},
		{"tie-break twice", func(in *Input) { in.Rule.TieBreaks = []TieBreak{HigherMedian, MoreTopMarks, HigherMedian} }, ErrInvalidRule,
			`invalid rule: tie-break 3: higher_median appears twice`},
		{"unknown tie-break", func(in *Input) { in.Rule.TieBreaks = []TieBreak{"coin_toss"} }, ErrInvalidRule, `invalid rule: tie-break 1: unknown step "coin_toss"`},
		{"category twice", func(in *Input) { in.Categories = append(in.Categories, Category{ID: "cat", Number: 2}) }, ErrInvalidCategory,
			`invalid category: category "cat" appears twice`},
		{"category number twice", func(in *Input) { in.Categories = append(in.Categories, Category{ID: "bat", Number: 1}) }, ErrInvalidCategory,
			`invalid category: categories "bat" and "cat" share number 1`},
		{"empty category ID", func(in *Input) { in.Categories = append(in.Categories, Category{Number: 2}) }, ErrInvalidCategory,
			`invalid category: category "": the ID is empty or not UTF-8`},
		{"nomination twice", func(in *Input) { in.Nominations = append(in.Nominations, Nomination{ID: "B", CategoryID: "cat"}) }, ErrInvalidNomination,
			`invalid nomination: nomination "B" appears twice`},
		{"nomination of unknown category", func(in *Input) { in.Nominations[1].CategoryID = "dog" }, ErrInvalidNomination,
			`invalid nomination: nomination "B": unknown category "dog"`},
		{"non-UTF-8 nomination", func(in *Input) { in.Nominations[1].ID = "\xff" }, ErrInvalidNomination,
			`invalid nomination: nomination "\xff": the ID is empty or not UTF-8`},
		{"decision for unknown category", func(in *Input) { in.Decisions = []Decision{{CategoryID: "dog"}} }, ErrInvalidDecision,
			`decision 1: invalid jury decision: unknown category "dog"`},
		{"decision lists an unknown nomination", func(in *Input) { in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"Z"}}} }, ErrInvalidDecision,
			`decision 1: invalid jury decision: unknown nomination "Z"`},
		{"decision lists another category's nomination", func(in *Input) {
			in.Categories = append(in.Categories, Category{ID: "dog", Number: 2})
			in.Nominations = append(in.Nominations, Nomination{ID: "D", CategoryID: "dog"})
			in.Decisions = []Decision{{CategoryID: "dog", Order: []string{"D"}}, {CategoryID: "cat", Order: []string{"A", "D"}}}
		}, ErrInvalidDecision, `decision 2: invalid jury decision: nomination "D" is in category "dog"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := handInput(WeightedMean).input(t)
			c.mutate(&in)
			err := Validate(in)
			if !errors.Is(err, c.is) {
				t.Fatalf("Validate = %v, want %v", err, c.is)
			}
			if err.Error() != c.want {
				t.Errorf("message\n got %s\nwant %s", err, c.want)
			}
			if r := []rune(err.Error()); unicode.IsUpper(r[0]) {
				t.Errorf("message %q is not lowercase", err)
			}
			res, cerr := Compute(in)
			if !errors.Is(cerr, c.is) || !strings.Contains(cerr.Error(), c.want) || res.Categories != nil {
				t.Errorf("Compute = %v, %v; want no result and an error wrapping %q", res, cerr, c.want)
			}
		})
	}
}

// TestValidateFirstProblemIsStable: with problems in several nominations, the one of the smallest
// nomination ID is reported whatever the order of the nominations and categories. (The old test
// reordered ballots; juror identities no longer enter the tally.)
func TestValidateFirstProblemIsStable(t *testing.T) {
	in := handInput(WeightedMean).input(t)
	in.Categories = append(in.Categories, Category{ID: "dog", Number: 2})
	in.Nominations = append(in.Nominations, Nomination{ID: "0", CategoryID: "dog", Vectors: [][]int{{1, 1}, {9, 9}}})
	nominationAt(t, &in, "B").Vectors[2][1] = 99
	nominationAt(t, &in, "C").Recusals.Declared = -1
	nominationAt(t, &in, "A").Vectors[0] = []int{1}
	want := Validate(in).Error()
	if want != `nomination "0": vector 1: criterion "c1": invalid marks: 9 is not in 0..5` {
		t.Fatalf("Validate = %s", want)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 20 {
		in.Nominations = shuffle(rng, in.Nominations)
		in.Categories = shuffle(rng, in.Categories)
		if got := Validate(in).Error(); got != want {
			t.Fatalf("after reordering nominations: %s, want %s", got, want)
		}
	}
}
