package jury

import (
	"encoding/json"

	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

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
