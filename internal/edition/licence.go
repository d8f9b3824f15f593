package edition

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Licence is an open-data licence an edition's data may be published under.
type Licence struct {
	// ID is the SPDX identifier, e.g. "CC-BY-4.0".
	ID string
	// Name is the licence's full name.
	Name string
	// URL is the licence's text, for the Link rel="license" header and the data's "license" field.
	URL string
}

// DataLicences are the licences the organisers may choose for open data (SPDX identifiers; the
// proto's SetDataLicenceRequest lists the same). CC-BY-4.0, the column's default, comes first.
var DataLicences = []Licence{
	{ID: "CC-BY-4.0", Name: "Creative Commons Attribution 4.0 International", URL: "https://creativecommons.org/licenses/by/4.0/"},
	{ID: "CC-BY-SA-4.0", Name: "Creative Commons Attribution Share Alike 4.0 International", URL: "https://creativecommons.org/licenses/by-sa/4.0/"},
	{ID: "CC0-1.0", Name: "Creative Commons Zero v1.0 Universal", URL: "https://creativecommons.org/publicdomain/zero/1.0/"},
	{ID: "ODC-By-1.0", Name: "Open Data Commons Attribution License v1.0", URL: "https://opendatacommons.org/licenses/by/1-0/"},
	{ID: "ODbL-1.0", Name: "Open Data Commons Open Database License v1.0", URL: "https://opendatacommons.org/licenses/odbl/1-0/"},
	{ID: "PDDL-1.0", Name: "Open Data Commons Public Domain Dedication & License 1.0", URL: "https://opendatacommons.org/licenses/pddl/1-0/"},
}

// LicenceByID returns the licence of an SPDX identifier, ok false for one not in DataLicences.
func LicenceByID(id string) (Licence, bool) {
	i := slices.IndexFunc(DataLicences, func(l Licence) bool { return l.ID == id })
	if i < 0 {
		return Licence{}, false
	}
	return DataLicences[i], true
}

// SetDataLicence chooses the licence of the edition's open data, at any stage: it is publishing
// metadata, not part of the award's process, and so not an event of the audit log.
func (s *Service) SetDataLicence(ctx context.Context, actor *auth.Principal, id uuid.UUID, licence string) (Edition, error) {
	if _, ok := LicenceByID(licence); !ok {
		ids := make([]string, 0, len(DataLicences))
		for _, l := range DataLicences {
			ids = append(ids, l.ID)
		}
		return Edition{}, fault.Invalidf("data_licence", "%q is not one of %v", licence, ids)
	}
	var out Edition
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := LoadForUpdate(ctx, tx, id); err != nil {
			return err
		}
		if _, err := s.q.SetDataLicence(ctx, tx, editiondb.SetDataLicenceParams{ID: id, DataLicence: licence}); err != nil {
			return err
		}
		var err error
		out, err = Load(ctx, tx, id)
		return err
	})
	return out, err
}

// SetDeliberationNames chooses whether the organisers' deliberation shows jurors by name (true) or
// pseudonym, at any stage: it is how the organisers' own view reads, not part of the award's process
// or of what is published, and so not an event of the audit log.
func (s *Service) SetDeliberationNames(ctx context.Context, id uuid.UUID, names bool) (Edition, error) {
	var out Edition
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := LoadForUpdate(ctx, tx, id); err != nil {
			return err
		}
		if _, err := s.q.SetDeliberationNames(ctx, tx, editiondb.SetDeliberationNamesParams{ID: id, DeliberationNames: names}); err != nil {
			return err
		}
		var err error
		out, err = Load(ctx, tx, id)
		return err
	})
	return out, err
}
