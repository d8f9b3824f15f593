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
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantItem(t, find(t, r, "A"), `{"code":"tie","outcome":"above","steps":[{"mine":2,"step":"more_top_marks","theirs":0}],"with":"B"}`)
	wantItem(t, find(t, r, "B"), `{"code":"tie","outcome":"below","steps":[{"mine":0,"step":"more_top_marks","theirs":2}],"with":"A"}`)
	wantSentence(t, find(t, r, "A"), "Tied on score with B; more top marks: 2 vs 0, ranked above.")
	wantSentence(t, find(t, r, "B"), "Tied on score with A; more top marks: 0 vs 2, ranked below.")

	// HigherMedian alone agrees: A's lower median is 5 (of 2, 5, 5), B's 4.
	in.Rule.TieBreaks = []TieBreak{HigherMedian}
	r = mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantItem(t, find(t, r, "A"), `{"code":"tie","outcome":"above","steps":[{"mine":5,"step":"higher_median","theirs":4}],"with":"B"}`)
	wantSentence(t, find(t, r, "A"), "Tied on score with B; higher median: 5 vs 4, ranked above.")
}

// TestHigherMedianDecides: A 5, 3, 1 and B 5, 2, 2 both average 3 with one top mark each; the lower
// medians are 3 and 2.
func TestHigherMedianDecides(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {5, 3, 1}, "B": {5, 2, 2}})
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, HigherMedian, JuryDecision}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"B", "A"}}} // never reached
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantSentence(t, find(t, r, "A"), "Tied on score with B; more top marks: 1 vs 1; higher median: 3 vs 2, ranked above.")
}

// TestCriteriaInOrderDecides: criterion "zeta" has Number 1 and "alpha" Number 2, so the order is by
// Number, not ID. Weighted sums are 6 and 6 for both, no top marks, medians 6; on zeta A averages
// 7/2 and B 5/2, while on alpha B would win.
func TestCriteriaInOrderDecides(t *testing.T) {
	in := ballots{
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
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantItem(t, find(t, r, "A"), `{"code":"tie","outcome":"above","steps":[`+
		`{"mine":0,"step":"more_top_marks","theirs":0},`+
		`{"mine":6,"step":"higher_median","theirs":6},`+
		`{"criterion_id":"zeta","mine":"7/2","number":1,"step":"criteria_in_order","theirs":"5/2"}],"with":"B"}`)
	wantSentence(t, find(t, r, "A"), "Tied on score with B; more top marks: 0 vs 0; higher median: 6 vs 6; criterion 1 (zeta): 7/2 (3.5) vs 5/2 (2.5), ranked above.")
	wantWinners(t, r, "A")

	// Swapping the numbers makes alpha decide, for B.
	in.Rule.Criteria[0].Number, in.Rule.Criteria[1].Number = 1, 2
	r = mustTally(t, in)
	wantRanks(t, r, "B:1", "A:2")
	wantSentence(t, find(t, r, "B"), "Tied on score with A; more top marks: 0 vs 0; higher median: 6 vs 6; criterion 1 (alpha): 7/2 (3.5) vs 5/2 (2.5), ranked above.")
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
	r := mustTally(t, in)
	wantRanks(t, r, "D:1", "B:2", "A:3", "C:4", "E:5")
	wantItem(t, find(t, r, "D"), `{"code":"tie","outcome":"above","steps":[`+
		`{"mine":0,"step":"more_top_marks","theirs":0},`+
		`{"mine":3,"step":"higher_median","theirs":3},`+
		`{"criterion_id":"g","mine":"7/2","number":1,"step":"criteria_in_order","theirs":"7/2"},`+
		`{"mine":1,"step":"jury_decision","theirs":2}],"with":"B"}`)
	wantSentence(t, find(t, r, "D"), "Tied on score with B; more top marks: 0 vs 0; higher median: 3 vs 3; criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); jury decision: place 1 vs place 2, ranked above.")
	wantWinners(t, r, "D", "B")
	if ties := r.UnresolvedTies(); len(ties) != 0 {
		t.Errorf("unresolved ties %v, want none", ties)
	}

	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"C"}}}
	r = mustTally(t, in)
	wantRanks(t, r, "C:1", "A:2", "B:2", "D:2", "E:5")
	wantItem(t, find(t, r, "C"), `{"code":"tie","outcome":"above","steps":[`+
		`{"mine":0,"step":"more_top_marks","theirs":0},`+
		`{"mine":3,"step":"higher_median","theirs":3},`+
		`{"criterion_id":"g","mine":"7/2","number":1,"step":"criteria_in_order","theirs":"7/2"},`+
		`{"mine":1,"step":"jury_decision","theirs":null}],"with":"A"}`)
	wantSentence(t, find(t, r, "C"), "Tied on score with A; more top marks: 0 vs 0; higher median: 3 vs 3; criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); jury decision: place 1 vs not listed, ranked above.")
	wantSentence(t, find(t, r, "B"), "Tied on score with A; more top marks: 0 vs 0; higher median: 3 vs 3; criterion 1 (g): 7/2 (3.5) vs 7/2 (3.5); jury decision: not listed vs not listed; still tied, so 3 nominations share rank 2: the tie is unresolved.")
	// Rank 2 straddles the 2 winning places, so all three tied nominations win with C.
	wantWinners(t, r, "C", "A", "B", "D")
	d := find(t, r, "D")
	wantItem(t, d, `{"code":"winner_shared","places":2,"rank":2,"with":["A","B"]}`)
	wantSentence(t, d, "Winner: shares rank 2 with A, B across the boundary of the 2 winning places, so all of them are winners.")
	if ties := r.UnresolvedTies(); len(ties) != 1 || ties[0].Rank != 2 || !slices.Equal(ties[0].Members, []string{"A", "B", "D"}) {
		t.Errorf("unresolved ties %v, want A B D at rank 2", ties)
	}
}

// TestUnresolvedTieAtBoundary: with no decision recorded, Y and Z stay tied at rank 2, both win
// with 2 winning places, and W gets competition rank 4.
func TestUnresolvedTieAtBoundary(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{
		"X": {5, 5}, "Y": {4, 2}, "Z": {2, 4}, "W": {1, 1},
	})
	in.Rule.Winners = 2
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, JuryDecision}
	r := mustTally(t, in)
	wantRanks(t, r, "X:1", "Y:2", "Z:2", "W:4")
	wantWinners(t, r, "X", "Y", "Z")
	y := find(t, r, "Y")
	wantItem(t, y, `{"code":"tie","members":2,"outcome":"shared","rank":2,"steps":[`+
		`{"mine":0,"step":"more_top_marks","theirs":0},{"step":"jury_decision_missing"}],"with":"Z"}`)
	wantSentence(t, y, "Tied on score with Z; more top marks: 0 vs 0; jury decision: none recorded for this category; still tied, so 2 nominations share rank 2: the tie is unresolved.")
	wantSentence(t, y, "Winner: shares rank 2 with Z across the boundary of the 2 winning places, so all of them are winners.")
	wantSentence(t, find(t, r, "W"), "Not a winner: rank 4 is outside the 2 winning places.")
	if ties := r.UnresolvedTies(); len(ties) != 1 || ties[0].CategoryID != "cat" || ties[0].Rank != 2 || !slices.Equal(ties[0].Members, []string{"Y", "Z"}) {
		t.Errorf("unresolved ties %v, want Y Z at rank 2", ties)
	}

	// A decision for another category changes nothing here.
	in.Categories = append(in.Categories, Category{ID: "other", Number: 2})
	in.Decisions = []Decision{{CategoryID: "other"}}
	r2 := mustTally(t, in)
	wantRanks(t, r2, "X:1", "Y:2", "Z:2", "W:4")
	wantSentence(t, find(t, r2, "Y"), "Tied on score with Z; more top marks: 0 vs 0; jury decision: none recorded for this category; still tied, so 2 nominations share rank 2: the tie is unresolved.")
}
