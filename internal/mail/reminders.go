package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// reminderLock is the advisory lock that elects the one replica computing reminders. The idempotency
// keys alone would keep two replicas from queueing a reminder twice; the lock keeps them from trying.
const reminderLock = 0x6d696173_6d61696c // "mias" "mail"

// dueOffset picks the reminder due now for a deadline: of the offsets whose time has come while the
// deadline is still ahead, the latest. An earlier one that was never sent (reporting opened three days
// before the deadline, say, after the seven-day mark) is skipped rather than sent late.
func dueOffset(offsets []Offset, deadline, now time.Time) (Offset, bool) {
	var best Offset
	var bestAt time.Time
	found := false
	for _, o := range offsets {
		at := o.before(deadline)
		if now.Before(at) || !now.Before(deadline) {
			continue
		}
		if !found || at.After(bestAt) {
			best, bestAt, found = o, at, true
		}
	}
	return best, found
}

// Remind queues the reminders that are due: experts whose city has not submitted, before the
// reporting deadline, and jurors who have not cast, before the jury deadline (when the timeline has
// one). Each reminder has a key of edition, kind, offset and recipient, so it is queued once however
// often this runs and on however many replicas. It returns how many it queued.
func (s *Service) Remind(ctx context.Context) (int, error) {
	if len(s.cfg.Reminders) == 0 {
		return 0, nil
	}
	n := 0
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		n = 0
		if leader, err := db.TryXactLock(ctx, tx, reminderLock); err != nil || !leader {
			return err
		}
		editions, err := s.q.EditionsWithDeadlines(ctx, tx)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		for _, row := range editions {
			kind, deadline := ReportingReminder, row.ReportingDeadline
			if row.Stage == string(edition.Jury) {
				kind, deadline = BallotReminder, row.JuryDeadline
			}
			off, ok := dueOffset(s.cfg.Reminders, *deadline, now)
			if !ok {
				continue
			}
			late, err := s.recipients(ctx, tx, kind, row.ID)
			if err != nil {
				return err
			}
			if len(late) == 0 {
				continue
			}
			e, err := edition.Load(ctx, tx, row.ID)
			if err != nil {
				return err
			}
			mails := make([]outgoing, 0, len(late))
			for _, r := range late {
				mails = append(mails, outgoing{to: r, data: s.data(e, r, deadline),
					dedup: fmt.Sprintf("%s/%s/%s/%s", kind, e.ID, off, r.Email)})
			}
			queued, err := s.queue(ctx, tx, e.ID, kind, mails)
			if err != nil {
				return err
			}
			n += queued
		}
		return nil
	})
	if n > 0 {
		s.log.InfoContext(ctx, "reminders queued", "count", n)
	}
	return n, err
}

// recipients are the people a mail of kind about an edition may still go to: for a reminder, those
// who are late (experts whose city has not submitted, jurors who have not cast); for any other kind,
// everyone still invited. Reminders are queued to them, and the sender checks a mail's recipient is
// still among them before sending, so the two can never disagree on who is late.
func (s *Service) recipients(ctx context.Context, tx pgx.Tx, kind Kind, editionID uuid.UUID) ([]recipient, error) {
	var out []recipient
	switch kind {
	case ReportingReminder:
		rows, err := s.q.LateExperts(ctx, tx, editionID)
		for _, r := range rows {
			out = append(out, recipient(r))
		}
		return out, err
	case BallotReminder:
		rows, err := s.q.JurorsWithoutCast(ctx, tx, editionID)
		for _, r := range rows {
			out = append(out, recipient(r))
		}
		return out, err
	default:
		return s.q.EditionRecipients(ctx, tx, maildb.EditionRecipientsParams{
			EditionID: editionID, Roles: []string{string(auth.RoleExpert), string(auth.RoleJuror), string(auth.RoleTranslator)},
		})
	}
}
