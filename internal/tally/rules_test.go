package tally

import (
	"bytes"
	"errors"
	"maps"
	"math/big"
	"slices"
	"testing"
)

// quorumInput: quorum 3. A is scored by j1–j3 (weighted sum 6 each). B has higher marks but only
// j1 and j2 count: j3 recused, j4 left out c2 and j5 marked only the non-ranking note. C has no marks.
func quorumInput() Input {
	return Input{
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
			{Juror: "j1", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3}, "B": {"c1": 5, "c2": 5}}},
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3}, "B": {"c1": 5, "c2": 5}}},
			{Juror: "j3", Scores: map[string]map[string]int{"A": {"c1": 3, "c2": 3}}, Recusals: map[string]RecusalKind{"B": Declared}},
			{Juror: "j4", Scores: map[string]map[string]int{"B": {"c1": 5}}},
			{Juror: "j5", Scores: map[string]map[string]int{"B": {"note": 3}}, Recusals: map[string]RecusalKind{"A": Abstained}},
		},
	}
}

func TestQuorum(t *testing.T) {
	r := mustCompute(t, quorumInput())
	wantRanks(t, r, "A:1", "B:0", "C:0") // unranked ones after, by ID
	a, b, c := find(t, r, "A"), find(t, r, "B"), find(t, r, "C")
	if !a.QuorumMet || !a.Winner || a.Jurors != 3 {
		t.Errorf("A: quorum %v winner %v jurors %d", a.QuorumMet, a.Winner, a.Jurors)
	}
	if b.QuorumMet || b.Winner || b.Score != nil || b.Jurors != 2 || len(b.PerJuror) != 2 {
		t.Errorf("B: quorum %v winner %v score %v jurors %d per juror %d", b.QuorumMet, b.Winner, b.Score, b.Jurors, len(b.PerJuror))
	}
	for _, cs := range b.Criteria {
		if cs.Score != nil {
			t.Errorf("B: criterion %s score %v, want nil below quorum", cs.CriterionID, cs.Score)
		}
	}
	if want := []Recusal{{Juror: "j3", Kind: Declared}}; !slices.Equal(b.Recusals, want) {
		t.Errorf("B recusals = %v, want %v", b.Recusals, want)
	}
	wantSentence(t, b, "Quorum not met: 2 jurors scored every ranking criterion, 3 needed.")
	wantSentence(t, b, "Recused and not counted: j3 (Declared).")
	wantSentence(t, b, "Juror j4 is not counted: the marks are incomplete (no score for ranking criterion c2).")
	wantSentence(t, b, "Juror j5 is not counted: the marks are incomplete (no scores for ranking criteria c1, c2).")
	wantSentence(t, b, "Not ranked and not a winner, because the quorum is not met.")
	wantSentence(t, c, "Quorum not met: 0 jurors scored every ranking criterion, 3 needed.")
	wantSentence(t, a, "Recused and not counted: j5 (Abstained).")
	if got := winners(r); !slices.Equal(got, []string{"A"}) {
		t.Errorf("winners = %v, want [A] (B and C cannot win below quorum)", got)
	}

	// With quorum 2, B's 2 jurors suffice and its higher marks win.
	in := quorumInput()
	in.Rule.Quorum = 2
	r = mustCompute(t, in)
	wantRanks(t, r, "B:1", "A:2", "C:0")
}

// TestRecusedScoresNeverCount feeds compute (bypassing Validate, which rejects such a ballot) a
// recused juror who also gave marks: the result is byte-identical to the one without those marks.
func TestRecusedScoresNeverCount(t *testing.T) {
	clean := quorumInput()
	dirty := quorumInput()
	dirty.Ballots[2].Scores = maps.Clone(dirty.Ballots[2].Scores)
	dirty.Ballots[2].Scores["B"] = map[string]int{"c1": 0, "c2": 0} // j3 recused B
	dirty.Ballots[4].Scores["A"] = map[string]int{"c1": 5, "c2": 5} // j5 recused A
	if err := Validate(dirty); !errors.Is(err, ErrScoredAndRecused) {
		t.Fatalf("Validate = %v, want ErrScoredAndRecused", err)
	}
	if !bytes.Equal(Canonical(compute(dirty)), Canonical(compute(clean))) {
		t.Error("a recused juror's marks changed the result")
	}

	// And the recusal is what excludes the juror: lifting it lets j3's marks count for B.
	lifted := quorumInput()
	lifted.Ballots[2].Recusals = nil
	lifted.Ballots[2].Scores["B"] = map[string]int{"c1": 0, "c2": 0}
	r := mustCompute(t, lifted)
	if b := find(t, r, "B"); !b.QuorumMet || b.Jurors != 3 {
		t.Errorf("B without the recusal: quorum %v jurors %d, want met with 3", b.QuorumMet, b.Jurors)
	}
}

// TestNonRankingCriterion: "note" (weight 3, 0..10, Number 0 so it is listed first) is shown per
// juror and in the breakdown but neither enters the weighted sum nor counts as a top mark nor
// decides CriteriaInOrder. A and B both weigh 4 on c1; A's notes are the maximum 10, B's 0.
func TestNonRankingCriterion(t *testing.T) {
	in := Input{
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
			{Juror: "j2", Scores: map[string]map[string]int{"A": {"c1": 4, "note": 10}, "B": {"c1": 4}}},
		},
	}
	r := mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:1")
	a, b := find(t, r, "A"), find(t, r, "B")
	wantScore(t, a, "4")
	wantScore(t, b, "4")
	if a.PerJuror[0].WeightedSum.Cmp(big.NewRat(4, 1)) != 0 || a.PerJuror[0].Scores["note"] != 10 {
		t.Errorf("A j1 = %+v, want weighted sum 4 with the note 10 shown", a.PerJuror[0])
	}
	want := []CriterionScore{{CriterionID: "note", Score: big.NewRat(10, 1), NonRanking: true}, {CriterionID: "c1", Score: big.NewRat(4, 1)}}
	if len(a.Criteria) != 2 || a.Criteria[0].CriterionID != "note" || !a.Criteria[0].NonRanking || a.Criteria[0].Score.Cmp(want[0].Score) != 0 ||
		a.Criteria[1].CriterionID != "c1" || a.Criteria[1].NonRanking || a.Criteria[1].Score.Cmp(want[1].Score) != 0 {
		t.Errorf("A criteria = %v, want %v", a.Criteria, want)
	}
	if got := b.Criteria[0].Score; got == nil || got.Sign() != 0 || b.Jurors != 2 {
		t.Errorf("B: note aggregate %v over the one juror who marked it, jurors %d; want 0 and 2", got, b.Jurors)
	}
	wantSentence(t, a, "Each juror's weighted sum is 1×c1; non-ranking criterion note is shown but not counted.")
	wantSentence(t, a, "Tied with B at 4; MoreTopMarks: 0 vs 0; CriteriaInOrder, criterion 1 (c1): 4 vs 4; still tied, so both share rank 1: the tie is unresolved and needs a jury decision.")
}

// TestMinimumScore: A (4, 3 → 7/2) ranks first but a minimum of 4 keeps it from winning, and its
// place is not passed on to B (3).
func TestMinimumScore(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {4, 3}, "B": {3, 3}})
	in.Rule.MinimumScore = big.NewRat(4, 1)
	r := mustCompute(t, in)
	wantRanks(t, r, "A:1", "B:2")
	if got := winners(r); len(got) != 0 {
		t.Errorf("winners = %v, want none", got)
	}
	wantSentence(t, find(t, r, "A"), "Not a winner: the score 7/2 (3.5) is below the minimum score 4, although rank 1 is within the 1 winning place.")

	in.Rule.Winners = 2
	if got := winners(mustCompute(t, in)); len(got) != 0 {
		t.Errorf("winners with 2 places = %v, want none", got)
	}

	in.Rule.MinimumScore = big.NewRat(7, 2) // inclusive
	r = mustCompute(t, in)
	if got := winners(r); !slices.Equal(got, []string{"A"}) {
		t.Errorf("winners at minimum 7/2 = %v, want [A]", got)
	}
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
	}
}
