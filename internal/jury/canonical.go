package jury

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// The jury's part of an edition's audit bundle (auditlog.Disclosures): the frozen rule, the casts,
// the recorded tallies and, under the aggregates setting, the anonymous marks.

// EditionForYear returns an edition's id, its publication setting as the specification names it, and
// whether it is still a draft (which publishes nothing).
func (s *Service) EditionForYear(ctx context.Context, year int32) (uuid.UUID, string, bool, error) {
	id, err := edition.IDForYear(ctx, s.pool, year)
	if err != nil {
		return uuid.Nil, "", false, err
	}
	e, err := edition.Load(ctx, s.pool, id)
	if err != nil {
		return uuid.Nil, "", false, err
	}
	return id, e.BallotPublication.Spec(), e.Stage == edition.Draft, nil
}

// FrozenRule returns the edition's rule in the canonical encoding its hash covers.
func (s *Service) FrozenRule(ctx context.Context, editionID uuid.UUID) ([]byte, error) {
	r, ok, err := loadRule(ctx, s.pool, editionID, false)
	if err != nil {
		return nil, err
	}
	if !ok || !r.Frozen {
		return nil, fmt.Errorf("edition %s: no frozen rule", editionID)
	}
	body, _, err := canonicalRule(r.Rule)
	return body, err
}

// Casts returns the canonical content of the casts of the listed events, by event id.
func (s *Service) Casts(ctx context.Context, editionID uuid.UUID, eventIDs []int64) (map[int64][]byte, error) {
	rows, err := s.q.CastsByEvent(ctx, s.pool, jurydb.CastsByEventParams{EditionID: editionID, EventIds: eventIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.EventID] = r.Content
	}
	return out, nil
}

// Tally returns the canonical tally recorded with an event (a close or a jury decision).
func (s *Service) Tally(ctx context.Context, editionID uuid.UUID, eventID int64) ([]byte, error) {
	return s.q.TallyOfEvent(ctx, s.pool, jurydb.TallyOfEventParams{EditionID: editionID, EventID: eventID})
}

// Marks returns the anonymous marks of the casts counted at the edition's last close (§10 of the
// specification): per nomination of the shortlist, the counted jurors' mark vectors in order and the
// recusals by kind, nothing that tells whose they are.
func (s *Service) Marks(ctx context.Context, editionID uuid.UUID, _ int64) ([]verify.MarksEntry, error) {
	t, err := s.compute(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	byNom := map[string]*verify.MarksEntry{}
	rows, err := s.q.ListEditionNominations(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	for _, n := range rows {
		byNom[n.ID.String()] = &verify.MarksEntry{NominationID: n.ID.String(), Vectors: [][]int{}}
	}
	for _, c := range t.Counted {
		for _, m := range c.Marks {
			if e := byNom[m.NominationID]; e != nil {
				e.Vectors = append(e.Vectors, m.Values)
			}
		}
		for _, r := range c.Recusals {
			if e := byNom[r.NominationID]; e != nil {
				countRecusal(&e.Recusals, r.Kind)
			}
		}
	}
	out := make([]verify.MarksEntry, 0, len(byNom))
	for _, e := range byNom {
		slices.SortFunc(e.Vectors, verify.CompareVectors)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b verify.MarksEntry) int { return strings.Compare(a.NominationID, b.NominationID) })
	return out, nil
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
