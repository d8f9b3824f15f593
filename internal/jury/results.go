package jury

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Results is an edition's tally in force with what its readers know the ids by: the categories,
// nominations (with their practices and cities) and criteria it names.
type Results struct {
	Edition     edition.Edition
	Tally       Tally
	Categories  map[string]edition.Category
	Nominations map[string]report.Nomination
	Criteria    map[string]edition.Criterion
	// Texts are the jury's justifications and recommendations in force.
	Texts JuryTexts
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

// Tally is an edition's computed result with what it was computed from.
type Tally struct {
	Rule      StoredRule
	Result    tally.Result
	Canonical []byte
	Hash      string
	// Counted are the casts that count (§9.1 of the specification), by juror assignment id.
	Counted map[string]verify.Cast
	// Jurors maps a juror assignment id to the juror as results show them.
	Jurors map[string]JurorInfo
	// Decisions are the jury decisions in force, in the order recorded.
	Decisions []Decision
}

// Decision is a jury decision with its reason.
type Decision struct {
	CategoryID  uuid.UUID
	Nominations []uuid.UUID
	Reason      string
	RecordTime  time.Time
}

// JurorInfo is a juror as the results show them.
type JurorInfo struct {
	DisplayName string
	Pseudonym   string
	HomeCity    string
}
