package jury

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Score is one mark.
type Score struct {
	NominationID uuid.UUID `json:"nomination_id"`
	CriterionID  uuid.UUID `json:"criterion_id"`
	Value        int32     `json:"value"`
}

// Comment is a juror's remark on a nomination.
type Comment struct {
	NominationID uuid.UUID `json:"nomination_id"`
	Text         string    `json:"text"`
}

// Recusal excludes a nomination from a juror's ballot.
type Recusal struct {
	NominationID uuid.UUID `json:"nomination_id"`
	Kind         string    `json:"kind"` // HOME_CITY, DECLARED or ABSTAINED
	Reason       string    `json:"reason,omitempty"`
}

// Cast is one cast of a ballot.
type Cast struct {
	ID         uuid.UUID
	Version    int64
	CastTime   time.Time
	BallotHash string
	EventID    int64
	// LeafIndex is the cast's leaf in the audit log, -1 until the integrator appends it.
	LeafIndex int64
}

// Ballot is a juror's own view of their ballot.
type Ballot struct {
	EditionID  uuid.UUID
	Version    int64
	Scores     []Score
	Comments   []Comment
	Recusals   []Recusal
	LastCast   *Cast
	UpdateTime *time.Time
}

// The recusal kinds as the database stores them, and as casts name them (§8 of the specification).
var recusalKinds = map[string]string{"HOME_CITY": verify.RecusedHomeCity, "DECLARED": verify.RecusedDeclared, "ABSTAINED": verify.RecusedAbstained}

// castOf is the cast of a complete ballot (§8): its marks per nomination of the shortlist in the rule's
// criterion order, its recusals, both by nomination id. Its canonical bytes are what the receipt's hash
// covers and what the tally reads.
func (j juror) castOf(b Ballot, requestID uuid.UUID) verify.Cast {
	c := verify.Cast{
		Format: verify.CastFormat, EditionID: j.editionID.String(), JurorID: j.assignment.ID.String(), Version: b.Version,
		RequestID: requestID.String(), RuleSHA256: j.rule.Hash, Marks: []verify.Mark{}, Recusals: []verify.Recusal{},
	}
	marks := map[uuid.UUID][]int{}
	for _, sc := range b.Scores {
		if _, ok := j.nominations[sc.NominationID]; !ok {
			continue // a nomination taken off the shortlist since the draft was saved
		}
		if marks[sc.NominationID] == nil {
			marks[sc.NominationID] = make([]int, len(j.rule.Rule.Criteria))
		}
		marks[sc.NominationID][criterionIndex(j.rule.Rule, sc.CriterionID)] = int(sc.Value)
	}
	for id, values := range marks {
		c.Marks = append(c.Marks, verify.Mark{NominationID: id.String(), Values: values})
	}
	for _, r := range j.sortedRecusals() {
		c.Recusals = append(c.Recusals, verify.Recusal{Kind: recusalKinds[r.Kind], NominationID: r.NominationID.String()})
	}
	slices.SortFunc(c.Marks, func(a, b verify.Mark) int { return strings.Compare(a.NominationID, b.NominationID) })
	return c
}

// juror is everything a ballot operation needs about its juror.
type juror struct {
	assignment   auth.Assignment
	editionID    uuid.UUID
	stage        edition.Stage
	juryDeadline *time.Time
	rule         StoredRule
	// nominations may be the edition's cached shortlist, shared between calls: read it, never write.
	nominations map[uuid.UUID]jurydb.ListEditionNominationsRow
	recusals    map[uuid.UUID]Recusal
}

// newJuror builds a juror's context. homeCities are the cities the juror is recused from as their own:
// their home city and any city they report on as an expert of the edition; conflicts are their declared
// conflicts and abstentions.
func newJuror(a auth.Assignment, editionID uuid.UUID, stage edition.Stage, deadline *time.Time, r StoredRule,
	noms map[uuid.UUID]jurydb.ListEditionNominationsRow, homeCities []uuid.UUID, conflicts []Recusal,
) juror {
	j := juror{assignment: a, editionID: editionID, stage: stage, juryDeadline: deadline, rule: r, nominations: noms, recusals: map[uuid.UUID]Recusal{}}
	for _, n := range noms {
		if slices.Contains(homeCities, n.CityID) {
			j.recusals[n.ID] = Recusal{NominationID: n.ID, Kind: "HOME_CITY"}
		}
	}
	for _, c := range conflicts {
		if _, home := j.recusals[c.NominationID]; !home {
			j.recusals[c.NominationID] = c
		}
	}
	return j
}

// homeCities are the cities a signed-in juror is recused from as their own.
func homeCities(p *auth.Principal, a auth.Assignment) []uuid.UUID {
	cities := []uuid.UUID{a.CityID}
	if e, ok := p.Holds(a.EditionID, auth.RoleExpert); ok && e.CityID != a.CityID {
		cities = append(cities, e.CityID)
	}
	return cities
}

func (j juror) sortedRecusals() []Recusal {
	out := make([]Recusal, 0, len(j.recusals))
	for _, r := range j.recusals {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Recusal) int { return strings.Compare(a.NominationID.String(), b.NominationID.String()) })
	return out
}

// ballotOf is the juror's view of their stored ballot (nil: none yet) and last cast.
func (j juror) ballotOf(stored *jurydb.Ballot, lastCast *Cast) (Ballot, error) {
	b := Ballot{EditionID: j.editionID, Recusals: j.sortedRecusals(), Scores: []Score{}, Comments: []Comment{}, LastCast: lastCast}
	if stored == nil {
		return b, nil
	}
	b.Version, b.UpdateTime = stored.Version, &stored.UpdateTime
	if err := json.Unmarshal(stored.Scores, &b.Scores); err != nil {
		return Ballot{}, fmt.Errorf("stored ballot scores: %w", err)
	}
	if err := json.Unmarshal(stored.Comments, &b.Comments); err != nil {
		return Ballot{}, fmt.Errorf("stored ballot comments: %w", err)
	}
	return b, nil
}

func castFromRow(c jurydb.BallotCast, leafIndex int64) *Cast {
	return &Cast{ID: c.ID, Version: c.Version, CastTime: c.CastTime, BallotHash: c.BallotHash, EventID: c.EventID, LeafIndex: leafIndex}
}

// checkScores validates marks against the rule, the shortlist and the juror's recusals.
func (j juror) checkScores(scores []Score, comments []Comment) error {
	seen := map[[2]uuid.UUID]bool{}
	for i, sc := range scores {
		field := fmt.Sprintf("scores[%d]", i)
		if _, ok := j.nominations[sc.NominationID]; !ok {
			return fault.Invalidf(field+".nomination_id", "is not a nomination of this edition")
		}
		if r, ok := j.recusals[sc.NominationID]; ok {
			return fault.Invalidf(field+".nomination_id", "you do not score this nomination (%s)", strings.ToLower(strings.ReplaceAll(r.Kind, "_", " ")))
		}
		k := criterionIndex(j.rule.Rule, sc.CriterionID)
		if k < 0 {
			return fault.Invalidf(field+".criterion_id", "is not a criterion of this edition's rule")
		}
		c := j.rule.Rule.Criteria[k]
		if int(sc.Value) < c.Min || int(sc.Value) > c.Max {
			return fault.Invalidf(field+".value", "must be between %d and %d", c.Min, c.Max)
		}
		key := [2]uuid.UUID{sc.NominationID, sc.CriterionID}
		if seen[key] {
			return fault.Invalidf(field, "scores this nomination and criterion twice")
		}
		seen[key] = true
	}
	for i, c := range comments {
		if _, ok := j.nominations[c.NominationID]; !ok {
			return fault.Invalidf(fmt.Sprintf("comments[%d].nomination_id", i), "is not a nomination of this edition")
		}
	}
	return nil
}

// votingOpen checks that ballots may change: the round is open and its deadline, if set, has not
// passed by the server's clock.
func votingOpen(j juror, now time.Time) error {
	if j.stage != edition.Jury {
		return fault.Preconditionf("edition_id", "the jury round is closed; the edition is in %s", j.stage)
	}
	if d := j.juryDeadline; d != nil && !now.Before(*d) {
		return fault.Preconditionf("timeline.jury_deadline", "the jury deadline passed at %s", edition.InWarsaw(*d))
	}
	return nil
}

// contextError turns a missing edition into the error edition.Load gives for one.
func contextError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.NotFoundf("edition_id", "no such edition")
	}
	return err
}

// storedBallot is the ballot row the context read, nil when there is none.
func storedBallot(editionID, assignmentID uuid.UUID, c jurydb.GetBallotContextRow) *jurydb.Ballot {
	if c.BallotVersion == 0 || c.BallotUpdateTime == nil {
		return nil
	}
	return &jurydb.Ballot{AssignmentID: assignmentID, EditionID: editionID, Version: c.BallotVersion, Scores: c.BallotScores, Comments: c.BallotComments, UpdateTime: *c.BallotUpdateTime}
}

func lastCastOf(c jurydb.GetBallotContextRow) *Cast {
	if !c.HasLastCast {
		return nil
	}
	return &Cast{ID: c.LastCastID, Version: c.LastCastVersion, CastTime: c.LastCastTime, BallotHash: c.LastCastHash, EventID: c.LastCastEventID, LeafIndex: c.LastCastLeafIndex}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// missing counts the marks a complete ballot still needs.
func (j juror) missing(scores []Score) int {
	have := map[[2]uuid.UUID]bool{}
	for _, sc := range scores {
		have[[2]uuid.UUID{sc.NominationID, sc.CriterionID}] = true
	}
	n := 0
	for id := range j.nominations {
		if _, recused := j.recusals[id]; recused {
			continue
		}
		for _, c := range j.rule.Rule.Criteria {
			if !have[[2]uuid.UUID{id, uuid.MustParse(c.CriterionID)}] {
				n++
			}
		}
	}
	return n
}

func sortedScores(in []Score) []Score {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b Score) int {
		if c := strings.Compare(a.NominationID.String(), b.NominationID.String()); c != 0 {
			return c
		}
		return strings.Compare(a.CriterionID.String(), b.CriterionID.String())
	})
	return out
}
