// Package wire reads what every service's requests share, at the edge where proto becomes domain:
// ids arrive as strings and leave as uuids, or as an error naming the request field at fault.
package wire

import (
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// ID parses the request field's id (field is its proto path, e.g. "edition_id").
func ID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fault.Invalidf(field, "must be a UUID")
	}
	return id, nil
}
