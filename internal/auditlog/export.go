package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
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

// exportQuery reads the leaves of the first $2 leaves in order: for the edition $1's own leaves and
// the key rotations (§10 of the specification) the event rows (re-encoded, so that an event changed after it was logged no longer matches its signed
// leaf), for every other leaf only its edition and body hash. It is read as a stream, not a slice: a
// log can hold millions of leaves.
const exportQuery = `
SELECT l.leaf_index, l.edition_id, l.body_sha256, e.id, e.kind,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.actor_role END,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.actor_id END,
       CASE WHEN l.edition_id = $1 OR e.kind = 'log.key_rotated' THEN e.payload::text END,
       e.create_time
FROM log_leaves l JOIN events e ON e.id = l.event_id
WHERE l.leaf_index < $2
ORDER BY l.leaf_index`

// editionEvent is what the export needs to know of one of the edition's events.
type editionEvent struct {
	id      int64
	kind    string
	payload string
}

// Export writes the bundle of the edition of year (§10 of the specification) under the newest
// checkpoint: the log up to it, and the parts the edition's stage in that log and its publication
// setting disclose. A draft edition has no bundle.
func (l *Log) Export(ctx context.Context, d Disclosures, year int32, w io.Writer) error {
	if l.signingKey().signer == "" {
		// A reader without the key (miasta audit export) exports what the servers integrated.
	} else if _, err := l.Integrate(ctx); err != nil {
		l.log.WarnContext(ctx, "audit log: integration before the export failed; exporting what is integrated", "error", err)
	}
	return l.exportAt(ctx, d, year, nil, w)
}

// exportAt writes the bundle under the checkpoint cp, or under the newest when cp is nil.
func (l *Log) exportAt(ctx context.Context, d Disclosures, year int32, at *auditlogdb.Checkpoint, w io.Writer) error {
	editionID, publication, draft, err := d.EditionForYear(ctx, year)
	if err != nil {
		return err
	}
	if draft {
		return fault.NotFoundf("year", "no edition of %d is published", year)
	}
	tx, err := l.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var cp auditlogdb.Checkpoint
	if at != nil {
		cp = *at
	} else {
		cp, err = l.q.LatestCheckpoint(ctx, tx)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.Preconditionf("year", "the audit log has no checkpoint yet")
	}
	if err != nil {
		return err
	}
	verifier, err := l.LogKey(ctx)
	if err != nil {
		return err
	}
	// First pass: the edition's events, for what the bundle must disclose.
	events, err := editionEvents(ctx, tx, editionID, cp.TreeSize)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return fault.NotFoundf("year", "no edition of %d is in the audit log yet", year)
	}
	p := verify.Parts{EditionID: editionID.String(), Year: int(year), Publication: publication, VerifierKey: verifier, Checkpoint: cp.Note}
	if err := disclose(ctx, d, editionID, publication, events, &p); err != nil {
		return err
	}
	// Second pass: the log itself, streamed.
	rows, err := tx.Query(ctx, exportQuery, editionID, cp.TreeSize)
	if err != nil {
		return err
	}
	defer rows.Close()
	return verify.WriteBundle(w, p, func(yield func(verify.Entry) error) error {
		want := int64(0)
		for rows.Next() {
			var (
				index      int64
				edition    *uuid.UUID
				bodyHash   []byte
				id         int64
				kind, role *string
				actor      *uuid.UUID
				payload    *string
				at         time.Time
			)
			if err := rows.Scan(&index, &edition, &bodyHash, &id, &kind, &role, &actor, &payload, &at); err != nil {
				return err
			}
			if index != want {
				return fmt.Errorf("audit log: leaf %d missing", want)
			}
			want++
			if edition != nil && *edition == editionID || edition == nil && *kind == string(event.KeyRotated) {
				body, err := Body(id, edition, *kind, role, actor, *payload, at)
				if err != nil {
					return err
				}
				if err := yield(verify.Entry{Body: body, Edition: editionString(edition)}); err != nil {
					return err
				}
				continue
			}
			if err := yield(verify.Entry{Edition: editionString(edition), Digest: bodyHash}); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if want != cp.TreeSize {
			return fmt.Errorf("audit log: %d leaves under a checkpoint of %d", want, cp.TreeSize)
		}
		return nil
	})
}

func editionEvents(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, size int64) ([]editionEvent, error) {
	rows, err := auditlogdb.New().EditionEventsInLog(ctx, tx, auditlogdb.EditionEventsInLogParams{EditionID: &editionID, Size: size})
	if err != nil {
		return nil, err
	}
	out := make([]editionEvent, len(rows))
	for i, r := range rows {
		out[i] = editionEvent{id: r.ID, kind: r.Kind, payload: r.Payload}
	}
	return out, nil
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
