package mail

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
	"github.com/miasta-otwarte/miasta/internal/report"
)

// InviteHook queues the invitation mail, with the login link, in the invitation's transaction.
func (s *Service) InviteHook() identity.InviteHook {
	return func(ctx context.Context, tx pgx.Tx, e edition.Edition, inv identity.Invitation) error {
		to := recipient{ID: inv.ID, Email: inv.Email, DisplayName: inv.DisplayName, Language: inv.Language, Role: string(inv.Role), CityName: inv.City.Name}
		deadline := e.Timeline.ReportingDeadline
		if inv.Role == auth.RoleJuror || inv.Role == auth.RoleTranslator { // translations are read in the jury round
			deadline = e.Timeline.JuryDeadline
		}
		_, err := s.queue(ctx, tx, e.ID, Invitation, []outgoing{{to: to, data: s.data(e, to, deadline), dedup: "INVITATION/" + inv.ID.String()}})
		return err
	}
}

// ReturnHook queues the mail that tells a city's expert their report came back, with the organiser's
// comment, in the transaction that returns it.
func (s *Service) ReturnHook() report.ReturnHook {
	return func(ctx context.Context, tx pgx.Tx, e edition.Edition, r report.Report, comment string) error {
		rows, err := s.q.CityExperts(ctx, tx, maildb.CityExpertsParams{EditionID: e.ID, CityID: r.City.ID})
		if err != nil {
			return err
		}
		mails := make([]outgoing, 0, len(rows))
		for _, row := range rows {
			to := recipient(row)
			d := s.data(e, to, e.Timeline.ReportingDeadline)
			d.Comment = comment
			mails = append(mails, outgoing{to: to, data: d})
		}
		_, err = s.queue(ctx, tx, e.ID, ReportReturned, mails)
		return err
	}
}

// StageHook queues, in the stage change's transaction, the mail a forward move announces: reporting
// opened (to the experts), the jury round opened (to the jurors) and the results (to everyone
// invited). Each goes to a person once per edition, however often the stage is re-entered.
func (s *Service) StageHook() edition.StageHook {
	return edition.StageHook{Apply: func(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
		if c.Target.Index() <= e.Stage.Index() {
			return nil // a step back announces nothing
		}
		var kind Kind
		var roles []string
		deadline := e.Timeline.ReportingDeadline
		switch c.Target {
		case edition.Reporting:
			kind, roles = ReportingOpened, []string{string(auth.RoleExpert)}
		case edition.Jury:
			kind, roles, deadline = JuryOpened, []string{string(auth.RoleJuror)}, e.Timeline.JuryDeadline
		case edition.Announced:
			kind, roles, deadline = ResultsAnnounced, []string{string(auth.RoleExpert), string(auth.RoleJuror)}, nil
		default:
			return nil
		}
		rows, err := s.q.EditionRecipients(ctx, tx, maildb.EditionRecipientsParams{EditionID: e.ID, Roles: roles})
		if err != nil {
			return err
		}
		mails := make([]outgoing, 0, len(rows))
		for _, to := range rows {
			// Keyed by address: someone both expert and juror hears about the results once.
			mails = append(mails, outgoing{to: to, data: s.data(e, to, deadline), dedup: string(kind) + "/" + e.ID.String() + "/" + to.Email})
		}
		_, err = s.queue(ctx, tx, e.ID, kind, mails)
		return err
	}}
}

// ReceiptHook queues, in the cast's transaction, the juror's receipt: a second channel, the juror's
// own mailbox, to compare with the receipt the ballot page shows. It goes out at once, whatever the
// mail policies say, and nobody can edit or withdraw it (see BallotReceipt).
func (s *Service) ReceiptHook() jury.CastHook {
	return func(ctx context.Context, tx pgx.Tx, editionID, assignmentID uuid.UUID, c jury.Cast) error {
		e, err := edition.Load(ctx, tx, editionID)
		if err != nil {
			return err
		}
		row, err := s.q.JurorOfAssignment(ctx, tx, assignmentID)
		if err != nil {
			return err
		}
		to := recipient(row)
		d := s.data(e, to, e.Timeline.JuryDeadline)
		d.BallotHash, d.CastTime = c.BallotHash, edition.InWarsaw(c.CastTime)
		d.ResultsPage = fmt.Sprintf("%s/results/%d", s.cfg.PublicURL, e.Year)
		_, err = s.queue(ctx, tx, e.ID, BallotReceipt, []outgoing{{to: to, data: d, dedup: "RECEIPT/" + c.ID.String()}})
		return err
	}
}
