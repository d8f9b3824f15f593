package tally

import (
	"slices"
	"testing"
)

// Every case below has equal WeightedMean scores, so only the chain can order the nominations.

// TestMoreTopMarksDecides: A 5, 5, 2 and B 4, 4, 4 both average 4; A has two marks equal to the
// scale's Max, B none.
func TestMoreTopMarksDecides(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {5, 5, 2}, "B": {4, 4, 4}})
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, HigherMedian}
	r := mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantSentence(t, find(t, r, "A"), "Tied with B at 4; MoreTopMarks: 2 vs 0, ranked above.")
	wantSentence(t, find(t, r, "B"), "Tied with A at 4; MoreTopMarks: 0 vs 2, ranked below.")

	// HigherMedian alone agrees: A's lower median is 5 (of 2, 5, 5), B's 4.
	in.Rule.TieBreaks = []TieBreak{HigherMedian}
	r = mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantSentence(t, find(t, r, "A"), "Tied with B at 4; HigherMedian: 5 vs 4, ranked above.")
}

// TestHigherMedianDecides: A 5, 3, 1 and B 5, 2, 2 both average 3 with one top mark each; the lower
// medians are 3 and 2.
func TestHigherMedianDecides(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {5, 3, 1}, "B": {5, 2, 2}})
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, HigherMedian, JuryDecision}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"B", "A"}}} // never reached
	r := mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantSentence(t, find(t, r, "A"), "Tied with B at 3; MoreTopMarks: 1 vs 1; HigherMedian: 3 vs 2, ranked above.")
}

// TestCriteriaInOrderDecides: criterion "zeta" has Number 1 and "alpha" Number 2, so the order is by
// Number, not ID. Weighted sums are 6 and 6 for both, no top marks, medians 6; on zeta A averages
// 7/2 and B 5/2, while on alpha B would win.
func TestCriteriaInOrderDecides(t *testing.T) {
	in := Input{
		Rule: Rule{
			Method: WeightedMean,
			Criteria: []Criterion{
				{ID: "alpha", Number: 2, Min: 0, Max: 5, Weight: 1},
				{ID: "zeta", Number: 1, Min: 0, Max: 5, Weight: 1},
			},
			Quorum:    2,
			Winners:   1,
			TieBreaks: []TieBreak{MoreTopMarks, HigherMedian, CriteriaInOrder, JuryDecision},
		},
		Categories:  []Category{{ID: "cat", Number: 1}},
		Nominations: []Nomination{{ID: "A", CategoryID: "cat"}, {ID: "B", CategoryID: "cat"}},
		Ballots: []Ballot{
			{Juror: "j1", Scores: map[string]map[string]int{"A": {"zeta": 4, "alpha": 2}, "B": {"zeta": 2, "alpha": 4}}},
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"zeta": 3, "alpha": 3}, "B": {"zeta": 3, "alpha": 3}}},
		},
	}
	r := mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantSentence(t, find(t, r, "A"), "Tied with B at 6; MoreTopMarks: 0 vs 0; HigherMedian: 6 vs 6; CriteriaInOrder, criterion 1 (zeta): 7/2 (3.5) vs 5/2 (2.5), ranked above.")
	if got := winners(r); !slices.Equal(got, []string{"A"}) {
		t.Errorf("winners = %v, want [A]", got)
	}

	// Swapping the numbers makes alpha decide, for B.
	in.Rule.Criteria[0].Number, in.Rule.Criteria[1].Number = 1, 2
	r = mustCompute(t, in)
	wantRanks(t, r, "B:1", "A:2")
	wantSentence(t, find(t, r, "B"), "Tied with A at 6; MoreTopMarks: 0 vs 0; HigherMedian: 6 vs 6; CriteriaInOrder, criterion 1 (alpha): 7/2 (3.5) vs 5/2 (2.5), ranked above.")
}

// TestJuryDecisionDecides: identical marks tie on every arithmetic step; the recorded order decides.
// A partial order lists only some nominations: listed ones come first, unlisted ones stay tied.
func TestJuryDecisionDecides(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{
		"A": {4, 3}, "B": {3, 4}, "C": {4, 3}, "D": {3, 4}, "E": {1, 1},
	})
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, HigherMedian, CriteriaInOrder, JuryDecision}
	in.Rule.Winners = 2
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"D", "B", "A", "C"}}}
	r := mustCompute(t, in)
	wantRanks(t, r, "D:1", "B:2", "A:3", "C:4", "E:5")
	wantSentence(t, find(t, r, "D"), "Tied with B at 7/2 (3.5); MoreTopMarks: 0 vs 0; HigherMedian: 3 vs 3; CriteriaInOrder, criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); JuryDecision: place 1 in the recorded order vs place 2 in the recorded order, ranked above.")
	if got := winners(r); !slices.Equal(got, []string{"D", "B"}) {
		t.Errorf("winners = %v, want [D B]", got)
	}

	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"C"}}}
	r = mustCompute(t, in)
	wantRanks(t, r, "C:1", "A:2", "B:2", "D:2", "E:5")
	wantSentence(t, find(t, r, "C"), "Tied with A at 7/2 (3.5); MoreTopMarks: 0 vs 0; HigherMedian: 3 vs 3; CriteriaInOrder, criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); JuryDecision: place 1 in the recorded order vs not listed in the recorded order, ranked above.")
	wantSentence(t, find(t, r, "B"), "Tied with A at 7/2 (3.5); MoreTopMarks: 0 vs 0; HigherMedian: 3 vs 3; CriteriaInOrder, criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); JuryDecision: not listed in the recorded order vs not listed in the recorded order; still tied, so all 3 share rank 2: the tie is unresolved and needs a jury decision.")
	// Rank 2 straddles the 2 winning places, so all three tied nominations win with C.
	if got := winners(r); !slices.Equal(got, []string{"C", "A", "B", "D"}) {
		t.Errorf("winners = %v, want [C A B D]", got)
	}
	wantSentence(t, find(t, r, "D"), "Winner: shares rank 2 with A, B across the boundary of the 2 winning places, so all of them are winners.")
}

// TestUnresolvedTieAtBoundary: with no decision recorded, Y and Z stay tied at rank 2, both win
// with 2 winning places, and W gets competition rank 4.
func TestUnresolvedTieAtBoundary(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{
		"X": {5, 5}, "Y": {4, 2}, "Z": {2, 4}, "W": {1, 1},
	})
	in.Rule.Winners = 2
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, JuryDecision}
	r := mustCompute(t, in)
	wantRanks(t, r, "X:1", "Y:2", "Z:2", "W:4")
	if got := winners(r); !slices.Equal(got, []string{"X", "Y", "Z"}) {
		t.Errorf("winners = %v, want [X Y Z]", got)
	}
	y := find(t, r, "Y")
	wantSentence(t, y, "Tied with Z at 3; MoreTopMarks: 0 vs 0; JuryDecision: no decision is recorded for this category; still tied, so both share rank 2: the tie is unresolved and needs a jury decision.")
	wantSentence(t, y, "Winner: shares rank 2 with Z across the boundary of the 2 winning places, so all of them are winners.")
	wantSentence(t, find(t, r, "W"), "Not a winner: rank 4 is outside the 2 winning places.")

	// A decision for another category changes nothing here.
	in.Categories = append(in.Categories, Category{ID: "other", Number: 2})
	in.Decisions = []Decision{{CategoryID: "other"}}
	r2 := mustCompute(t, in)
	wantRanks(t, r2, "X:1", "Y:2", "Z:2", "W:4")
}
