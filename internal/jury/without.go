package jury

import (
	"fmt"

	"github.com/miasta-otwarte/miasta/internal/tally"
)

// Without recomputes the tally with the same rule, shortlist and jury decisions but without the
// counted cast of the juror assignment given, as if that juror had never cast: what deliberation's
// sensitivity check asks. It reads nothing: everything comes from the tally already computed.
func (t Tally) Without(assignmentID string) (tally.Result, error) {
	rule, err := t.Rule.Rule.Engine()
	if err != nil {
		return tally.Result{}, err
	}
	in := tally.Input{Rule: rule}
	noms := map[string]*tally.Nomination{}
	for i, c := range t.Result.Categories {
		// Result lists categories by number; their positions keep that order.
		in.Categories = append(in.Categories, tally.Category{ID: c.CategoryID, Number: i + 1})
		for _, n := range c.Nominations {
			noms[n.NominationID] = &tally.Nomination{ID: n.NominationID, CategoryID: c.CategoryID, Vectors: [][]int{}}
		}
	}
	for id, cast := range t.Counted {
		if id != assignmentID {
			countCast(cast, noms, func(n *tally.Nomination) (*[][]int, *tally.Recusals) { return &n.Vectors, &n.Recusals })
		}
	}
	for _, n := range noms {
		in.Nominations = append(in.Nominations, *n)
	}
	for _, d := range t.Decisions {
		dec := tally.Decision{CategoryID: d.CategoryID.String()}
		for _, id := range d.Nominations {
			dec.Order = append(dec.Order, id.String())
		}
		in.Decisions = append(in.Decisions, dec)
	}
	r, err := tally.Compute(in)
	if err != nil {
		return tally.Result{}, fmt.Errorf("tally without %s: %w", assignmentID, err)
	}
	return r, nil
}
