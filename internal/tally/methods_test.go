package tally

import (
	"math/big"
	"slices"
	"testing"
)

// handInput is the hand-computed case shared by the method tests. Criteria: c1 (weight 2) and c2
// (weight 1), both 0..5. Weighted sums (2×c1 + c2):
//
//	A: j1 (5,3)=13  j2 (4,4)=12  j3 (5,5)=15  j4 (3,2)=8    sorted 8, 12, 13, 15
//	B: j1 (4,5)=13  j2 (5,0)=10  j3 (3,3)=9   j4 (4,4)=12   sorted 9, 10, 12, 13
//	C: j1 (5,4)=14  j2 (4,3)=11  j3 (5,2)=12  j4 recused   sorted 11, 12, 14
func handInput(m Method) Input {
	return Input{
		Rule: Rule{
			Method: m,
			Criteria: []Criterion{
				{ID: "c2", Number: 2, Min: 0, Max: 5, Weight: 1},
				{ID: "c1", Number: 1, Min: 0, Max: 5, Weight: 2},
			},
			Quorum:  3,
			Winners: 1,
		},
		Categories:  []Category{{ID: "cat", Number: 1}},
		Nominations: []Nomination{{ID: "A", CategoryID: "cat"}, {ID: "B", CategoryID: "cat"}, {ID: "C", CategoryID: "cat"}},
		Ballots: []Ballot{
			{Juror: "j1", Scores: map[string]map[string]int{"A": {"c1": 5, "c2": 3}, "B": {"c1": 4, "c2": 5}, "C": {"c1": 5, "c2": 4}}},
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"c1": 4, "c2": 4}, "B": {"c1": 5, "c2": 0}, "C": {"c1": 4, "c2": 3}}},
			{Juror: "j3", Scores: map[string]map[string]int{"A": {"c1": 5, "c2": 5}, "B": {"c1": 3, "c2": 3}, "C": {"c1": 5, "c2": 2}}},
			{Juror: "j4", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 2}, "B": {"c1": 4, "c2": 4}},
				Recusals: map[string]RecusalKind{"C": HomeCity}},
		},
	}
}

func criterionScores(n Ranked) []string {
	var out []string
	for _, c := range n.Criteria {
		out = append(out, c.CriterionID+"="+c.Score.RatString())
	}
	return out
}

func TestWeightedMean(t *testing.T) {
	r := mustCompute(t, handInput(WeightedMean))
	wantOrder(t, r, "C", "A", "B")
	wantRanks(t, r, "C:1", "A:2", "B:3")
	a, c := find(t, r, "A"), find(t, r, "C")
	wantScore(t, a, "12")               // 48/4
	wantScore(t, find(t, r, "B"), "11") // 44/4
	wantScore(t, c, "37/3")             // 37/3 with j4 recused
	if got, want := criterionScores(a), []string{"c1=17/4", "c2=7/2"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	if got, want := criterionScores(c), []string{"c1=14/3", "c2=3"}; !slices.Equal(got, want) {
		t.Errorf("C criteria = %v, want %v", got, want)
	}
	if c.Jurors != 3 || len(c.PerJuror) != 3 || len(c.Recusals) != 1 || c.Recusals[0] != (Recusal{Juror: "j4", Kind: HomeCity}) {
		t.Errorf("C jurors = %d, per juror %d, recusals %v", c.Jurors, len(c.PerJuror), c.Recusals)
	}
	if got := c.PerJuror[0].WeightedSum; got.Cmp(big.NewRat(14, 1)) != 0 {
		t.Errorf("C j1 weighted sum = %v, want 14", got)
	}
	wantSentence(t, c, "Each juror's weighted sum is 2×c1 + 1×c2.")
	wantSentence(t, c, "Quorum met: 3 jurors scored every ranking criterion (quorum 3).")
	wantSentence(t, c, "Recused and not counted: j4 (HomeCity).")
	wantSentence(t, c, "Score 37/3 (≈12.33): the mean of the weighted sums of 3 jurors (11, 12, 14).")
	wantSentence(t, c, "Winner: rank 1 is within the 1 winning place.")
	wantSentence(t, a, "Not a winner: rank 2 is outside the 1 winning place.")
}

// TestMedian: lower medians A = 12 (2nd of 8, 12, 13, 15), B = 10, C = 12 (2nd of 11, 12, 14). A and
// C tie, and with no tie-break they share rank 1 across the single winning place.
func TestMedian(t *testing.T) {
	r := mustCompute(t, handInput(Median))
	wantOrder(t, r, "A", "C", "B")
	wantRanks(t, r, "A:1", "C:1", "B:3")
	a, c := find(t, r, "A"), find(t, r, "C")
	wantScore(t, a, "12")
	wantScore(t, find(t, r, "B"), "10")
	wantScore(t, c, "12")
	if got, want := criterionScores(a), []string{"c1=4", "c2=3"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantSentence(t, a, "Score 12: the lower median (the 2nd smallest) of the weighted sums of 4 jurors (8, 12, 13, 15).")
	wantSentence(t, a, "Tied with C at 12; the rule has no tie-break; still tied, so both share rank 1: the tie is unresolved and needs a jury decision.")
	wantSentence(t, c, "Winner: shares rank 1 with A across the boundary of the 1 winning place, so all of them are winners.")
	if got := winners(r); !slices.Equal(got, []string{"A", "C"}) {
		t.Errorf("winners = %v, want [A C]", got)
	}
}

// TestTrimmedMean drops one lowest and one highest: A (12+13)/2 = 25/2, B (10+12)/2 = 11, C 12.
func TestTrimmedMean(t *testing.T) {
	in := handInput(TrimmedMean)
	in.Rule.TrimCount = 1
	r := mustCompute(t, in)
	wantOrder(t, r, "A", "C", "B")
	a := find(t, r, "A")
	wantScore(t, a, "25/2")
	wantScore(t, find(t, r, "B"), "11")
	wantScore(t, find(t, r, "C"), "12")
	// c1 marks of A: 3, 4, 5, 5 → (4+5)/2; c2: 2, 3, 4, 5 → (3+4)/2.
	if got, want := criterionScores(a), []string{"c1=9/2", "c2=7/2"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantSentence(t, a, "Score 25/2 (12.5): the mean of the weighted sums of 4 jurors (8, 12, 13, 15) after dropping the 1 lowest (8) and the 1 highest (15).")

	// Trimming 2 from each end needs 5 jurors: nobody qualifies.
	in.Rule.TrimCount = 2
	r = mustCompute(t, in)
	for _, n := range r.Categories[0].Nominations {
		if n.QuorumMet || n.Rank != 0 || n.Score != nil || n.Winner {
			t.Errorf("%s: quorum %v rank %d score %v winner %v, want unranked", n.NominationID, n.QuorumMet, n.Rank, n.Score, n.Winner)
		}
	}
	wantOrder(t, r, "A", "B", "C") // unranked, by ID
	wantSentence(t, find(t, r, "A"), "Quorum not met: 4 jurors scored every ranking criterion, but TrimmedMean drops the 2 highest and the 2 lowest weighted sums and so needs at least 5.")
}

// TestMajorityJudgment: majority grades A 12, C 12, B 10; removing one 12 leaves A 8, 13, 15
// (median 13) and C 11, 14 (lower median 11), so A is ahead of C.
func TestMajorityJudgment(t *testing.T) {
	r := mustCompute(t, handInput(MajorityJudgment))
	wantOrder(t, r, "A", "C", "B")
	wantRanks(t, r, "A:1", "C:2", "B:3")
	a := find(t, r, "A")
	wantScore(t, a, "12")
	if got, want := criterionScores(a), []string{"c1=4", "c2=3"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantSentence(t, a, "Tied with C at majority grade 12; majority judgment with 1 median grade removed: 13 vs 11, ranked above.")
}

// TestMajorityJudgmentExhausted: identical grade lists can never be separated by the method, so the
// tie falls through to the chain and, with none, stays.
func TestMajorityJudgmentExhausted(t *testing.T) {
	in := grades(single(MajorityJudgment, 0, 5), map[string][]int{"P": {1, 4, 5}, "Q": {5, 1, 4}})
	r := mustCompute(t, in)
	wantRanks(t, r, "P:1", "Q:1")
	wantSentence(t, find(t, r, "P"), "Tied with Q at majority grade 4; majority judgment with 1 median grade removed: 1 vs 1; majority judgment with 2 median grades removed: 5 vs 5; majority judgment: no grades left to compare after 2 removals; the rule has no tie-break; still tied, so both share rank 1: the tie is unresolved and needs a jury decision.")

	in.Rule.TieBreaks = []TieBreak{JuryDecision}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"Q", "P"}}}
	r = mustCompute(t, in)
	wantRanks(t, r, "Q:1", "P:2")
}
