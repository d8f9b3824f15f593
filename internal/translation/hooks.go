package translation

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/edition"
)

// StageHook warns, before the jury opens, of every nomination that jurors would not read in one of
// the edition's languages: no translation into it, or one that is incomplete or of an older version
// of the report. The organiser may go on with a reason (the original is always one tap away).
func (s *Service) StageHook() edition.StageHook {
	return edition.StageHook{Warn: func(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) ([]edition.Warning, error) {
		if c.Target != edition.Jury {
			return nil, nil
		}
		var languages []string
		for _, l := range e.Languages {
			if l != "pl" {
				languages = append(languages, l)
			}
		}
		if len(languages) == 0 {
			return nil, nil
		}
		rows, err := s.q.AcceptedPractices(ctx, tx, e.ID)
		if err != nil {
			return nil, err
		}
		practices, err := practicesFromRows(rows)
		if err != nil {
			return nil, err
		}
		have, err := s.translations(ctx, tx, e.ID, languages)
		if err != nil {
			return nil, err
		}
		var out []edition.Warning
		for _, p := range practices {
			if !p.Nominated {
				continue
			}
			for _, l := range languages {
				t := have[key{p.ID, l}].of(p, l)
				if t.Version == 0 || !t.Complete || t.Outdated {
					out = append(out, edition.Warning{Type: edition.WarnNoTranslation, Subject: p.ID.String() + "/" + l, Name: p.Title + " (" + p.City.Name + ", " + l + ")"})
				}
			}
		}
		return out, nil
	}}
}
