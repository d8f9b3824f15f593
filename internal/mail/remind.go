package mail

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// SendReminder queues now the reminder a late expert or juror would get before the deadline: the
// same template, the same recipients' check at sending, held or sent as the policy says. A reminder
// an organiser queued to the same person that has not left the outbox yet is returned instead of a
// second one (a double click, two organisers at once), so queued is false then.
func (s *Service) SendReminder(ctx context.Context, editionID, invitationID uuid.UUID) (m Mail, queued bool, err error) {
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := edition.Load(ctx, tx, editionID)
		if err != nil {
			return err
		}
		kind, deadline := ReportingReminder, e.Timeline.ReportingDeadline
		switch e.Stage {
		case edition.Reporting:
		case edition.Jury:
			kind, deadline = BallotReminder, e.Timeline.JuryDeadline
		default:
			return fault.Preconditionf("edition_id", "reminders go out while experts report or the jury votes; the edition is in %s", e.Stage)
		}
		if deadline == nil {
			return fault.Preconditionf("edition_id", "set the deadline of %s before reminding anyone of it", e.Stage)
		}
		late, err := s.recipients(ctx, tx, kind, editionID)
		if err != nil {
			return err
		}
		var to *recipient
		for i := range late {
			if late[i].ID == invitationID {
				to = &late[i]
			}
		}
		if to == nil {
			if kind == ReportingReminder {
				return fault.Preconditionf("invitation_id", "no expert of this edition is waiting for a reminder under that invitation: their city's report is submitted, or they are not an expert here")
			}
			return fault.Preconditionf("invitation_id", "no juror of this edition is waiting for a reminder under that invitation: they have cast, or they are not a juror here")
		}
		// The keys count the person's earlier reminders, so two requests at once make the same key and
		// the outbox keeps one; a reminder that has left the outbox (sent, discarded) makes room for the next.
		prefix := fmt.Sprintf("remind-now/%s/%s/%s/", kind, editionID, to.Email)
		before, err := s.q.MailsByDedupPrefix(ctx, tx, prefix)
		if err != nil {
			return err
		}
		for _, b := range before {
			if st := Status(b.Status); st == Held || st == Pending {
				m = s.fromRow(b)
				return nil
			}
		}
		key := fmt.Sprintf("%s%d", prefix, len(before)+1)
		n, err := s.queue(ctx, tx, editionID, kind, []outgoing{{to: *to, data: s.data(e, *to, deadline), dedup: key}})
		if err != nil {
			return err
		}
		queued = n > 0
		rows, err := s.q.MailsByDedupPrefix(ctx, tx, key)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("reminder %s: not in the outbox after queueing", key)
		}
		m = s.fromRow(rows[0])
		return nil
	})
	return m, queued, err
}

// MessageRole queues the organiser's message to every expert or juror of the edition (pending or
// accepted invitations), one mail each, in one text for all. A retry with the same request id
// queues nothing more; it returns how many it queued and how many people the role has.
func (s *Service) MessageRole(ctx context.Context, editionID uuid.UUID, role, subject, body string, requestID uuid.UUID) (queued, recipients int, err error) {
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := edition.Load(ctx, tx, editionID)
		if err != nil {
			return err
		}
		if e.Stage == edition.Draft {
			return fault.Preconditionf("edition_id", "nobody is invited to read mail about an edition in DRAFT yet")
		}
		all, err := s.recipients(ctx, tx, Message, editionID)
		if err != nil {
			return err
		}
		var mails []outgoing
		for _, r := range all {
			if r.Role != role {
				continue
			}
			d := s.data(e, r, nil)
			d.Subject, d.Message = subject, body
			mails = append(mails, outgoing{to: r, data: d, dedup: fmt.Sprintf("message/%s/%s/%s", editionID, requestID, r.Email)})
		}
		recipients = len(mails)
		if recipients == 0 {
			return fault.Preconditionf("role", "the edition has no %s invited", role)
		}
		queued, err = s.queue(ctx, tx, editionID, Message, mails)
		return err
	})
	return queued, recipients, err
}
