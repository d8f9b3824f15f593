package jury

import (
	"encoding/json"

	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// countCast adds one counted cast's marks and recusals to the entries of noms they name, by
// nomination id (a nomination no longer on the shortlist has none, and is passed over), for the
// tally's input and the aggregates' marks alike; parts gives an entry's vectors and recusal counts.
func countCast[T any](c verify.Cast, noms map[string]*T, parts func(*T) (*[][]int, *tally.Recusals)) {
	for _, m := range c.Marks {
		if n := noms[m.NominationID]; n != nil {
			vectors, _ := parts(n)
			*vectors = append(*vectors, m.Values)
		}
	}
	for _, r := range c.Recusals {
		if n := noms[r.NominationID]; n != nil {
			_, recusals := parts(n)
			countRecusal(recusals, r.Kind)
		}
	}
}

// countRecusal counts one counted cast's recusal from a nomination by its kind (the specification's
// names, as casts record them).
func countRecusal(r *tally.Recusals, kind string) {
	switch kind {
	case verify.RecusedHomeCity:
		r.HomeCity++
	case verify.RecusedDeclared:
		r.Declared++
	default:
		r.Abstained++
	}
}

// decodeCast reads a stored cast.
func decodeCast(body []byte) (verify.Cast, error) {
	var c verify.Cast
	err := json.Unmarshal(body, &c)
	return c, err
}
