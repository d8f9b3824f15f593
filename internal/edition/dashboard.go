package edition

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Dashboard is where an edition stands, for its organisers.
type Dashboard struct {
	Edition Edition
	// Next is the stage after the current one; empty once announced.
	Next Stage
	// Deadline is the current stage's deadline, if it has one and it is set.
	Deadline *time.Time
	// Blockers are what ChangeStage would refuse the move to Next for; Warnings what it would warn about.
	Blockers []*fault.Error
	// Overridable marks the blockers override_unaccepted_reports lets through.
	Overridable []bool
	Warnings    Warnings

	Cities              int32
	ReportsByStatus     map[string]int32
	CitiesWithoutExpert int32
	Nominations         int32
	MailByStatus        map[string]int32
	RuleSet, RuleFrozen bool
	People              []Person
}

// Person is an invited expert or juror and how far they are.
type Person struct {
	InvitationID uuid.UUID
	Role         string // EXPERT or JUROR
	Name, City   string
	SignedIn     bool
	// Progress is an expert's city's report status, or a juror's NOT_STARTED, DRAFT or CAST.
	Progress     string
	AssignmentID string
}

// Dashboard computes where an edition stands: the next move's refusals and warnings come from the
// very checks ChangeStage runs (in a transaction that changes nothing), the counts from a few queries.
func (s *Service) Dashboard(ctx context.Context, id uuid.UUID) (Dashboard, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return Dashboard{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read only: nothing to keep
	e, err := Load(ctx, tx, id)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Edition: e, Next: next(e.Stage), Cities: int32(len(e.Cities)), ReportsByStatus: map[string]int32{}, MailByStatus: map[string]int32{}}
	switch e.Stage {
	case Reporting:
		d.Deadline = e.Timeline.ReportingDeadline
	case Jury:
		d.Deadline = e.Timeline.JuryDeadline
	case Tallied:
		d.Deadline = e.Timeline.CeremonyTime
	}
	if d.Next == e.Stage {
		d.Next = ""
	}
	if d.Next != "" {
		c := StageChange{Target: d.Next}
		for _, err := range s.checkForward(ctx, tx, e, c) {
			f, ok := fault.As(err)
			if !ok {
				return Dashboard{}, err
			}
			d.Blockers = append(d.Blockers, f)
			// Only the unaccepted reports' refusal gives way to an override: try the move with one.
			d.Overridable = append(d.Overridable, false)
		}
		if len(d.Blockers) > 0 && d.Next == Jury {
			with := map[string]bool{}
			for _, err := range s.checkForward(ctx, tx, e, StageChange{Target: d.Next, Override: true}) {
				if f, ok := fault.As(err); ok {
					with[f.Message] = true
				}
			}
			for i, b := range d.Blockers {
				d.Overridable[i] = !with[b.Message]
			}
		}
		if d.Warnings, err = s.warnings(ctx, tx, e, c); err != nil {
			return Dashboard{}, err
		}
	}
	reports, err := s.q.DashboardReportCounts(ctx, tx, id)
	if err != nil {
		return Dashboard{}, err
	}
	for _, r := range reports {
		d.ReportsByStatus[r.Status] = r.N
	}
	if d.CitiesWithoutExpert, err = s.q.DashboardCitiesWithoutExpert(ctx, tx, id); err != nil {
		return Dashboard{}, err
	}
	if d.Nominations, err = s.q.DashboardNominations(ctx, tx, id); err != nil {
		return Dashboard{}, err
	}
	mails, err := s.q.DashboardMailCounts(ctx, tx, &id)
	if err != nil {
		return Dashboard{}, err
	}
	for _, m := range mails {
		d.MailByStatus[m.Status] = m.N
	}
	rule, err := s.q.DashboardRule(ctx, tx, id)
	if err != nil {
		return Dashboard{}, err
	}
	d.RuleSet, d.RuleFrozen = rule.Set, rule.Frozen
	people, err := s.q.DashboardPeople(ctx, tx, id)
	if err != nil {
		return Dashboard{}, err
	}
	for _, p := range people {
		x := Person{InvitationID: p.ID, Role: p.Role, Name: p.DisplayName, City: p.CityName, SignedIn: p.SignedIn, AssignmentID: p.AssignmentID, Progress: p.ReportStatus}
		if p.Role == "JUROR" {
			switch {
			case p.Cast:
				x.Progress = "CAST"
			case p.Drafted:
				x.Progress = "DRAFT"
			default:
				x.Progress = "NOT_STARTED"
			}
		}
		d.People = append(d.People, x)
	}
	return d, nil
}
