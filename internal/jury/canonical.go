package jury

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/tally"
)

// EngineRule decodes a rule's canonical JSON (as its hash covers it) for the tally.
func EngineRule(body []byte) (tally.Rule, error) {
	var r Rule
	if err := json.Unmarshal(body, &r); err != nil {
		return tally.Rule{}, fmt.Errorf("rule: %w", err)
	}
	if r.Format != ruleFormat {
		return tally.Rule{}, fmt.Errorf("rule: format %q, want %q", r.Format, ruleFormat)
	}
	return r.engine()
}

// CastInfo is what a cast's canonical content says about itself.
type CastInfo struct {
	EditionID uuid.UUID
	JurorID   uuid.UUID
	Ballot    tally.Ballot
}

// DecodeCast reads a cast's canonical content for the tally.
func DecodeCast(body []byte) (CastInfo, error) {
	var c castContent
	if err := json.Unmarshal(body, &c); err != nil {
		return CastInfo{}, fmt.Errorf("cast: %w", err)
	}
	if c.Format != "miasta.ballot.v1" {
		return CastInfo{}, fmt.Errorf("cast: format %q", c.Format)
	}
	return CastInfo{EditionID: c.EditionID, JurorID: c.JurorID, Ballot: c.ballot()}, nil
}

// ballot converts a cast for the tally, keyed by the juror's assignment id.
func (c castContent) ballot() tally.Ballot {
	b := tally.Ballot{Juror: c.JurorID.String(), Scores: map[string]map[string]int{}, Recusals: map[string]tally.RecusalKind{}}
	for _, sc := range c.Scores {
		n := sc.NominationID.String()
		if b.Scores[n] == nil {
			b.Scores[n] = map[string]int{}
		}
		b.Scores[n][sc.CriterionID.String()] = int(sc.Value)
	}
	for _, r := range c.Recusals {
		kind := tally.Declared
		switch r.Kind {
		case "HOME_CITY":
			kind = tally.HomeCity
		case "ABSTAINED":
			kind = tally.Abstained
		}
		b.Recusals[r.NominationID.String()] = kind
	}
	return b
}

// CanonicalRule returns the edition's rule in the canonical encoding its hash covers, and whether it
// is frozen.
func (s *Service) CanonicalRule(ctx context.Context, editionID uuid.UUID) ([]byte, bool, error) {
	r, ok, err := loadRule(ctx, s.pool, editionID, false)
	if err != nil || !ok {
		return nil, false, err
	}
	body, err := json.Marshal(r.Rule)
	return body, r.Frozen, err
}

// CastContents returns the canonical content of every cast of the edition, in cast order.
func (s *Service) CastContents(ctx context.Context, editionID uuid.UUID) ([][]byte, error) {
	rows, err := s.q.ListCasts(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Content)
	}
	return out, nil
}

// StoredResult returns the tally's canonical encoding as stored when the round closed (or a jury
// decision was recorded).
func (s *Service) StoredResult(ctx context.Context, editionID uuid.UUID) ([]byte, error) {
	t, err := s.q.GetTally(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	return t.Result, nil
}
