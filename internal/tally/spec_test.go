package tally

import (
	"errors"
	"testing"
)

// TestDecisionsNeverRepeatANomination: §9.5.2 counts places over the category's decisions
// concatenated, and a place is only well defined when no nomination is listed twice (with D = A, A, B
// and an unlisted C, B's key would equal the unlisted key). A decision settles an unresolved tie and a
// settled nomination is never tied again, so the verifier's check T2 admits no repeat; Validate refuses
// one outright, so no tally is ever computed from such decisions.
func TestDecisionsNeverRepeatANomination(t *testing.T) {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{"A": {3, 3}, "B": {3, 3}, "C": {3, 3}})
	in.Rule.TieBreaks = []TieBreak{JuryDecision}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"A", "B"}}, {CategoryID: "cat", Order: []string{"B", "C"}}}
	if err := Validate(in.input(t)); !errors.Is(err, ErrInvalidDecision) {
		t.Fatalf("Validate = %v, want ErrInvalidDecision for B listed twice", err)
	}
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"A", "B"}}, {CategoryID: "cat", Order: []string{"C"}}}
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:2", "C:3")
	wantItem(t, find(t, r, "B"), `{"code":"tie","outcome":"above","steps":[{"mine":2,"step":"jury_decision","theirs":3}],"with":"C"}`)
}
