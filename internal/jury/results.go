package jury

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/report"
)

// Results is an edition's tally in force with what its readers know the ids by: the categories,
// nominations (with their practices and cities) and criteria it names.
type Results struct {
	Edition     edition.Edition
	Tally       Tally
	Categories  map[string]edition.Category
	Nominations map[string]report.Nomination
	Criteria    map[string]edition.Criterion
}

// Name is what a reader knows an id in an explanation by: a practice's title and city, or a
// criterion's Polish name.
func (v Results) Name(id string) string {
	if n, ok := v.Nominations[id]; ok {
		return fmt.Sprintf("%q (%s)", n.Practice.Title, n.City.Name)
	}
	if c, ok := v.Criteria[id]; ok {
		return c.NamePL
	}
	return id
}

// Results loads the edition's tally in force with the names it refers to.
func (s *Service) Results(ctx context.Context, editionID uuid.UUID) (Results, error) {
	t, e, err := s.GetTally(ctx, editionID)
	if err != nil {
		return Results{}, err
	}
	v := Results{Edition: e, Tally: t, Categories: map[string]edition.Category{}, Nominations: map[string]report.Nomination{}, Criteria: map[string]edition.Criterion{}}
	cats, err := edition.Categories(ctx, s.pool, editionID)
	if err != nil {
		return Results{}, err
	}
	for _, c := range cats {
		v.Categories[c.ID.String()] = c
	}
	crits, err := edition.Criteria(ctx, s.pool, editionID)
	if err != nil {
		return Results{}, err
	}
	for _, c := range crits {
		v.Criteria[c.ID.String()] = c
	}
	noms, err := report.AllNominations(ctx, s.pool, editionID)
	if err != nil {
		return Results{}, err
	}
	for _, n := range noms {
		v.Nominations[n.ID.String()] = n
	}
	return v, nil
}

// AnnouncedResults is Results of the edition of year, once it is announced (the public's results).
func (s *Service) AnnouncedResults(ctx context.Context, year int32) (Results, error) {
	id, err := edition.IDForYear(ctx, s.pool, year)
	if err != nil {
		return Results{}, err
	}
	e, err := edition.Load(ctx, s.pool, id)
	if err != nil {
		return Results{}, err
	}
	if e.Stage != edition.Announced {
		return Results{}, fault.Preconditionf("year", "the results of %d are not announced yet", year)
	}
	return s.Results(ctx, id)
}

// JurorLabel names a juror as the edition publishes ballots (organisers see names).
func (v Results) JurorLabel(key string, organiser bool) string {
	j := v.Tally.Jurors[key]
	if organiser || v.Edition.BallotPublication == edition.PublishNames {
		return j.DisplayName
	}
	return j.Pseudonym
}

// PerJuror reports whether the viewer may see each juror's marks: organisers after the close, the
// public unless the edition publishes aggregates only.
func (v Results) PerJuror(organiser bool) bool {
	return organiser || v.Edition.BallotPublication != edition.PublishAggregates
}

// StageStep is a move back or an override of the edition, with the tally a reopening set aside.
type StageStep struct {
	From, To          edition.Stage
	Reason            string
	Time              time.Time
	Organiser         string
	Override          bool
	SetAsideTallyHash string
	SetAsideWinners   []report.Nomination
}

// StageSteps lists the edition's moves back and overrides, with the tallies a reopening set aside:
// no step back is silent.
func (s *Service) StageSteps(ctx context.Context, v Results) ([]StageStep, error) {
	rows, err := s.q.StageSteps(ctx, s.pool, &v.Edition.ID)
	if err != nil {
		return nil, err
	}
	out := make([]StageStep, 0, len(rows))
	for _, r := range rows {
		var p struct {
			From, To, Reason string
			Override         bool
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			return nil, fmt.Errorf("stage change %d: %w", r.ID, err)
		}
		st := StageStep{From: edition.Stage(p.From), To: edition.Stage(p.To), Reason: p.Reason, Time: r.CreateTime,
			Organiser: r.Organiser, Override: p.Override, SetAsideTallyHash: r.SetAsideHash}
		if r.SetAsideResult != nil {
			var doc struct {
				Categories []struct {
					Nominations []struct {
						NominationID string `json:"nomination_id"`
						Winner       bool   `json:"winner"`
					} `json:"nominations"`
				} `json:"categories"`
			}
			if err := json.Unmarshal(r.SetAsideResult, &doc); err != nil {
				return nil, fmt.Errorf("set-aside tally: %w", err)
			}
			for _, c := range doc.Categories {
				for _, n := range c.Nominations {
					if n.Winner {
						st.SetAsideWinners = append(st.SetAsideWinners, v.Nominations[n.NominationID])
					}
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
