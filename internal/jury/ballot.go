package jury

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Service implements stage 2.
type Service struct {
	pool  *pgxpool.Pool
	q     *jurydb.Queries
	log   *slog.Logger
	now   func() time.Time
	cache *editionCache
}

// NewService returns the jury service.
func NewService(pool *pgxpool.Pool, log *slog.Logger) *Service {
	return &Service{pool: pool, q: jurydb.New(), log: log, now: time.Now, cache: newEditionCache()}
}

// StageHook freezes the rule when the jury opens (refusing to open without one), computes the tally
// when the round closes, sets jury decisions aside when a closed round reopens, and marks the winners
// when they are announced (refusing while a winning place is tied and the rule leaves it to the jury).
func (s *Service) StageHook() edition.StageHook {
	return edition.StageHook{
		Check: func(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
			if err := checkRuleSet(ctx, tx, e, c); err != nil {
				return err
			}
			return s.checkAnnouncement(ctx, tx, e, c)
		},
		Apply: func(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
			if err := s.freeze(ctx, tx, e, c); err != nil {
				return err
			}
			if err := s.reopen(ctx, tx, e, c); err != nil {
				return err
			}
			if err := s.close(ctx, tx, e, c); err != nil {
				return err
			}
			return s.announce(ctx, tx, e, c)
		},
	}
}

// organiser is the log's actor for an organiser's change (the platform when there is no caller).
func organiser(p *auth.Principal) event.Actor {
	if p == nil {
		return event.Actor{}
	}
	return event.Organiser(p.UserID)
}

func userOf(p *auth.Principal) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return p.UserID
}

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

// loadJuror checks that p is a juror of the edition and loads their context; the edition row is
// share-locked when tx is a transaction, so the round cannot close underneath.
func (s *Service) loadJuror(ctx context.Context, q jurydb.DBTX, p *auth.Principal, editionID uuid.UUID, lock bool) (juror, error) {
	a, ok := p.Holds(editionID, auth.RoleJuror)
	if !ok {
		return juror{}, fault.Deniedf("you are not a juror of this edition")
	}
	return s.loadAssignment(ctx, q, a, homeCities(p, a), lock)
}

// loadAssignment loads the context of the juror assignment a, recused from the home cities given (see
// homeCities); the edition row is share-locked as for loadJuror.
func (s *Service) loadAssignment(ctx context.Context, q jurydb.DBTX, a auth.Assignment, home []uuid.UUID, lock bool) (juror, error) {
	editionID := a.EditionID
	var e edition.Edition
	var err error
	if tx, isTx := q.(pgx.Tx); isTx && lock {
		e, err = edition.LoadForShare(ctx, tx, editionID)
	} else {
		e, err = edition.Load(ctx, q, editionID)
	}
	if err != nil {
		return juror{}, err
	}
	if e.Stage.Index() < edition.Jury.Index() {
		return juror{}, fault.Preconditionf("edition_id", "the jury round has not opened; the edition is in %s", e.Stage)
	}
	r, _, err := loadRule(ctx, q, editionID, false)
	if err != nil {
		return juror{}, err
	}
	rows, err := s.q.ListEditionNominations(ctx, q, editionID)
	if err != nil {
		return juror{}, err
	}
	noms := map[uuid.UUID]jurydb.ListEditionNominationsRow{}
	for _, n := range rows {
		noms[n.ID] = n
	}
	stored, err := s.q.ListConflicts(ctx, q, a.ID)
	if err != nil {
		return juror{}, err
	}
	conflicts := make([]Recusal, 0, len(stored))
	for _, c := range stored {
		conflicts = append(conflicts, Recusal{NominationID: c.NominationID, Kind: c.Kind, Reason: c.Reason})
	}
	return newJuror(a, e.ID, e.Stage, e.Timeline.JuryDeadline, r, noms, home, conflicts), nil
}

func (j juror) sortedRecusals() []Recusal {
	out := make([]Recusal, 0, len(j.recusals))
	for _, r := range j.recusals {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Recusal) int { return strings.Compare(a.NominationID.String(), b.NominationID.String()) })
	return out
}

// Get returns the juror's own ballot.
func (s *Service) Get(ctx context.Context, p *auth.Principal, editionID uuid.UUID) (Ballot, error) {
	j, err := s.loadJuror(ctx, s.pool, p, editionID, false)
	if err != nil {
		return Ballot{}, err
	}
	return s.ballot(ctx, s.pool, j)
}

func (s *Service) ballot(ctx context.Context, q jurydb.DBTX, j juror) (Ballot, error) {
	row, err := s.q.GetBallot(ctx, q, j.assignment.ID)
	var stored *jurydb.Ballot
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Ballot{}, err
	default:
		stored = &row
	}
	var lastCast *Cast
	last, err := s.q.LastCast(ctx, q, j.assignment.ID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Ballot{}, err
	default:
		lastCast = castFromRow(last.BallotCast, last.LeafIndex)
	}
	return j.ballotOf(stored, lastCast)
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

// Save stores the juror's draft. The common case is three statements: the ballot context (one
// query, with the edition's cached shortlist and frozen rule), the write, the commit.
func (s *Service) Save(ctx context.Context, p *auth.Principal, editionID uuid.UUID, expected int64, scores []Score, comments []Comment) (Ballot, error) {
	a, ok := p.Holds(editionID, auth.RoleJuror)
	if !ok {
		return Ballot{}, fault.Deniedf("you are not a juror of this edition")
	}
	var out Ballot
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.q.GetBallotContext(ctx, tx, jurydb.GetBallotContextParams{LockClass: db.EditionLockClass, AssignmentID: a.ID, EditionID: editionID})
		if err != nil {
			return contextError(err)
		}
		j, err := s.jurorOf(ctx, tx, a, homeCities(p, a), editionID, c)
		if err != nil {
			return err
		}
		if err := votingOpen(j, s.now()); err != nil {
			return err
		}
		if c.BallotVersion != expected {
			current, err := j.ballotOf(storedBallot(editionID, a.ID, c), lastCastOf(c))
			if err != nil {
				return err
			}
			return fault.Abortedf(current, "the ballot changed: you edited version %d, it is now at version %d; both versions are in the error detail", expected, c.BallotVersion)
		}
		if err := j.checkScores(scores, comments); err != nil {
			return err
		}
		sb, _ := json.Marshal(orEmpty(scores))
		cb, _ := json.Marshal(orEmpty(comments))
		var row jurydb.Ballot
		if c.BallotVersion > 0 {
			// The version condition makes the update itself the check against a concurrent save
			// (it waits for that save's row lock, then finds the version moved on).
			row, err = s.q.UpdateBallotAt(ctx, tx, jurydb.UpdateBallotAtParams{AssignmentID: a.ID, Expected: expected, Scores: sb, Comments: cb})
			if errors.Is(err, pgx.ErrNoRows) {
				current, err := s.ballot(ctx, tx, j)
				if err != nil {
					return err
				}
				return fault.Abortedf(current, "the ballot changed: you edited version %d, it is now at version %d; both versions are in the error detail", expected, current.Version)
			}
		} else {
			row, err = s.q.InsertBallot(ctx, tx, jurydb.InsertBallotParams{AssignmentID: a.ID, EditionID: editionID, Scores: sb, Comments: cb})
			if errors.Is(err, pgx.ErrNoRows) {
				return fault.Abortedf(nil, "the ballot was created concurrently; reload it")
			}
		}
		if err != nil {
			return err
		}
		out, err = j.ballotOf(&row, lastCastOf(c))
		return err
	})
	return out, err
}

// contextError turns a missing edition into the error edition.Load gives for one.
func contextError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.NotFoundf("edition_id", "no such edition")
	}
	return err
}

// jurorOf builds the juror's context from the ballot context row, the edition's shortlist and its
// frozen rule (both from the cache when the row says they are unchanged).
func (s *Service) jurorOf(ctx context.Context, tx pgx.Tx, a auth.Assignment, homes []uuid.UUID, editionID uuid.UUID, c jurydb.GetBallotContextRow) (juror, error) {
	stage := edition.Stage(c.Stage)
	if stage.Index() < edition.Jury.Index() {
		return juror{}, fault.Preconditionf("edition_id", "the jury round has not opened; the edition is in %s", stage)
	}
	r, err := s.cache.rule(ctx, tx, editionID, c)
	if err != nil {
		return juror{}, err
	}
	noms, err := s.cache.shortlist(ctx, tx, editionID, c)
	if err != nil {
		return juror{}, err
	}
	var conflicts []Recusal
	if err := json.Unmarshal(c.Conflicts, &conflicts); err != nil {
		return juror{}, fmt.Errorf("stored conflicts: %w", err)
	}
	return newJuror(a, editionID, stage, c.JuryDeadline, r, noms, homes, conflicts), nil
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

// TranslationRead is the version of a practice's translation a juror read before casting.
type TranslationRead struct {
	PracticeID uuid.UUID
	Language   string
	Version    int64
}

// checkReads validates what a juror says they read: translations of the shortlist's practices, each
// once, at a version that exists (the current one or an earlier).
func (s *Service) checkReads(ctx context.Context, tx pgx.Tx, j juror, reads []TranslationRead) error {
	if len(reads) == 0 {
		return nil
	}
	onShortlist := map[uuid.UUID]bool{}
	for _, n := range j.nominations {
		onShortlist[n.PracticeID] = true
	}
	ids := make([]uuid.UUID, 0, len(reads))
	for _, r := range reads {
		ids = append(ids, r.PracticeID)
	}
	rows, err := s.q.TranslationVersions(ctx, tx, ids)
	if err != nil {
		return err
	}
	current := map[[2]string]int64{}
	for _, r := range rows {
		current[[2]string{r.PracticeID.String(), r.Language}] = r.Version
	}
	seen := map[[2]string]bool{}
	for i, r := range reads {
		field := fmt.Sprintf("translations_read[%d]", i)
		k := [2]string{r.PracticeID.String(), r.Language}
		switch {
		case !onShortlist[r.PracticeID]:
			return fault.Invalidf(field+".practice_id", "is not a practice on the shortlist")
		case seen[k]:
			return fault.Invalidf(field, "names this practice and language twice")
		case r.Version > current[k]:
			return fault.Invalidf(field+".version", "the practice's translation into %s has no version %d", r.Language, r.Version)
		}
		seen[k] = true
	}
	return nil
}

// CastBallot casts the current draft, recording the translations the juror read (kept for the
// organisers, never in the log). A retry with the same request id returns the first result.
// The common case is the ballot context (one query, which also finds a retry's first cast), the
// event, the cast and the commit.
func (s *Service) CastBallot(ctx context.Context, p *auth.Principal, editionID uuid.UUID, expected int64, requestID uuid.UUID, reads []TranslationRead) (Cast, error) {
	a, ok := p.Holds(editionID, auth.RoleJuror)
	if !ok {
		return Cast{}, fault.Deniedf("you are not a juror of this edition")
	}
	var out Cast
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.q.GetBallotContext(ctx, tx, jurydb.GetBallotContextParams{LockClass: db.EditionLockClass, AssignmentID: a.ID, RequestID: requestID, EditionID: editionID})
		if err != nil {
			return contextError(err)
		}
		if c.HasRequestCast { // a retry: the first result, whatever happened since
			out = Cast{ID: c.RequestCastID, Version: c.RequestCastVersion, CastTime: c.RequestCastTime, BallotHash: c.RequestCastHash, EventID: c.RequestCastEventID, LeafIndex: c.RequestCastLeafIndex}
			return nil
		}
		j, err := s.jurorOf(ctx, tx, a, homeCities(p, a), editionID, c)
		if err != nil {
			return err
		}
		if err := votingOpen(j, s.now()); err != nil {
			return err
		}
		b, err := j.ballotOf(storedBallot(editionID, a.ID, c), lastCastOf(c))
		if err != nil {
			return err
		}
		if b.Version == 0 {
			return fault.Preconditionf("expected_version", "save your scores before casting")
		}
		if b.Version != expected {
			return fault.Abortedf(b, "the ballot changed: you cast version %d, it is now at version %d", expected, b.Version)
		}
		if missing := j.missing(b.Scores); missing > 0 {
			return fault.Preconditionf("scores", "%d marks are missing: score every criterion of every nomination you are not recused from", missing)
		}
		if err := s.checkReads(ctx, tx, j, reads); err != nil {
			return err
		}
		cast := j.castOf(b, requestID)
		body, err := canon.Encode(cast)
		if err != nil {
			return err
		}
		id, h := uuid.New(), verify.Hash(body)
		eventID, err := event.Append(ctx, tx, event.Event{Kind: event.BallotCast, EditionID: editionID, Actor: event.Juror(j.assignment.ID), UserID: p.UserID, Payload: struct {
			CastID     uuid.UUID `json:"cast_id"`
			Version    int64     `json:"version"`
			RequestID  uuid.UUID `json:"request_id"`
			RuleSHA256 string    `json:"rule_sha256"`
			BallotHash string    `json:"ballot_sha256"`
		}{id, b.Version, requestID, j.rule.Hash, h}})
		if err != nil {
			return err
		}
		row, err := s.q.InsertCast(ctx, tx, jurydb.InsertCastParams{
			ID: id, EditionID: editionID, AssignmentID: j.assignment.ID, RequestID: requestID,
			Version: b.Version, Content: body, BallotHash: h, EventID: eventID,
		})
		if err != nil {
			return err
		}
		for _, r := range reads {
			if err := s.q.InsertCastRead(ctx, tx, jurydb.InsertCastReadParams{CastID: id, PracticeID: r.PracticeID, Language: r.Language, Version: r.Version}); err != nil {
				return err
			}
		}
		out = *castFromRow(row, -1) // integrated into the audit log shortly after commit
		return nil
	})
	if _, dup := db.IsUniqueViolation(err); dup { // a concurrent retry of the same request won
		prev, err := s.q.GetCastByRequest(ctx, s.pool, jurydb.GetCastByRequestParams{AssignmentID: a.ID, RequestID: requestID})
		if err != nil {
			return Cast{}, err
		}
		return *castFromRow(prev.BallotCast, prev.LeafIndex), nil
	}
	return out, err
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

// DeclareConflict recuses the juror from a nomination; any draft marks for it are dropped.
func (s *Service) DeclareConflict(ctx context.Context, p *auth.Principal, editionID, nominationID uuid.UUID, reason string) (Recusal, error) {
	return s.stepAside(ctx, p, editionID, nominationID, reason, "DECLARED", event.ConflictDeclared)
}

// Abstain takes the juror out of a nomination's tally as an abstention; any draft marks for it are
// dropped.
func (s *Service) Abstain(ctx context.Context, p *auth.Principal, editionID, nominationID uuid.UUID, reason string) (Recusal, error) {
	return s.stepAside(ctx, p, editionID, nominationID, reason, "ABSTAINED", event.Abstained)
}

// stepAside records a declared conflict or an abstention: the juror no longer scores the nomination.
func (s *Service) stepAside(ctx context.Context, p *auth.Principal, editionID, nominationID uuid.UUID, reason, kind string, ev event.Kind) (Recusal, error) {
	var out Recusal
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		j, err := s.loadJuror(ctx, tx, p, editionID, true)
		if err != nil {
			return err
		}
		if err := votingOpen(j, s.now()); err != nil {
			return err
		}
		if _, ok := j.nominations[nominationID]; !ok {
			return fault.NotFoundf("nomination_id", "no such nomination in this edition")
		}
		if r, ok := j.recusals[nominationID]; ok {
			return fault.Existsf("nomination_id", "you are recused from this nomination already (%s)", strings.ToLower(r.Kind))
		}
		if _, err := s.q.InsertConflict(ctx, tx, jurydb.InsertConflictParams{AssignmentID: j.assignment.ID, NominationID: nominationID, Reason: reason, Kind: kind}); err != nil {
			return err
		}
		b, err := s.ballot(ctx, tx, j)
		if err != nil {
			return err
		}
		if b.Version > 0 {
			kept := slices.DeleteFunc(b.Scores, func(sc Score) bool { return sc.NominationID == nominationID })
			sb, _ := json.Marshal(orEmpty(kept))
			cb, _ := json.Marshal(orEmpty(b.Comments))
			if _, err := s.q.UpdateBallot(ctx, tx, jurydb.UpdateBallotParams{AssignmentID: j.assignment.ID, Scores: sb, Comments: cb}); err != nil {
				return err
			}
		}
		out = Recusal{NominationID: nominationID, Kind: kind, Reason: reason}
		// The reason is for the organisers: the public log carries a commitment to it.
		commitment, err := event.Commit(ctx, tx, reason)
		if err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{Kind: ev, EditionID: editionID, Actor: event.Juror(j.assignment.ID), UserID: p.UserID, Payload: struct {
			NominationID     uuid.UUID `json:"nomination_id"`
			ReasonCommitment string    `json:"reason_commitment"`
		}{nominationID, commitment}})
		return err
	})
	return out, err
}
