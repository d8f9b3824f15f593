// Package event is the one place where state changes are written to the append-only event table
// that the audit log is built from. Writers append inside the transaction that makes the change, so an
// event exists exactly when its change committed. What an event may carry is the published
// specification (spec/audit.md §5–6); internal/verify holds it as data, and a test checks every event
// the platform writes against it.
package event

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/event/eventdb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Kind names a state change. Kinds are part of the audit log's format: never rename one.
type Kind string

// The kinds of the specification, §6.
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
	AssignmentRevoked   Kind = "assignment.revoked"
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
	KeyRotated          Kind = "log.key_rotated"
)

// Actor is who made a change, as the log names them (§5): an organiser by their user id, an expert or
// a juror by their assignment in the edition. The zero Actor is the platform itself.
type Actor struct {
	Role string // "organiser", "expert", "juror"; "" for the platform
	ID   uuid.UUID
}

// Organiser is an organiser acting; a nil user (the seed, say) is the platform.
func Organiser(userID uuid.UUID) Actor {
	if userID == uuid.Nil {
		return Actor{}
	}
	return Actor{Role: "organiser", ID: userID}
}

// Expert is an expert acting through their assignment.
func Expert(assignmentID uuid.UUID) Actor { return Actor{Role: "expert", ID: assignmentID} }

// Juror is a juror acting through their assignment.
func Juror(assignmentID uuid.UUID) Actor { return Actor{Role: "juror", ID: assignmentID} }

// Event is one state change.
type Event struct {
	Kind Kind
	// EditionID is the edition the change belongs to; uuid.Nil for platform-wide changes.
	EditionID uuid.UUID
	// Actor is who made it, as the log publishes it.
	Actor Actor
	// UserID is the signed-in user behind the change, kept for the operators and never published.
	UserID uuid.UUID
	// Payload is what changed, exactly the members the specification lists for the kind. The audit
	// log publishes every event of an edition once it leaves DRAFT: no e-mail addresses, no private
	// text (commit to it with Commit), no scores before the round closes.
	Payload any
}

// Append writes e in tx and returns its id.
func Append(ctx context.Context, tx pgx.Tx, e Event) (int64, error) {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return 0, fmt.Errorf("event %s: %w", e.Kind, err)
	}
	p := eventdb.InsertEventParams{
		EditionID:   nullUUID(e.EditionID),
		Kind:        string(e.Kind),
		ActorUserID: nullUUID(e.UserID),
		Payload:     payload,
	}
	if e.Actor.Role != "" {
		p.ActorRole, p.ActorID = &e.Actor.Role, &e.Actor.ID
	}
	id, err := eventdb.New().InsertEvent(ctx, tx, p)
	if err != nil {
		return 0, fmt.Errorf("append event %s: %w", e.Kind, err)
	}
	return id, nil
}

// Commit stores a private text with a fresh salt and returns its commitment (§3.2), for an event to
// carry instead of the text.
func Commit(ctx context.Context, tx pgx.Tx, text string) (string, error) {
	salt := verify.NewSalt()
	c := verify.Commit(salt, text)
	if err := eventdb.New().InsertCommitment(ctx, tx, eventdb.InsertCommitmentParams{Commitment: c, Salt: salt, Text: text}); err != nil {
		return "", fmt.Errorf("commitment: %w", err)
	}
	return c, nil
}

// Person is the edition's identifier of a user (§3.3): equal for the same person within the edition
// and unrelated across editions, because it is a commitment under the edition's own salt.
func Person(editionSalt []byte, userID uuid.UUID) string {
	return verify.Commit(editionSalt, "person "+userID.String())
}

func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
