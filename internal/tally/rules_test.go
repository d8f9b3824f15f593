package tally

import (
	"bytes"
	"math/big"
	"testing"
)

// quorumInput: quorum 3. A is scored by j1–j3 (weighted sum 6 each). B has higher marks but only
// j1 and j2 count: j3 recused, and j4 and j5 neither marked nor recused it (in the old ballot model
// they gave incomplete marks; a cast now marks every criterion or recuses, so an incomplete ballot
// simply contributes no vector). C has no marks. The non-ranking "note" is marked in every vector.
func quorumInput() ballots {
	return ballots{
		Rule: Rule{
			Method: WeightedMean,
			Criteria: []Criterion{
				{ID: "c1", Number: 1, Min: 0, Max: 5, Weight: 1},
				{ID: "c2", Number: 2, Min: 0, Max: 5, Weight: 1},
				{ID: "note", Number: 3, Min: 0, Max: 5, Weight: 1, NonRanking: true},
			},
			Quorum:  3,
			Winners: 2,
		},
		Categories:  []Category{{ID: "cat", Number: 1}},
		Nominations: []Nomination{{ID: "C", CategoryID: "cat"}, {ID: "B", CategoryID: "cat"}, {ID: "A", CategoryID: "cat"}},
		Ballots: []Ballot{
			{Juror: "j1", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3, "note": 1}, "B": {"c1": 5, "c2": 5, "note": 4}}},
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3, "note": 2}, "B": {"c1": 5, "c2": 5, "note": 0}}},
			{Juror: "j3", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3, "note": 3}}, Recusals: map[string]RecusalKind{"B": Declared}},
			{Juror: "j4"},
			{Juror: "j5", Recusals: map[string]RecusalKind{"A": Abstained}},
		},
	}
}

func TestQuorum(t *testing.T) {
	r := mustTally(t, quorumInput())
	wantRanks(t, r, "A:1", "B:0", "C:0") // unranked ones after, by ID
	a, b, c := find(t, r, "A"), find(t, r, "B"), find(t, r, "C")
	if !a.QuorumMet || !a.Winner || a.Jurors != 3 {
		t.Errorf("A: quorum %v winner %v jurors %d", a.QuorumMet, a.Winner, a.Jurors)
	}
	if b.QuorumMet || b.Winner || b.Score != nil || b.Jurors != 2 || b.Rank != 0 {
		t.Errorf("B: quorum %v winner %v score %v jurors %d rank %d", b.QuorumMet, b.Winner, b.Score, b.Jurors, b.Rank)
	}
	for _, cs := range b.Criteria {
		if cs.Score != nil {
			t.Errorf("B: criterion %s score %v, want nil below quorum", cs.CriterionID, cs.Score)
		}
	}
	if b.Recusals != (Recusals{Declared: 1}) || a.Recusals != (Recusals{Abstained: 1}) || c.Recusals != (Recusals{}) {
		t.Errorf("recusals A %+v, B %+v, C %+v; want one abstention, one declared conflict, none", a.Recusals, b.Recusals, c.Recusals)
	}
	wantItems(t, b, `{"code":"quorum_not_met","jurors":2,"quorum":3}`, `{"code":"not_ranked"}`)
	wantItems(t, c, `{"code":"quorum_not_met","jurors":0,"quorum":3}`, `{"code":"not_ranked"}`)
	wantSentence(t, b, "Quorum not met: 2 jurors scored it, 3 needed.")
	wantSentence(t, b, "Not ranked and not a winner, because the quorum is not met.")
	wantSentence(t, c, "Quorum not met: 0 jurors scored it, 3 needed.")
	wantSentence(t, a, "Quorum met: 3 jurors scored it (quorum 3).")
	wantWinners(t, r, "A") // B and C cannot win below quorum

	// With quorum 2, B's 2 jurors suffice and its higher marks win.
	in := quorumInput()
	in.Rule.Quorum = 2
	r = mustTally(t, in)
	wantRanks(t, r, "B:1", "A:2", "C:0")
	wantScore(t, find(t, r, "B"), "10")
	wantScore(t, find(t, r, "A"), "6")
}

// TestRecusalIsOnlyACount replaces the old TestRecusedScoresNeverCount: a recused juror contributes a
// recusal count and no vector, so there are no "recused marks" to ignore. What remains to check is
// that the count is reported and changes nothing else, and that the juror counts once the recusal is
// lifted and their marks are given.
func TestRecusalIsOnlyACount(t *testing.T) {
	base := mustTally(t, quorumInput())

	// The same recusal as another kind: only B's recusals member changes.
	kind := quorumInput()
	kind.Ballots[2].Recusals = map[string]RecusalKind{"B": HomeCity}
	other := mustTally(t, kind)
	if got := find(t, other, "B").Recusals; got != (Recusals{HomeCity: 1}) {
		t.Errorf("B recusals = %+v, want one home-city recusal", got)
	}
	if !bytes.Equal(project(other), project(base)) {
		t.Error("the kind of a recusal changed the outcome")
	}

	// Many recusals never bring a nomination to quorum.
	many := quorumInput()
	for i := range many.Ballots {
		if many.Ballots[i].Recusals == nil {
			many.Ballots[i].Recusals = map[string]RecusalKind{}
		}
		if len(many.Ballots[i].Scores["C"]) == 0 {
			many.Ballots[i].Recusals["C"] = Declared
		}
	}
	if c := find(t, mustTally(t, many), "C"); c.QuorumMet || c.Jurors != 0 || c.Recusals != (Recusals{Declared: 5}) {
		t.Errorf("C with 5 recusals: quorum %v jurors %d recusals %+v", c.QuorumMet, c.Jurors, c.Recusals)
	}

	// And the recusal is what excludes the juror: lifting it and giving j3's marks lets them count.
	lifted := quorumInput()
	lifted.Ballots[2].Recusals = nil
	lifted.Ballots[2].Scores["B"] = map[string]int{"c1": 0, "c2": 0, "note": 0}
	r := mustTally(t, lifted)
	if b := find(t, r, "B"); !b.QuorumMet || b.Jurors != 3 || b.Recusals != (Recusals{}) {
		t.Errorf("B without the recusal: quorum %v jurors %d recusals %+v, want met with 3 and none", b.QuorumMet, b.Jurors, b.Recusals)
	}
	wantScore(t, find(t, r, "B"), "20/3") // (10 + 10 + 0) / 3
}

// TestNonRankingCriterion: "note" (weight 3, 0..10, Number 0 so it is listed first) is shown in the
// breakdown but neither enters the weighted sum nor counts as a top mark nor decides
// CriteriaInOrder. A and B both weigh 4 on c1; A's notes are the maximum 10, B's 0. (In the old
// ballot model j2 left B's note out; vectors are complete now, so j2 gives it 0, and B's note
// aggregate is 0 over both jurors instead of over the one who marked it.)
func TestNonRankingCriterion(t *testing.T) {
	in := ballots{
		Rule: Rule{
			Method: WeightedMean,
			Criteria: []Criterion{
				{ID: "c1", Number: 1, Min: 0, Max: 5, Weight: 1},
				{ID: "note", Number: 0, Min: 0, Max: 10, Weight: 3, NonRanking: true},
			},
			Quorum:    2,
			Winners:   1,
			TieBreaks: []TieBreak{MoreTopMarks, CriteriaInOrder},
		},
		Categories:  []Category{{ID: "cat", Number: 1}},
		Nominations: []Nomination{{ID: "A", CategoryID: "cat"}, {ID: "B", CategoryID: "cat"}},
		Ballots: []Ballot{
			{Juror: "j1", Scores: map[string]map[string]int{"A": {"c1": 4, "note": 10}, "B": {"c1": 4, "note": 0}}},
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"c1": 4, "note": 10}, "B": {"c1": 4, "note": 0}}},
		},
	}
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:1")
	a, b := find(t, r, "A"), find(t, r, "B")
	wantScore(t, a, "4")
	wantScore(t, b, "4")
	// Each weighted sum is 1×c1 = 4: the note (3×10 for A) is not in it.
	wantItem(t, a, `{"code":"score","method":"weighted_mean","score":"4/1","sums":[4,4]}`)
	want := []CriterionScore{{CriterionID: "note", Score: big.NewRat(10, 1), NonRanking: true}, {CriterionID: "c1", Score: big.NewRat(4, 1)}}
	if len(a.Criteria) != 2 || a.Criteria[0].CriterionID != "note" || !a.Criteria[0].NonRanking || a.Criteria[0].Score.Cmp(want[0].Score) != 0 ||
		a.Criteria[1].CriterionID != "c1" || a.Criteria[1].NonRanking || a.Criteria[1].Score.Cmp(want[1].Score) != 0 {
		t.Errorf("A criteria = %v, want %v", a.Criteria, want)
	}
	if got := b.Criteria[0].Score; got == nil || got.Sign() != 0 || b.Jurors != 2 {
		t.Errorf("B: note aggregate %v, jurors %d; want 0 and 2", got, b.Jurors)
	}
	// A's two top notes are not top marks, and CriteriaInOrder compares c1 only.
	wantItem(t, a, `{"code":"tie","members":2,"outcome":"shared","rank":1,"steps":[`+
		`{"mine":0,"step":"more_top_marks","theirs":0},`+
		`{"criterion_id":"c1","mine":"4/1","number":1,"step":"criteria_in_order","theirs":"4/1"}],"with":"B"}`)
	wantSentence(t, a, "Tied on score with B; more top marks: 0 vs 0; criterion 1 (c1): 4 vs 4; still tied, so 2 nominations share rank 1: the tie is unresolved.")
}

// TestMinimumScore: A (4, 3 → 7/2) ranks first but a minimum of 4 keeps it from winning, and its
// place is not passed on to B (3).
func TestMinimumScore(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {4, 3}, "B": {3, 3}})
	in.Rule.MinimumScore = big.NewRat(4, 1)
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2")
	wantWinners(t, r)
	wantItem(t, find(t, r, "A"), `{"code":"not_winner_minimum","minimum_score":"4/1","places":1,"rank":1,"score":"7/2"}`)
	wantItem(t, find(t, r, "B"), `{"code":"not_winner_rank","places":1,"rank":2}`)
	wantSentence(t, find(t, r, "A"), "Not a winner: the score 7/2 (3.5) is below the minimum score 4, although rank 1 is within the 1 winning place.")

	in.Rule.Winners = 2
	r = mustTally(t, in)
	wantWinners(t, r)
	wantItem(t, find(t, r, "B"), `{"code":"not_winner_minimum","minimum_score":"4/1","places":2,"rank":2,"score":"3/1"}`)

	in.Rule.MinimumScore = big.NewRat(7, 2) // inclusive
	r = mustTally(t, in)
	wantWinners(t, r, "A")
	wantItem(t, find(t, r, "A"), `{"code":"winner","minimum_score":"7/2","places":2,"rank":1}`)
	wantSentence(t, find(t, r, "A"), "Winner: rank 1 is within the 2 winning places and the score is at least the minimum score 7/2 (3.5).")
	if in.Rule.MinimumScore.Cmp(big.NewRat(7, 2)) != 0 {
		t.Error("Compute changed the rule's minimum score")
	}
}

func TestFormatRat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"18", "18"}, {"-3", "-3"}, {"37/2", "37/2 (18.5)"}, {"1/3", "1/3 (≈0.33)"}, {"-7/4", "-7/4 (-1.75)"},
		{"1/64", "1/64 (0.015625)"}, {"1/128", "1/128 (≈0.01)"}, {"2/3", "2/3 (≈0.67)"},
	} {
		if got := FormatRat(rat(c.in)); got != c.want {
			t.Errorf("FormatRat(%s) = %q, want %q", c.in, got, c.want)
		}
		// Readable takes the "N/D" the tally document writes.
		if got := Readable(RatString(rat(c.in))); got != c.want {
			t.Errorf("Readable(%s) = %q, want %q", RatString(rat(c.in)), got, c.want)
		}
	}
	if got := FormatRat(nil); got != "none" {
		t.Errorf("FormatRat(nil) = %q", got)
	}
	if got := Readable("not a number"); got != "not a number" {
		t.Errorf("Readable passes other text through, got %q", got)
	}
	for in, want := range map[string]string{"0": "0/1", "18": "18/1", "37/2": "37/2", "-6/4": "-3/2"} {
		if got := RatString(rat(in)); got != want {
			t.Errorf("RatString(%s) = %q, want %q (§3.3: N/D in lowest terms)", in, got, want)
		}
	}
}
