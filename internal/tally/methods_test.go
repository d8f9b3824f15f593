package tally

import (
	"slices"
	"testing"
)

// handInput is the hand-computed case shared by the method tests. Criteria: c1 (weight 2) and c2
// (weight 1), both 0..5. Weighted sums (2×c1 + c2):
//
//	A: j1 (5,3)=13  j2 (4,4)=12  j3 (5,5)=15  j4 (3,2)=8    sorted 8, 12, 13, 15
//	B: j1 (4,5)=13  j2 (5,0)=10  j3 (3,3)=9   j4 (4,4)=12   sorted 9, 10, 12, 13
//	C: j1 (5,4)=14  j2 (4,3)=11  j3 (5,2)=12  j4 recused   sorted 11, 12, 14
//
// The criteria are listed out of Number order; the adapter sorts them, so c1 comes first in the rule
// and in every vector.
func handInput(m Method) ballots {
	return ballots{
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

// TestHandInputConversion pins what the adapter hands the tally for handInput, which the validation
// tests index into.
func TestHandInputConversion(t *testing.T) {
	in := handInput(WeightedMean).input(t)
	if in.Rule.Criteria[0].ID != "c1" || in.Rule.Criteria[1].ID != "c2" {
		t.Fatalf("criteria %v, want c1 then c2", in.Rule.Criteria)
	}
	want := map[string][][]int{
		"A": {{5, 3}, {4, 4}, {5, 5}, {3, 2}},
		"B": {{4, 5}, {5, 0}, {3, 3}, {4, 4}},
		"C": {{5, 4}, {4, 3}, {5, 2}},
	}
	for _, n := range in.Nominations {
		if !slices.EqualFunc(n.Vectors, want[n.ID], slices.Equal) {
			t.Errorf("%s: vectors %v, want %v", n.ID, n.Vectors, want[n.ID])
		}
		wantRec := Recusals{}
		if n.ID == "C" {
			wantRec.HomeCity = 1
		}
		if n.Recusals != wantRec {
			t.Errorf("%s: recusals %+v, want %+v", n.ID, n.Recusals, wantRec)
		}
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
	r := mustTally(t, handInput(WeightedMean))
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
	if c.Jurors != 3 || c.Recusals != (Recusals{HomeCity: 1}) {
		t.Errorf("C jurors = %d, recusals %+v; want 3 and one home-city recusal", c.Jurors, c.Recusals)
	}
	// The structured explanation (§9.7): the weighted sums 2×c1 + c2 of the three counted jurors, in
	// increasing order, with j1's 14 among them.
	wantItems(t, c,
		`{"code":"quorum_met","jurors":3,"quorum":3}`,
		`{"code":"score","method":"weighted_mean","score":"37/3","sums":[11,12,14]}`,
		`{"code":"rank","of":3,"rank":1}`,
		`{"code":"winner","places":1,"rank":1}`)
	wantItems(t, a,
		`{"code":"quorum_met","jurors":4,"quorum":3}`,
		`{"code":"score","method":"weighted_mean","score":"12/1","sums":[8,12,13,15]}`,
		`{"code":"rank","of":3,"rank":2}`,
		`{"code":"not_winner_rank","places":1,"rank":2}`)
	wantSentence(t, c, "Quorum met: 3 jurors scored it (quorum 3).")
	wantSentence(t, c, "Score 37/3 (≈12.33): the mean of the weighted sums of 3 jurors (11, 12, 14).")
	wantSentence(t, c, "Rank 1 of 3 ranked in the category.")
	wantSentence(t, c, "Winner: rank 1 is within the 1 winning place.")
	wantSentence(t, a, "Not a winner: rank 2 is outside the 1 winning place.")
}

// TestMedian: lower medians A = 12 (2nd of 8, 12, 13, 15), B = 10, C = 12 (2nd of 11, 12, 14). A and
// C tie, and with no tie-break they share rank 1 across the single winning place.
func TestMedian(t *testing.T) {
	r := mustTally(t, handInput(Median))
	wantOrder(t, r, "A", "C", "B")
	wantRanks(t, r, "A:1", "C:1", "B:3")
	a, c := find(t, r, "A"), find(t, r, "C")
	wantScore(t, a, "12")
	wantScore(t, find(t, r, "B"), "10")
	wantScore(t, c, "12")
	if got, want := criterionScores(a), []string{"c1=4", "c2=3"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantItems(t, a,
		`{"code":"quorum_met","jurors":4,"quorum":3}`,
		`{"code":"score","method":"median","score":"12/1","sums":[8,12,13,15]}`,
		`{"code":"rank","of":3,"rank":1}`,
		`{"code":"tie","members":2,"outcome":"shared","rank":1,"steps":[],"with":"C"}`,
		`{"code":"winner_shared","places":1,"rank":1,"with":["C"]}`)
	wantSentence(t, a, "Score 12: the lower median (the 2nd smallest) of the weighted sums of 4 jurors (8, 12, 13, 15).")
	wantSentence(t, a, "Tied on score with C; the rule has no tie-break; still tied, so 2 nominations share rank 1: the tie is unresolved.")
	wantSentence(t, c, "Winner: shares rank 1 with A across the boundary of the 1 winning place, so all of them are winners.")
	wantWinners(t, r, "A", "C")
	if !slices.Equal(a.Tie, []string{"A", "C"}) || !slices.Equal(c.Tie, []string{"A", "C"}) || find(t, r, "B").Tie != nil {
		t.Errorf("ties: A %v, C %v, B %v; want [A C] for A and C only", a.Tie, c.Tie, find(t, r, "B").Tie)
	}
}

// TestTrimmedMean drops one lowest and one highest: A (12+13)/2 = 25/2, B (10+12)/2 = 11, C 12.
func TestTrimmedMean(t *testing.T) {
	in := handInput(TrimmedMean)
	in.Rule.TrimCount = 1
	r := mustTally(t, in)
	wantOrder(t, r, "A", "C", "B")
	a := find(t, r, "A")
	wantScore(t, a, "25/2")
	wantScore(t, find(t, r, "B"), "11")
	wantScore(t, find(t, r, "C"), "12")
	// c1 marks of A: 3, 4, 5, 5 → (4+5)/2; c2: 2, 3, 4, 5 → (3+4)/2.
	if got, want := criterionScores(a), []string{"c1=9/2", "c2=7/2"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantItem(t, a, `{"code":"score","method":"trimmed_mean","score":"25/2","sums":[8,12,13,15],"trim_count":1}`)
	wantSentence(t, a, "Score 25/2 (12.5): the mean of the weighted sums of 4 jurors (8, 12, 13, 15) after dropping the 1 lowest and the 1 highest.")

	// Trimming 2 from each end needs 5 jurors: nobody qualifies.
	in.Rule.TrimCount = 2
	r = mustTally(t, in)
	for _, n := range r.Categories[0].Nominations {
		if n.QuorumMet || n.Rank != 0 || n.Score != nil || n.Winner {
			t.Errorf("%s: quorum %v rank %d score %v winner %v, want unranked", n.NominationID, n.QuorumMet, n.Rank, n.Score, n.Winner)
		}
	}
	wantOrder(t, r, "A", "B", "C") // unranked, by ID
	wantItems(t, find(t, r, "A"),
		`{"code":"quorum_not_met_trim","jurors":4,"needed":5,"trim_count":2}`,
		`{"code":"not_ranked"}`)
	wantItems(t, find(t, r, "C"), // 3 jurors meet the quorum of 3 but not the trim
		`{"code":"quorum_not_met_trim","jurors":3,"needed":5,"trim_count":2}`,
		`{"code":"not_ranked"}`)
	wantSentence(t, find(t, r, "A"), "Quorum not met: 4 jurors scored it, but the trimmed mean drops the 2 highest and the 2 lowest weighted sums and so needs at least 5.")
	wantWinners(t, r)
}

// TestMajorityJudgment: majority grades A 12, C 12, B 10; removing one 12 leaves A 8, 13, 15
// (median 13) and C 11, 14 (lower median 11), so A is ahead of C.
func TestMajorityJudgment(t *testing.T) {
	r := mustTally(t, handInput(MajorityJudgment))
	wantOrder(t, r, "A", "C", "B")
	wantRanks(t, r, "A:1", "C:2", "B:3")
	a := find(t, r, "A")
	wantScore(t, a, "12")
	if got, want := criterionScores(a), []string{"c1=4", "c2=3"}; !slices.Equal(got, want) {
		t.Errorf("A criteria = %v, want %v", got, want)
	}
	wantItem(t, a, `{"code":"tie","outcome":"above","steps":[{"mine":13,"removed":1,"step":"majority_judgment","theirs":11}],"with":"C"}`)
	wantItem(t, find(t, r, "C"), `{"code":"tie","outcome":"below","steps":[{"mine":11,"removed":1,"step":"majority_judgment","theirs":13}],"with":"A"}`)
	wantSentence(t, a, "Majority grade 12: the lower median (the 2nd smallest) of the weighted sums of 4 jurors (8, 12, 13, 15); equal grades are separated by Balinski–Laraki majority judgment.")
	wantSentence(t, a, "Tied on score with C; majority grade after 1 removal: 13 vs 11, ranked above.")
}

// TestMajorityJudgmentExhausted: identical grade lists can never be separated by the method, so the
// tie falls through to the chain and, with none, stays.
func TestMajorityJudgmentExhausted(t *testing.T) {
	in := grades(single(MajorityJudgment, 0, 5), map[string][]int{"P": {1, 4, 5}, "Q": {5, 1, 4}})
	r := mustTally(t, in)
	wantRanks(t, r, "P:1", "Q:1")
	p := find(t, r, "P")
	wantItem(t, p, `{"code":"tie","members":2,"outcome":"shared","rank":1,"steps":[`+
		`{"mine":1,"removed":1,"step":"majority_judgment","theirs":1},`+
		`{"mine":5,"removed":2,"step":"majority_judgment","theirs":5},`+
		`{"removed":2,"step":"majority_judgment_exhausted"}],"with":"Q"}`)
	wantSentence(t, p, "Tied on score with Q; majority grade after 1 removal: 1 vs 1; majority grade after 2 removals: 5 vs 5; majority judgment: no grades left to compare after 2 removals; still tied, so 2 nominations share rank 1: the tie is unresolved.")

	in.Rule.TieBreaks = []TieBreak{JuryDecision}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"Q", "P"}}}
	r = mustTally(t, in)
	wantRanks(t, r, "Q:1", "P:2")
	wantItem(t, find(t, r, "Q"), `{"code":"tie","outcome":"above","steps":[`+
		`{"mine":1,"removed":1,"step":"majority_judgment","theirs":1},`+
		`{"mine":5,"removed":2,"step":"majority_judgment","theirs":5},`+
		`{"removed":2,"step":"majority_judgment_exhausted"},`+
		`{"mine":1,"step":"jury_decision","theirs":2}],"with":"P"}`)
}
