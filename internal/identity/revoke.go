package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/identity/identitydb"
)

// RevokeRole withdraws a role someone accepted, with the organiser's reason. In one transaction: the
// assignment stops granting anything, its invitation is marked revoked (reminders and imports leave
// the person alone), every session of the person ends, and for an expert or a juror the log records
// assignment.revoked with a commitment to the reason. What the person did stays: an expert's draft
// belongs to the city's report, and a juror's casts stay in the log, never counted at a close after
// the revocation (spec/audit.md §9.1). Only before the round closes: after it, removing a counted
// cast needs the recorded step back to JURY first.
func (s *Store) RevokeRole(ctx context.Context, actor *auth.Principal, id uuid.UUID, reason string) (AssignmentView, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return AssignmentView{}, fault.Invalidf("reason", "say why the role is revoked")
	}
	var out AssignmentView
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		ra, err := s.q.GetAssignmentForUpdate(ctx, tx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fault.NotFoundf("assignment_id", "no such role assignment")
		}
		if err != nil {
			return err
		}
		e, err := edition.LoadForUpdate(ctx, tx, ra.EditionID)
		if err != nil {
			return err
		}
		if ra.RevokeTime != nil {
			return fault.Preconditionf("assignment_id", "the role was revoked already")
		}
		if e.Stage.Index() >= edition.Tallied.Index() {
			return fault.Preconditionf("assignment_id", "the edition is %s: the jury round is closed, so revoking a role would change a counted result; move the edition back to the jury stage first (a step back the log records with its reason), then revoke", e.Stage)
		}
		if _, err := s.q.RevokeAssignment(ctx, tx, identitydb.RevokeAssignmentParams{ID: id, RevokedBy: actorPtr(actor), Reason: reason}); err != nil {
			return err
		}
		if err := s.q.MarkInvitationRevoked(ctx, tx, ra.InvitationID); err != nil {
			return err
		}
		ended, err := s.q.DeleteUserSessions(ctx, tx, ra.UserID)
		if err != nil {
			return err
		}
		if logged(auth.Role(ra.Role)) {
			commitment, err := event.Commit(ctx, tx, reason)
			if err != nil {
				return err
			}
			if _, err := event.Append(ctx, tx, event.Event{
				Kind: event.AssignmentRevoked, EditionID: e.ID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
				Payload: struct {
					AssignmentID     uuid.UUID `json:"assignment_id"`
					Role             string    `json:"role"`
					ReasonCommitment string    `json:"reason_commitment"`
				}{id, specRole(auth.Role(ra.Role)), commitment},
			}); err != nil {
				return err
			}
		}
		view, err := s.q.GetAssignmentView(ctx, tx, id)
		if err != nil {
			return err
		}
		out = assignmentView(view.RoleAssignment, view.CityName, view.EditionYear, view.UserEmail, view.UserName)
		s.log.InfoContext(ctx, "role revoked", "assignment", id, "user", ra.UserID, "role", ra.Role, "sessions_ended", ended)
		return nil
	})
	return out, err
}

// refuseRevoked refuses to invite an address again to a role it held in the edition and lost.
func (s *Store) refuseRevoked(ctx context.Context, tx pgx.Tx, e edition.Edition, n NewInvitation) error {
	revoked, err := s.q.RevokedRoleOfEmail(ctx, tx, identitydb.RevokedRoleOfEmailParams{EditionID: e.ID, Email: n.Email, Role: string(n.Role)})
	if err != nil {
		return err
	}
	if revoked {
		return fault.Preconditionf("email", "%s held the %s role in this edition and it was revoked; a revoked role is not granted again", n.Email, strings.ToLower(string(n.Role)))
	}
	return nil
}

func assignmentView(r identitydb.RoleAssignment, cityName string, year int32, email, name string) AssignmentView {
	return AssignmentView{
		Assignment: assignmentFromRow(r, cityName, year),
		UserID:     r.UserID, UserEmail: email, UserName: name,
		RevokeTime: r.RevokeTime, RevokeReason: r.RevokeReason,
	}
}

// EditionsOf implements auth.EditionResolver: the edition of every row the refs name, by the field
// that names it (auth.ScopeFields).
func (s *Store) EditionsOf(ctx context.Context, refs map[string][]uuid.UUID) (map[uuid.UUID]uuid.UUID, error) {
	var p identitydb.EditionsOfRefsParams
	for field, ids := range refs {
		switch field {
		case "edition_id":
			p.Editions = append(p.Editions, ids...)
		case "report_id":
			p.Reports = append(p.Reports, ids...)
		case "practice_id":
			p.Practices = append(p.Practices, ids...)
		case "attachment_id":
			p.Attachments = append(p.Attachments, ids...)
		case "nomination_id", "nomination_ids":
			p.Nominations = append(p.Nominations, ids...)
		case "category_id":
			p.Categories = append(p.Categories, ids...)
		case "criterion_id":
			p.Criteria = append(p.Criteria, ids...)
		case "invitation_id":
			p.Invitations = append(p.Invitations, ids...)
		case "assignment_id":
			p.Assignments = append(p.Assignments, ids...)
		case "mail_id":
			p.Mails = append(p.Mails, ids...)
		}
	}
	rows, err := s.q.EditionsOfRefs(ctx, s.pool, p)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]uuid.UUID, len(rows))
	for _, r := range rows {
		out[r.Ref] = r.EditionID
	}
	return out, nil
}
