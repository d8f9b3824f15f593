package tally

import (
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// goldenInput is small enough to write its tally document by hand from §9.7. Rule: weighted mean of
// 2×c1 + 1×c2 (both 0..5) with a non-ranking note (0..3); quorum 2, 1 winning place, minimum score
// 21/2, tie-breaks criteria_in_order then more_top_marks. Category "z" (number 1) has no
// nominations and comes before "cat" (number 2).
//
//	n-b: (5,2,1) = 12, (3,4,0) = 10 → 11; c1 4, c2 3, note 1/2; one top mark (c1 = 5); 1 home-city recusal
//	n-a: (4,3,3) = 11, (4,3,2) = 11 → 11; c1 4, c2 3, note 5/2; no top marks; 1 abstention
//	n-c: (5,5,3) only: 1 juror of the 2 needed; 2 declared conflicts
//
// n-a and n-b tie at 11; criteria_in_order compares c1 (4 = 4) then c2 (3 = 3) and skips the note;
// more_top_marks puts n-b (1) above n-a (0). n-b wins (11 ≥ 21/2); n-a's rank 2 is outside the place.
func goldenInput() Input {
	return Input{
		Rule: Rule{
			Method: WeightedMean,
			Criteria: []Criterion{
				{ID: "c1", Number: 1, Min: 0, Max: 5, Weight: 2},
				{ID: "c2", Number: 2, Min: 0, Max: 5, Weight: 1},
				{ID: "note", Number: 3, Min: 0, Max: 3, Weight: 1, NonRanking: true},
			},
			Quorum:       2,
			Winners:      1,
			MinimumScore: rat("21/2"),
			TieBreaks:    []TieBreak{CriteriaInOrder, MoreTopMarks},
		},
		Categories: []Category{{ID: "cat", Number: 2}, {ID: "z", Number: 1}},
		Nominations: []Nomination{
			{ID: "n-c", CategoryID: "cat", Vectors: [][]int{{5, 5, 3}}, Recusals: Recusals{Declared: 2}},
			{ID: "n-b", CategoryID: "cat", Vectors: [][]int{{5, 2, 1}, {3, 4, 0}}, Recusals: Recusals{HomeCity: 1}},
			{ID: "n-a", CategoryID: "cat", Vectors: [][]int{{4, 3, 3}, {4, 3, 2}}, Recusals: Recusals{Abstained: 1}},
		},
	}
}

// The document, written by hand: member names sorted in every object, rationals as "N/D" (18/1, not
// 18), the nominations ranked first in their final order and the unranked after them, and each
// explanation in the order quorum, score, rank, ties, placing.
var golden = strings.Join([]string{
	`{"categories":[`,
	`{"category_id":"z","nominations":[]},`,
	`{"category_id":"cat","nominations":[`,
	// n-b
	`{"criteria":[`,
	`{"criterion_id":"c1","non_ranking":false,"score":"4/1"},`,
	`{"criterion_id":"c2","non_ranking":false,"score":"3/1"},`,
	`{"criterion_id":"note","non_ranking":true,"score":"1/2"}],`,
	`"explanation":[`,
	`{"code":"quorum_met","jurors":2,"quorum":2},`,
	`{"code":"score","method":"weighted_mean","score":"11/1","sums":[10,12]},`,
	`{"code":"rank","of":2,"rank":1},`,
	`{"code":"tie","outcome":"above","steps":[`,
	`{"criterion_id":"c1","mine":"4/1","number":1,"step":"criteria_in_order","theirs":"4/1"},`,
	`{"criterion_id":"c2","mine":"3/1","number":2,"step":"criteria_in_order","theirs":"3/1"},`,
	`{"mine":1,"step":"more_top_marks","theirs":0}],"with":"n-a"},`,
	`{"code":"winner","minimum_score":"21/2","places":1,"rank":1}],`,
	`"jurors":2,"nomination_id":"n-b","quorum_met":true,"rank":1,`,
	`"recusals":{"abstained":0,"declared":0,"home_city":1},"score":"11/1","winner":true},`,
	// n-a
	`{"criteria":[`,
	`{"criterion_id":"c1","non_ranking":false,"score":"4/1"},`,
	`{"criterion_id":"c2","non_ranking":false,"score":"3/1"},`,
	`{"criterion_id":"note","non_ranking":true,"score":"5/2"}],`,
	`"explanation":[`,
	`{"code":"quorum_met","jurors":2,"quorum":2},`,
	`{"code":"score","method":"weighted_mean","score":"11/1","sums":[11,11]},`,
	`{"code":"rank","of":2,"rank":2},`,
	`{"code":"tie","outcome":"below","steps":[`,
	`{"criterion_id":"c1","mine":"4/1","number":1,"step":"criteria_in_order","theirs":"4/1"},`,
	`{"criterion_id":"c2","mine":"3/1","number":2,"step":"criteria_in_order","theirs":"3/1"},`,
	`{"mine":0,"step":"more_top_marks","theirs":1}],"with":"n-b"},`,
	`{"code":"not_winner_rank","places":1,"rank":2}],`,
	`"jurors":2,"nomination_id":"n-a","quorum_met":true,"rank":2,`,
	`"recusals":{"abstained":1,"declared":0,"home_city":0},"score":"11/1","winner":false},`,
	// n-c
	`{"criteria":[`,
	`{"criterion_id":"c1","non_ranking":false,"score":null},`,
	`{"criterion_id":"c2","non_ranking":false,"score":null},`,
	`{"criterion_id":"note","non_ranking":true,"score":null}],`,
	`"explanation":[{"code":"quorum_not_met","jurors":1,"quorum":2},{"code":"not_ranked"}],`,
	`"jurors":1,"nomination_id":"n-c","quorum_met":false,"rank":0,`,
	`"recusals":{"abstained":0,"declared":2,"home_city":0},"score":null,"winner":false}`,
	`]}],"format":"miasta-tally/2"}`,
}, "")

func TestCanonicalGolden(t *testing.T) {
	// The hand-written golden is itself canonical: canon.Parse refuses unsorted names or white space.
	if _, err := canon.Parse([]byte(golden)); err != nil {
		t.Fatalf("the golden is not canonical JSON: %v", err)
	}
	r := mustCompute(t, goldenInput())
	if got := string(Canonical(r)); got != golden {
		t.Errorf("Canonical\n got %s\nwant %s", got, golden)
	}
	if got := string(specDocument(goldenInput())); got != golden {
		t.Errorf("the §9 model\n got %s\nwant %s", got, golden)
	}
	wantWinners(t, r, "n-b")
	if ties := r.UnresolvedTies(); len(ties) != 0 {
		t.Errorf("unresolved ties %v", ties)
	}
	// The English renderings of the same items, with a name function.
	names := map[string]string{"n-a": "Practice A", "c1": "impact"}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	b := find(t, r, "n-b")
	var got []string
	for _, it := range b.Explanation {
		got = append(got, English(it, name))
	}
	want := []string{
		"Quorum met: 2 jurors scored it (quorum 2).",
		"Score 11: the mean of the weighted sums of 2 jurors (10, 12).",
		"Rank 1 of 2 ranked in the category.",
		"Tied on score with Practice A; criterion 1 (impact): 4 vs 4; criterion 2 (c2): 3 vs 3; more top marks: 1 vs 0, ranked above.",
		"Winner: rank 1 is within the 1 winning place and the score is at least the minimum score 21/2 (10.5).",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("English\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if got := English(Item{Code: "something_new"}, nil); got != "something_new" {
		t.Errorf("an unknown code renders as %q", got)
	}
}

// TestCanonicalEmpty: no categories is an empty list, not null.
func TestCanonicalEmpty(t *testing.T) {
	if got, want := string(Canonical(Result{})), `{"categories":[],"format":"miasta-tally/2"}`; got != want {
		t.Errorf("Canonical(Result{}) = %s, want %s", got, want)
	}
}
