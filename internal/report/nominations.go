package report

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report/reportdb"
)

// shortlistOpen checks that the shortlist may change: only in REVIEW; it freezes when the jury opens.
func shortlistOpen(e edition.Edition) error {
	if e.Stage != edition.Review {
		return fault.Preconditionf("edition_id", "the shortlist changes only in REVIEW; the edition is in %s", e.Stage)
	}
	return nil
}

// Nominate puts a practice of an accepted report on the shortlist, in categoryID (nil: the practice's
// own category; another one needs a reason).
func (s *Service) Nominate(ctx context.Context, actor *auth.Principal, editionID, practiceID uuid.UUID, categoryID *uuid.UUID, reason string) (Nomination, error) {
	var out Nomination
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := edition.LoadForShare(ctx, tx, editionID)
		if err != nil {
			return err
		}
		if err := shortlistOpen(e); err != nil {
			return err
		}
		p, err := s.q.GetPracticeWithReport(ctx, tx, practiceID)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && p.EditionID != editionID {
			return fault.NotFoundf("practice_id", "no such practice in this edition")
		}
		if err != nil {
			return err
		}
		if Status(p.ReportStatus) != Accepted {
			return fault.Preconditionf("practice_id", "only practices of accepted reports can be nominated")
		}
		category := p.Practice.CategoryID
		if categoryID != nil && *categoryID != category {
			c, err := editiondb.New().GetCategory(ctx, tx, *categoryID)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && c.EditionID != editionID {
				return fault.NotFoundf("category_id", "no such category in this edition")
			}
			if err != nil {
				return err
			}
			if reason == "" {
				return fault.Invalidf("reason", "is required to nominate a practice in another category than the expert chose")
			}
			category = *categoryID
		} else {
			reason = "" // a reason is only recorded for a move to another category
		}
		row, err := s.q.InsertNomination(ctx, tx, reportdb.InsertNominationParams{
			EditionID: editionID, CategoryID: category, PracticeID: practiceID, RecategoriseReason: reason,
		})
		if _, dup := db.IsUniqueViolation(err); dup {
			return fault.Existsf("practice_id", "the practice is nominated already")
		}
		if err != nil {
			return err
		}
		pr, err := practiceFromRow(p.Practice)
		if err != nil {
			return err
		}
		city, err := cityOf(e, p.CityID)
		if err != nil {
			return err
		}
		out = Nomination{ID: row.ID, EditionID: editionID, CategoryID: category, City: city, Practice: pr, RecategoriseReason: reason, CreateTime: row.CreateTime}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.Nominated, EditionID: editionID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				NominationID uuid.UUID `json:"nomination_id"`
				PracticeID   uuid.UUID `json:"practice_id"`
				CategoryID   uuid.UUID `json:"category_id"`
				CityID       uuid.UUID `json:"city_id"`
				Reason       string    `json:"reason"`
			}{row.ID, practiceID, category, p.CityID, reason},
		})
		return err
	})
	return out, err
}

// Unnominate takes a nomination off the shortlist.
func (s *Service) Unnominate(ctx context.Context, actor *auth.Principal, nominationID uuid.UUID, reason string) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		n, err := s.q.GetNomination(ctx, tx, nominationID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fault.NotFoundf("nomination_id", "no such nomination")
		}
		if err != nil {
			return err
		}
		e, err := edition.LoadForShare(ctx, tx, n.EditionID)
		if err != nil {
			return err
		}
		if err := shortlistOpen(e); err != nil {
			return err
		}
		if err := s.q.DeleteNomination(ctx, tx, nominationID); err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.Unnominated, EditionID: n.EditionID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				NominationID uuid.UUID `json:"nomination_id"`
				PracticeID   uuid.UUID `json:"practice_id"`
				Reason       string    `json:"reason"`
			}{n.ID, n.PracticeID, reason},
		})
		return err
	})
}

type nominationCursor struct {
	Number int32     `json:"n"`
	ID     uuid.UUID `json:"i"`
}

// Nominations lists the shortlist by category. Organisers see it as it forms; the edition's experts
// and jurors once it is frozen (the jury round opened).
func (s *Service) Nominations(ctx context.Context, viewer *auth.Principal, editionID uuid.UUID, categoryID *uuid.UUID, size int32, token string) ([]Nomination, string, error) {
	return Nominations(ctx, s.pool, viewer, editionID, categoryID, size, token)
}

// Nominations is Service.Nominations over q, for the domains that show the shortlist with their own
// parts (the jury's ballot, with the juror's recusals).
func Nominations(ctx context.Context, q reportdb.DBTX, viewer *auth.Principal, editionID uuid.UUID, categoryID *uuid.UUID, size int32, token string) ([]Nomination, string, error) {
	var cur nominationCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	// Who may ask needs no database; only then is the edition loaded, and any error loading it is
	// that error (a busy or failing database is not a missing role).
	if !viewer.Organiser {
		_, expert := viewer.Holds(editionID, auth.RoleExpert)
		_, juror := viewer.Holds(editionID, auth.RoleJuror)
		if !expert && !juror {
			return nil, "", fault.Deniedf("you hold no role in this edition")
		}
	}
	e, err := edition.Load(ctx, q, editionID)
	if err != nil {
		return nil, "", err
	}
	if !viewer.Organiser {
		if e.Stage.Index() < edition.Jury.Index() {
			return nil, "", fault.Deniedf("the shortlist is published to the edition's experts and jurors when the jury round opens")
		}
	}
	size = page.Size(size, 50)
	rows, err := reportdb.New().ListNominations(ctx, q, reportdb.ListNominationsParams{
		EditionID: editionID, CategoryID: categoryID, AfterNumber: cur.Number, AfterID: cur.ID, MaxRows: size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, size, func(r reportdb.ListNominationsRow) any {
		return nominationCursor{Number: r.CategoryNumber, ID: r.Nomination.ID}
	})
	out, err := nominationsFromRows(editionID, rows)
	if err != nil {
		return nil, "", err
	}
	// The shortlist's readers read the reports' attachments too (the files of accepted reports).
	ids := make([]uuid.UUID, len(out))
	for i, n := range out {
		ids[i] = n.Practice.ID
	}
	files, err := reportdb.New().ListPracticesAttachments(ctx, q, ids)
	if err != nil {
		return nil, "", err
	}
	for _, f := range files {
		for i := range out {
			if out[i].Practice.ID == f.PracticeID {
				out[i].Attachments = append(out[i].Attachments, attachmentFromRow(f))
			}
		}
	}
	return out, next, nil
}

// maxShortlist bounds an edition's shortlist read whole, for results.
const maxShortlist = 5000

func nominationsFromRows(editionID uuid.UUID, rows []reportdb.ListNominationsRow) ([]Nomination, error) {
	out := make([]Nomination, 0, len(rows))
	for _, r := range rows {
		pr, err := practiceFromRow(r.Practice)
		if err != nil {
			return nil, err
		}
		out = append(out, Nomination{
			ID: r.Nomination.ID, EditionID: editionID, CategoryID: r.Nomination.CategoryID,
			City: edition.City{ID: r.CityID, Name: r.CityName}, Practice: pr,
			RecategoriseReason: r.Nomination.RecategoriseReason, CreateTime: r.Nomination.CreateTime,
		})
	}
	return out, nil
}

// AllNominations returns an edition's whole shortlist by category, with no access check: for results
// that are already public or for callers that authorised the reader.
func AllNominations(ctx context.Context, q reportdb.DBTX, editionID uuid.UUID) ([]Nomination, error) {
	rows, err := reportdb.New().ListNominations(ctx, q, reportdb.ListNominationsParams{EditionID: editionID, MaxRows: maxShortlist})
	if err != nil {
		return nil, err
	}
	return nominationsFromRows(editionID, rows)
}
