package jury

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report"
)

// Progress states, per juror and category.
const (
	NotStarted = "NOT_STARTED"
	Drafted    = "DRAFT"
	CastState  = "CAST"
	Recused    = "RECUSED"
)

// JurorProgress is one juror's progress per category, without any score.
type JurorProgress struct {
	AssignmentID uuid.UUID
	DisplayName  string
	Categories   []CategoryProgress
	Declared     []Recusal
	// Reads are the translations the juror read for their last cast.
	Reads []TranslationRead
}

// CategoryProgress is a juror's state in one category.
type CategoryProgress struct {
	CategoryID uuid.UUID
	State      string
}

// Progress lists, for organisers, where every juror is in every category. It reveals whether marks
// exist, never what they are.
func (s *Service) Progress(ctx context.Context, editionID uuid.UUID, size int32, token string) ([]JurorProgress, string, error) {
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	cats, err := edition.Categories(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	jurors, err := s.q.ListJurors(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	jurors, next, err := page.Slice(jurors, size, 50, token)
	if err != nil {
		return nil, "", err
	}
	out := make([]JurorProgress, 0, len(jurors))
	for _, jr := range jurors {
		a := auth.Assignment{ID: jr.ID, EditionID: editionID, Role: auth.RoleJuror, CityID: *jr.CityID} // a juror has a city
		jp := JurorProgress{AssignmentID: jr.ID, DisplayName: jr.DisplayName}
		if e.Stage.Index() < edition.Jury.Index() {
			for _, c := range cats {
				jp.Categories = append(jp.Categories, CategoryProgress{CategoryID: c.ID, State: NotStarted})
			}
			out = append(out, jp)
			continue
		}
		j, err := s.loadAssignment(ctx, s.pool, a, jr.HomeCityIds, false) // their own city and those they report on
		if err != nil {
			return nil, "", err
		}
		drafted := map[uuid.UUID]bool{} // categories with any draft mark
		row, err := s.q.GetBallot(ctx, s.pool, jr.ID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, "", err
		}
		if err == nil {
			var scores []Score
			if err := json.Unmarshal(row.Scores, &scores); err != nil {
				return nil, "", fmt.Errorf("stored ballot: %w", err)
			}
			for _, sc := range scores {
				drafted[j.nominations[sc.NominationID].CategoryID] = true
			}
		}
		last, castErr := s.q.LastCast(ctx, s.pool, jr.ID)
		cast := castErr == nil
		if castErr != nil && !errors.Is(castErr, pgx.ErrNoRows) {
			return nil, "", castErr
		}
		if cast {
			reads, err := s.q.ListCastReads(ctx, s.pool, last.BallotCast.ID)
			if err != nil {
				return nil, "", err
			}
			for _, r := range reads {
				jp.Reads = append(jp.Reads, TranslationRead{PracticeID: r.PracticeID, Language: r.Language, Version: r.Version})
			}
		}
		for _, c := range cats {
			state, total, recused := NotStarted, 0, 0
			for id, n := range j.nominations {
				if n.CategoryID == c.ID {
					total++
					if _, ok := j.recusals[id]; ok {
						recused++
					}
				}
			}
			switch {
			case total > 0 && recused == total:
				state = Recused
			case cast: // a cast is complete: it covers every category
				state = CastState
			case drafted[c.ID]:
				state = Drafted
			}
			jp.Categories = append(jp.Categories, CategoryProgress{CategoryID: c.ID, State: state})
		}
		for _, r := range j.sortedRecusals() {
			if r.Kind != "HOME_CITY" { // declared conflicts and abstentions, with their reasons
				jp.Declared = append(jp.Declared, r)
			}
		}
		out = append(out, jp)
	}
	return out, next, nil
}

// BallotNomination is a nomination of the shortlist as a juror sees it: with their recusal, if any.
type BallotNomination struct {
	Nomination report.Nomination
	Recusal    *Recusal
}

// BallotNominations lists the shortlist (by category, a page at a time) as the juror p sees it, each
// nomination with the juror's recusal from it.
func (s *Service) BallotNominations(ctx context.Context, p *auth.Principal, editionID uuid.UUID, categoryID *uuid.UUID, size int32, token string) ([]BallotNomination, string, error) {
	j, err := s.loadJuror(ctx, s.pool, p, editionID, false)
	if err != nil {
		return nil, "", err
	}
	ns, next, err := report.Nominations(ctx, s.pool, p, editionID, categoryID, size, token)
	if err != nil {
		return nil, "", err
	}
	out := make([]BallotNomination, 0, len(ns))
	for _, n := range ns {
		bn := BallotNomination{Nomination: n}
		if r, ok := j.recusals[n.ID]; ok {
			bn.Recusal = &r
		}
		out = append(out, bn)
	}
	return out, next, nil
}
