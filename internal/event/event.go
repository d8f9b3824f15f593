// Package event is the one place where state changes are written to the append-only event table
// that the audit log is built from. Writers append inside the transaction that makes the change, so an
// event exists exactly when its change committed.
package event

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/event/eventdb"
)

// Kind names a state change. Kinds are part of the audit log's format: never rename one.
type Kind string

// The kinds written so far; later stages add theirs here.
const (
	EditionCreated      Kind = "edition.created"
	EditionTimelineSet  Kind = "edition.timeline_set"
	EditionStageChanged Kind = "edition.stage_changed"
	EditionCityAdded    Kind = "edition.city_added"
	EditionCityRemoved  Kind = "edition.city_removed"
	CityCreated         Kind = "city.created"
	CategoryCreated     Kind = "category.created"
	CriterionCreated    Kind = "criterion.created"
	InvitationCreated   Kind = "invitation.created"
	InvitationRevoked   Kind = "invitation.revoked"
	InvitationAccepted  Kind = "invitation.accepted"
	ReportSaved         Kind = "report.saved"
	ReportSubmitted     Kind = "report.submitted"
	ReportReturned      Kind = "report.returned"
	ReportAccepted      Kind = "report.accepted"
	Nominated           Kind = "shortlist.nominated"
	Unnominated         Kind = "shortlist.unnominated"
	TallyRuleSet        Kind = "tally_rule.set"
	TallyRuleFrozen     Kind = "tally_rule.frozen"
	BallotCast          Kind = "ballot.cast"
	ConflictDeclared    Kind = "ballot.conflict_declared"
	Abstained           Kind = "ballot.abstained"
	TallyComputed       Kind = "tally.computed"
	JuryDecided         Kind = "tally.jury_decision"
	ResultsAnnounced    Kind = "results.announced"
	MailEdited          Kind = "mail.edited"
	MailReleased        Kind = "mail.released"
	MailDiscarded       Kind = "mail.discarded"
	MailPolicySet       Kind = "mail.policy_set"
)

// Event is one state change.
type Event struct {
	Kind Kind
	// EditionID is the edition the change belongs to; uuid.Nil for platform-wide changes.
	EditionID uuid.UUID
	// ActorID is the user who made the change; uuid.Nil for the system.
	ActorID uuid.UUID
	// Payload is what changed; it is stored as JSON and must marshal deterministically (structs, not maps
	// with random order, are best). The audit log publishes every event: no e-mail addresses, no draft
	// text, no scores before the round closes (hashes of them are fine).
	Payload any
}

// Append writes e in tx and returns its id.
func Append(ctx context.Context, tx pgx.Tx, e Event) (int64, error) {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return 0, fmt.Errorf("event %s: %w", e.Kind, err)
	}
	id, err := eventdb.New().InsertEvent(ctx, tx, eventdb.InsertEventParams{
		EditionID:   nullUUID(e.EditionID),
		Kind:        string(e.Kind),
		ActorUserID: nullUUID(e.ActorID),
		Payload:     payload,
	})
	if err != nil {
		return 0, fmt.Errorf("append event %s: %w", e.Kind, err)
	}
	return id, nil
}

func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
