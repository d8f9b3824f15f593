package tally

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestValidateAcceptsValidInput(t *testing.T) {
	for _, m := range []Method{WeightedMean, Median, TrimmedMean, MajorityJudgment} {
		if err := Validate(handInput(m)); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	in := handInput(WeightedMean)
	in.Rule.TrimCount = 3 // ignored by WeightedMean, and too large for C under TrimmedMean: not an input error
	in.Rule.MinimumScore = big.NewRat(-1, 2)
	in.Rule.TieBreaks = []TieBreak{JuryDecision, MoreTopMarks}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"B"}}}
	in.Ballots[0].Scores["A"] = map[string]int{"c1": 5} // partial marks are explained, not rejected
	in.Ballots[1].Recusals = map[string]RecusalKind{"B": Abstained}
	in.Ballots[1].Scores["B"] = map[string]int{} // an empty entry is not a score
	if err := Validate(in); err != nil {
		t.Error(err)
	}
	in.Rule.Method = TrimmedMean
	if err := Validate(in); err != nil {
		t.Error(err)
	}
}

func TestValidateNamesTheProblem(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Input)
		is     error
		want   string // the exact message
	}{
		{"score out of scale", func(in *Input) { in.Ballots[1].Scores["A"]["c1"] = 7 }, ErrScoreOutOfScale,
			`ballot "j2": nomination "A": criterion "c1": score outside the criterion's scale: 7 is not in 0..5`},
		{"score below scale", func(in *Input) { in.Ballots[2].Scores["C"]["c2"] = -1 }, ErrScoreOutOfScale,
			`ballot "j3": nomination "C": criterion "c2": score outside the criterion's scale: -1 is not in 0..5`},
		{"unknown nomination", func(in *Input) { in.Ballots[0].Scores["Z"] = map[string]int{"c1": 1} }, ErrUnknownNomination,
			`ballot "j1": nomination "Z": unknown nomination`},
		{"unknown criterion", func(in *Input) { in.Ballots[2].Scores["A"]["c9"] = 1 }, ErrUnknownCriterion,
			`ballot "j3": nomination "A": criterion "c9": unknown criterion`},
		{"scored and recused", func(in *Input) { in.Ballots[3].Scores["C"] = map[string]int{"c1": 1, "c2": 1} }, ErrScoredAndRecused,
			`ballot "j4": nomination "C": scored and recused: the juror recused (HomeCity) but gave scores`},
		{"partly scored and recused", func(in *Input) { in.Ballots[3].Scores["C"] = map[string]int{"c2": 1} }, ErrScoredAndRecused,
			`ballot "j4": nomination "C": scored and recused: the juror recused (HomeCity) but gave scores`},
		{"recusal of unknown nomination", func(in *Input) { in.Ballots[0].Recusals = map[string]RecusalKind{"Z": Declared} }, ErrUnknownNomination,
			`ballot "j1": recusal: nomination "Z": unknown nomination`},
		{"unknown recusal kind", func(in *Input) { in.Ballots[3].Recusals["C"] = 9 }, ErrInvalidBallot,
			`ballot "j4": nomination "C": invalid ballot: unknown recusal kind 9`},
		{"two ballots of one juror", func(in *Input) { in.Ballots = append(in.Ballots, Ballot{Juror: "j2"}) }, ErrInvalidBallot,
			`ballot "j2": invalid ballot: the juror has two ballots`},
		{"empty juror", func(in *Input) { in.Ballots[0].Juror = "" }, ErrInvalidBallot,
			`ballot "": invalid ballot: the juror key is empty or not UTF-8`},
		{"unknown method", func(in *Input) { in.Rule.Method = 0 }, ErrInvalidRule, `invalid rule: unknown method 0`},
		{"no criteria", func(in *Input) { in.Rule.Criteria = nil }, ErrInvalidRule, `invalid rule: no criteria`},
		{"weight", func(in *Input) { in.Rule.Criteria[0].Weight = 0 }, ErrInvalidRule, `invalid rule: criterion "c2": weight 0 is below 1`},
		{"scale", func(in *Input) { in.Rule.Criteria[1].Min = 6 }, ErrInvalidRule, `invalid rule: criterion "c1": min 6 is above max 5`},
		{"criterion twice", func(in *Input) { in.Rule.Criteria[1].ID = "c2" }, ErrInvalidRule, `invalid rule: criterion "c2" appears twice`},
		{"criterion number twice", func(in *Input) { in.Rule.Criteria[1].Number = 2 }, ErrInvalidRule, `invalid rule: criteria "c1" and "c2" share number 2`},
		{"no ranking criterion", func(in *Input) {
			in.Rule.Criteria[0].NonRanking, in.Rule.Criteria[1].NonRanking = true, true
		}, ErrInvalidRule, `invalid rule: every criterion is non-ranking, so there is nothing to rank by`},
		{"quorum", func(in *Input) { in.Rule.Quorum = 0 }, ErrInvalidRule, `invalid rule: quorum 0 is below 1`},
		{"winners", func(in *Input) { in.Rule.Winners = 0 }, ErrInvalidRule, `invalid rule: winners 0 is below 1`},
		{"trim count", func(in *Input) { in.Rule.TrimCount = -1 }, ErrInvalidRule, `invalid rule: trim count -1 is negative`},
		{"tie-break twice", func(in *Input) { in.Rule.TieBreaks = []TieBreak{HigherMedian, MoreTopMarks, HigherMedian} }, ErrInvalidRule,
			`invalid rule: tie-break 3: HigherMedian appears twice`},
		{"unknown tie-break", func(in *Input) { in.Rule.TieBreaks = []TieBreak{7} }, ErrInvalidRule, `invalid rule: tie-break 1: unknown step 7`},
		{"category twice", func(in *Input) { in.Categories = append(in.Categories, Category{ID: "cat", Number: 2}) }, ErrInvalidCategory,
			`invalid category: category "cat" appears twice`},
		{"category number twice", func(in *Input) { in.Categories = append(in.Categories, Category{ID: "bat", Number: 1}) }, ErrInvalidCategory,
			`invalid category: categories "bat" and "cat" share number 1`},
		{"nomination twice", func(in *Input) { in.Nominations = append(in.Nominations, Nomination{ID: "B", CategoryID: "cat"}) }, ErrInvalidNomination,
			`invalid nomination: nomination "B" appears twice`},
		{"nomination of unknown category", func(in *Input) { in.Nominations[1].CategoryID = "dog" }, ErrInvalidNomination,
			`invalid nomination: nomination "B": unknown category "dog"`},
		{"non-UTF-8 nomination", func(in *Input) { in.Nominations[1].ID = "\xff" }, ErrInvalidNomination,
			`invalid nomination: nomination "\xff": the ID is empty or not UTF-8`},
		{"decision for unknown category", func(in *Input) { in.Decisions = []Decision{{CategoryID: "dog"}} }, ErrInvalidDecision,
			`decision for category "dog": invalid jury decision: unknown category`},
		{"two decisions", func(in *Input) { in.Decisions = []Decision{{CategoryID: "cat"}, {CategoryID: "cat"}} }, ErrInvalidDecision,
			`decision for category "cat": invalid jury decision: the category has two decisions`},
		{"decision lists a nomination twice", func(in *Input) { in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"A", "B", "A"}}} }, ErrInvalidDecision,
			`decision for category "cat": nomination "A": invalid jury decision: listed twice`},
		{"decision lists an unknown nomination", func(in *Input) { in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"Z"}}} }, ErrUnknownNomination,
			`decision for category "cat": nomination "Z": unknown nomination`},
		{"decision lists another category's nomination", func(in *Input) {
			in.Categories = append(in.Categories, Category{ID: "dog", Number: 2})
			in.Nominations = append(in.Nominations, Nomination{ID: "D", CategoryID: "dog"})
			in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"A", "D"}}}
		}, ErrInvalidDecision, `decision for category "cat": nomination "D": invalid jury decision: the nomination is in category "dog"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := handInput(WeightedMean)
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
			_, cerr := Compute(in)
			if !errors.Is(cerr, c.is) || !strings.Contains(cerr.Error(), c.want) {
				t.Errorf("Compute = %v, want it to wrap %q", cerr, c.want)
			}
		})
	}
}

// TestValidateFirstProblemIsStable: with problems in two ballots, the one of the smaller juror key
// is reported whatever the order of the ballots.
func TestValidateFirstProblemIsStable(t *testing.T) {
	in := handInput(WeightedMean)
	in.Ballots[1].Scores["B"]["c2"] = 99 // j2
	in.Ballots[3].Scores["Z"] = nil      // j4
	in.Ballots[0].Scores["B"]["c9"] = 1  // j1: the first
	want := Validate(in).Error()
	if !strings.HasPrefix(want, `ballot "j1": nomination "B": criterion "c9"`) {
		t.Fatalf("Validate = %s", want)
	}
	for range 20 {
		slices.Reverse(in.Ballots)
		in.Ballots = append(in.Ballots[1:], in.Ballots[0])
		if got := Validate(in).Error(); got != want {
			t.Fatalf("after reordering ballots: %s, want %s", got, want)
		}
	}
}
