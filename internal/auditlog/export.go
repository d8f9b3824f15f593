package auditlog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Disclosures gives what a bundle discloses beyond the log, from the domain that holds it (the jury).
type Disclosures interface {
	// Edition returns the edition of a year: its id, its publication setting (as the specification
	// names it) and whether it is still a draft.
	EditionForYear(ctx context.Context, year int32) (id uuid.UUID, publication string, draft bool, err error)
	// FrozenRule returns the edition's frozen rule, canonical.
	FrozenRule(ctx context.Context, editionID uuid.UUID) ([]byte, error)
	// Casts returns the canonical content of each cast whose event is listed, by event id.
	Casts(ctx context.Context, editionID uuid.UUID, eventIDs []int64) (map[int64][]byte, error)
	// Tally returns the canonical tally recorded with the event of that id.
	Tally(ctx context.Context, editionID uuid.UUID, eventID int64) ([]byte, error)
	// Marks returns the anonymous marks of the counted casts of the close with that event id.
	Marks(ctx context.Context, editionID uuid.UUID, closeEventID int64) ([]verify.MarksEntry, error)
}

// editionEvent is what the export needs to know of one of the edition's events.
type editionEvent struct {
	id      int64
	kind    string
	payload string
}

// disclose fills the bundle's optional parts as the edition's stage in the exported log and its
// publication setting require (check D1 of the specification).
func disclose(ctx context.Context, d Disclosures, editionID uuid.UUID, publication string, events []editionEvent, p *verify.Parts) error {
	stage, lastClose, lastTally := "DRAFT", int64(0), int64(0)
	var casts []int64
	for _, e := range events {
		switch e.kind {
		case "edition.stage_changed":
			var sc struct{ From, To string }
			if err := jsonUnmarshal(e.payload, &sc); err != nil {
				return err
			}
			stage = sc.To
			if sc.From == "JURY" && sc.To == "TALLIED" {
				lastClose = e.id
			}
		case "tally.computed", "tally.jury_decision":
			lastTally = e.id
		case "ballot.cast":
			casts = append(casts, e.id)
		}
	}
	var err error
	switch stage {
	case "JURY", "TALLIED", "ANNOUNCED":
		if p.Rule, err = d.FrozenRule(ctx, editionID); err != nil {
			return err
		}
	}
	if stage != "ANNOUNCED" {
		return nil
	}
	if p.Tally, err = d.Tally(ctx, editionID, lastTally); err != nil {
		return err
	}
	if publication == verify.PublishAggregates {
		p.HasMarks = true
		p.Marks, err = d.Marks(ctx, editionID, lastClose)
		return err
	}
	contents, err := d.Casts(ctx, editionID, casts)
	if err != nil {
		return err
	}
	p.Casts = make([][]byte, 0, len(casts))
	for _, id := range casts {
		c, ok := contents[id]
		if !ok {
			return fmt.Errorf("audit log: the cast of event %d is missing", id)
		}
		p.Casts = append(p.Casts, c)
	}
	return nil
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
