// Package past keeps the award's past editions: those that ran before the platform, entered from what
// their organisers published. A past edition is a document (miasta.v1.PastEdition in protobuf's JSON
// form, docs/past-editions.md), checked and stored as it is; it has no ballots, tally or audit log, and
// states only what its sources state (a category with no stated city has no distinction).
package past

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"

	"buf.build/go/protovalidate"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/past/pastdb"
)

// Published holds the past editions this repository ships, from their published record: 2015 as its
// announcement (seed 004) states it.
//
//go:embed editions/*.json
var Published embed.FS

// Service stores and reads past editions.
type Service struct {
	pool     *pgxpool.Pool
	editions *edition.Service
	q        *pastdb.Queries
}

// NewService returns the past editions' service; editions adds the cities a past edition names.
func NewService(pool *pgxpool.Pool, editions *edition.Service) *Service {
	return &Service{pool: pool, editions: editions, q: pastdb.New()}
}

// Parse reads a past edition document (protobuf JSON) and checks it as an import would.
func Parse(doc []byte) (*v1.PastEdition, error) {
	e := &v1.PastEdition{}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(doc, e); err != nil {
		return nil, fault.Invalidf("edition", "is not a past edition document: %s", err.Error())
	}
	if err := Check(e); err != nil {
		return nil, err
	}
	return e, nil
}

// Check validates a past edition beyond what its message's constraints say (which it checks too, for
// documents that do not come through the API): every text has its Polish original, category numbers
// are distinct, and each distinction names a category of the edition.
func Check(e *v1.PastEdition) error {
	if err := protovalidate.Validate(e); err != nil {
		var verr *protovalidate.ValidationError
		if errors.As(err, &verr) && len(verr.Violations) > 0 {
			v := verr.Violations[0]
			return fault.Invalidf(protovalidate.FieldPathString(v.Proto.GetField()), "does not meet its constraint: %s", v.Proto.GetMessage())
		}
		return err
	}
	type field struct {
		name     string
		text     map[string]string
		required bool
	}
	texts := []field{
		{"name", e.GetName(), true},
		{"summary", e.GetSummary(), false},
		{"ceremony_place", e.GetCeremonyPlace(), false},
		{"ceremony_occasion", e.GetCeremonyOccasion(), false},
		{"recommendations", e.GetRecommendations(), false},
	}
	for i, j := range e.GetJury() {
		texts = append(texts, field{fmt.Sprintf("jury[%d].origin", i), j.GetOrigin(), false})
	}
	numbers := map[int32]bool{}
	for i, c := range e.GetCategories() {
		if numbers[c.GetNumber()] {
			return fault.Invalidf(fmt.Sprintf("categories[%d].number", i), "%d is the number of another category", c.GetNumber())
		}
		numbers[c.GetNumber()] = true
		texts = append(texts, field{fmt.Sprintf("categories[%d].name", i), c.GetName(), true})
	}
	for i, d := range e.GetDistinctions() {
		if !numbers[d.GetCategoryNumber()] {
			return fault.Invalidf(fmt.Sprintf("distinctions[%d].category_number", i), "%d is not the number of one of the edition's categories", d.GetCategoryNumber())
		}
		at := fmt.Sprintf("distinctions[%d].", i)
		texts = append(texts,
			field{at + "practice_title", d.GetPracticeTitle(), false},
			field{at + "practice_summary", d.GetPracticeSummary(), false},
			field{at + "justification", d.GetJustification(), false})
	}
	for _, t := range texts {
		if (t.required || len(t.text) > 0) && t.text["pl"] == "" {
			return fault.Invalidf(t.name, "needs its Polish original (\"pl\")")
		}
		for lang, s := range t.text {
			if strings.TrimSpace(s) != s || strings.ContainsAny(s, "\x00") {
				return fault.Invalidf(t.name+"."+lang, "must not start or end with spaces")
			}
		}
	}
	return nil
}

// Import stores a past edition (replacing the year's with replace), after matching the cities its
// distinctions name to the platform's, adding those that are missing.
func (s *Service) Import(ctx context.Context, actor *auth.Principal, e *v1.PastEdition, replace bool) (*v1.PastEdition, error) {
	if err := Check(e); err != nil {
		return nil, err
	}
	e = proto.CloneOf(e)
	e.ImportTime = nil
	taken, err := s.q.PastEditionYearTaken(ctx, s.pool, e.GetYear())
	if err != nil {
		return nil, err
	}
	if taken.Platform {
		return nil, fault.Existsf("edition.year", "%d is an edition run on the platform: its results are the platform's own", e.GetYear())
	}
	if taken.Past && !replace {
		return nil, fault.Existsf("edition.year", "the archive holds a past edition of %d already (set replace to replace it)", e.GetYear())
	}
	ids, err := s.cities(ctx, actor, e)
	if err != nil {
		return nil, err
	}
	for _, d := range e.GetDistinctions() {
		d.CityId = ids[strings.ToLower(d.GetCity())].ID.String()
		d.City = ids[strings.ToLower(d.GetCity())].Name
	}
	doc, err := protojson.Marshal(e)
	if err != nil {
		return nil, err
	}
	var by *uuid.UUID
	if u := actor.User(); u != uuid.Nil {
		by = &u
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		taken, err := s.q.PastEditionYearTaken(ctx, tx, e.GetYear())
		if err != nil {
			return err
		}
		if taken.Platform {
			return fault.Existsf("edition.year", "%d is an edition run on the platform: its results are the platform's own", e.GetYear())
		}
		if err := s.q.UpsertPastEdition(ctx, tx, pastdb.UpsertPastEditionParams{Year: e.GetYear(), Document: doc, ImportedBy: by}); err != nil {
			return err
		}
		if err := s.q.DeletePastDistinctions(ctx, tx, e.GetYear()); err != nil {
			return err
		}
		for i, d := range e.GetDistinctions() {
			if err := s.q.InsertPastDistinction(ctx, tx, pastdb.InsertPastDistinctionParams{
				Year: e.GetYear(), Position: int32(i), CityID: uuid.MustParse(d.GetCityId()), CategoryNumber: d.GetCategoryNumber(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, e.GetYear())
}

// cities returns the platform's city for every city the distinctions name (by name, case-insensitively),
// adding the missing ones as an organiser would.
func (s *Service) cities(ctx context.Context, actor *auth.Principal, e *v1.PastEdition) (map[string]edition.City, error) {
	all, _, err := s.editions.ListCities(ctx, 5000, "")
	if err != nil {
		return nil, err
	}
	byName := map[string]edition.City{}
	for _, c := range all {
		byName[strings.ToLower(c.Name)] = c
	}
	for i, d := range e.GetDistinctions() {
		key := strings.ToLower(d.GetCity())
		if _, ok := byName[key]; ok {
			continue
		}
		c, err := s.editions.CreateCity(ctx, actor, d.GetCity())
		if err != nil {
			return nil, fmt.Errorf("distinctions[%d].city: %w", i, err)
		}
		byName[key] = c
	}
	return byName, nil
}

// Get returns the past edition of a year.
func (s *Service) Get(ctx context.Context, year int32) (*v1.PastEdition, error) {
	row, err := s.q.GetPastEdition(ctx, s.pool, year)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.NotFoundf("year", "the archive holds no past edition of %d", year)
	}
	if err != nil {
		return nil, err
	}
	return fromRow(row)
}

// List returns every past edition, newest first.
func (s *Service) List(ctx context.Context) ([]*v1.PastEdition, error) {
	rows, err := s.q.ListPastEditions(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.PastEdition, 0, len(rows))
	for _, r := range rows {
		e, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Distinction is a past edition's distinction of one city.
type Distinction struct {
	Edition     *v1.PastEdition
	Distinction *v1.PastDistinction
}

// OfCity returns the past distinctions of a city, newest edition first.
func (s *Service) OfCity(ctx context.Context, city uuid.UUID) ([]Distinction, error) {
	rows, err := s.q.ListPastDistinctionsOfCity(ctx, s.pool, city)
	if err != nil {
		return nil, err
	}
	var out []Distinction
	for _, r := range rows {
		e := &v1.PastEdition{}
		if err := protojson.Unmarshal(r.Document, e); err != nil {
			return nil, fmt.Errorf("past edition %d: %w", r.Year, err)
		}
		if int(r.Position) < len(e.GetDistinctions()) {
			out = append(out, Distinction{Edition: e, Distinction: e.GetDistinctions()[r.Position]})
		}
	}
	return out, nil
}

func fromRow(r pastdb.PastEdition) (*v1.PastEdition, error) {
	e := &v1.PastEdition{}
	if err := protojson.Unmarshal(r.Document, e); err != nil {
		return nil, fmt.Errorf("past edition %d: %w", r.Year, err)
	}
	e.ImportTime = timestamppb.New(r.ImportTime)
	return e, nil
}

// ImportPublished imports the past editions this repository ships that the archive does not hold yet
// (`miasta dev` does, and `miasta import-edition -published` in production).
func (s *Service) ImportPublished(ctx context.Context, actor *auth.Principal) ([]int32, error) {
	entries, err := Published.ReadDir("editions")
	if err != nil {
		return nil, err
	}
	var added []int32
	for _, entry := range entries {
		doc, err := Published.ReadFile("editions/" + entry.Name())
		if err != nil {
			return nil, err
		}
		e, err := Parse(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entry.Name(), err)
		}
		// A year the archive or the platform holds already is left as it is.
		if _, err := s.Import(ctx, actor, e, false); fault.Is(err, fault.AlreadyExists) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", entry.Name(), err)
		}
		added = append(added, e.GetYear())
	}
	return added, nil
}
