// Package jury owns stage 2: the tally rule (fixed before the jury round opens), jurors' ballots with
// automatic and declared recusals, casting with receipts, jury progress without scores, closing the
// round into an exact tally, the announcement and the public results.
package jury

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
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
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Service implements stage 2.
type Service struct {
	pool  *pgxpool.Pool
	q     *jurydb.Queries
	log   *slog.Logger
	now   func() time.Time
	cache *editionCache
	// onCast runs in every cast's transaction (the receipt mail).
	onCast []CastHook
}

// CastHook runs in the transaction of a juror's cast, once per cast (not for a retried request).
type CastHook func(ctx context.Context, tx pgx.Tx, editionID, assignmentID uuid.UUID, c Cast) error

// OnCast adds a hook every cast runs; set up before serving.
func (s *Service) OnCast(h CastHook) { s.onCast = append(s.onCast, h) }

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
		Warn: s.warn,
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

// A juror's ballot: their context (rule, shortlist, recusals), drafts, casts and stepping aside.

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
		for _, h := range s.onCast {
			if err := h(ctx, tx, editionID, j.assignment.ID, out); err != nil {
				return err
			}
		}
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

// What the edition cache reads, when the edition or its rule changed since it last did.

// rule returns the edition's rule, from the cache when c shows the cached frozen rule is current.
func (ec *editionCache) rule(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, c jurydb.GetBallotContextRow) (StoredRule, error) {
	if c.RuleFrozen {
		ec.mu.Lock()
		hit, ok := ec.rules[editionID]
		ec.mu.Unlock()
		if ok && hit.version == c.RuleVersion && hit.hash == c.RuleHash {
			return hit.rule, nil
		}
	}
	r, _, err := loadRule(ctx, tx, editionID, false)
	if err != nil {
		return StoredRule{}, err
	}
	if r.Frozen && r.Version == c.RuleVersion && r.Hash == c.RuleHash {
		ec.mu.Lock()
		ec.rules[editionID] = cachedRule{version: r.Version, hash: r.Hash, rule: r}
		ec.mu.Unlock()
	}
	return r, nil
}

// shortlist returns the edition's nominations by id, from the cache when the edition row is the
// version the cached list was read under. The map is shared: callers must not change it.
func (ec *editionCache) shortlist(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, c jurydb.GetBallotContextRow) (map[uuid.UUID]jurydb.ListEditionNominationsRow, error) {
	at := editionVersion{xmin: c.EditionXmin, updated: c.EditionUpdateTime.UnixMicro()}
	ec.mu.Lock()
	hit, ok := ec.shortlists[editionID]
	ec.mu.Unlock()
	if ok && hit.at == at {
		return hit.nominations, nil
	}
	rows, err := jurydb.New().ListEditionNominations(ctx, tx, editionID)
	if err != nil {
		return nil, err
	}
	noms := make(map[uuid.UUID]jurydb.ListEditionNominationsRow, len(rows))
	for _, n := range rows {
		noms[n.ID] = n
	}
	ec.mu.Lock()
	ec.shortlists[editionID] = cachedShortlist{at: at, nominations: noms}
	ec.mu.Unlock()
	return noms, nil
}

// Progress, for organisers, and the shortlist as a juror sees it.

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
		jp := JurorProgress{AssignmentID: jr.ID, DisplayName: jr.DisplayName, RevokeTime: jr.RevokeTime}
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
			if total == 0 {
				continue // nothing to score in it: neither cast nor missing
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

// The tally rule: set and replaced before the jury opens, frozen when it opens.

func loadRule(ctx context.Context, q jurydb.DBTX, editionID uuid.UUID, lock bool) (StoredRule, bool, error) {
	get := jurydb.New().GetTallyRule
	if lock {
		get = jurydb.New().GetTallyRuleForUpdate
	}
	row, err := get(ctx, q, editionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return StoredRule{}, false, nil
	}
	if err != nil {
		return StoredRule{}, false, err
	}
	var r verify.Rule
	if err := json.Unmarshal(row.Rule, &r); err != nil {
		return StoredRule{}, false, fmt.Errorf("stored tally rule: %w", err)
	}
	return StoredRule{Rule: r, Version: row.Version, Frozen: row.Frozen, Hash: row.RuleHash}, true, nil
}

// GetRule returns an edition's rule: to organisers always, to everyone else once the jury round has
// opened (the rule is public before the votes are).
func (s *Service) GetRule(ctx context.Context, viewer *auth.Principal, editionID uuid.UUID) (StoredRule, error) {
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return StoredRule{}, err
	}
	organiser := viewer != nil && viewer.Organiser
	if !organiser && e.Stage.Index() < edition.Jury.Index() {
		if e.Stage == edition.Draft {
			return StoredRule{}, fault.NotFoundf("edition_id", "no such edition")
		}
		return StoredRule{}, fault.Deniedf("the tally rule is published when the jury round opens")
	}
	r, ok, err := loadRule(ctx, s.pool, editionID, false)
	if err != nil {
		return StoredRule{}, err
	}
	if !ok {
		return StoredRule{}, fault.NotFoundf("edition_id", "the edition has no tally rule yet")
	}
	return r, nil
}

// SetRule replaces an edition's rule until the jury round opens.
func (s *Service) SetRule(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, r verify.Rule, expected int64) (StoredRule, error) {
	var out StoredRule
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := edition.LoadForShare(ctx, tx, editionID)
		if err != nil {
			return err
		}
		cur, exists, err := loadRule(ctx, tx, editionID, true)
		if err != nil {
			return err
		}
		if cur.Frozen || e.Stage.Index() >= edition.Jury.Index() {
			return fault.Preconditionf("edition_id", "the tally rule is frozen: it was fixed when the jury round opened")
		}
		if expected != cur.Version || !exists && expected != 0 {
			return fault.Abortedf(nil, "the tally rule changed: you edited version %d, it is now at version %d", expected, cur.Version)
		}
		crits, err := edition.Criteria(ctx, tx, editionID)
		if err != nil {
			return err
		}
		if err := normaliseRule(&r, crits); err != nil {
			return err
		}
		body, h, err := canonicalRule(r)
		if err != nil {
			return err
		}
		row, err := s.q.UpsertTallyRule(ctx, tx, jurydb.UpsertTallyRuleParams{EditionID: editionID, Rule: body})
		if err != nil {
			return err
		}
		out = StoredRule{Rule: r, Version: row.Version}
		_, err = event.Append(ctx, tx, event.Event{Kind: event.TallyRuleSet, EditionID: editionID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: struct {
			Version  int64  `json:"version"`
			RuleHash string `json:"rule_sha256"`
		}{row.Version, h}})
		return err
	})
	return out, err
}

// freeze fixes the rule as the jury round opens, inside the stage-change transaction.
func (s *Service) freeze(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Jury || e.Stage != edition.Review {
		return nil
	}
	r, ok, err := loadRule(ctx, tx, e.ID, true)
	if err != nil || !ok || r.Frozen {
		return err
	}
	_, h, err := canonicalRule(r.Rule)
	if err != nil {
		return err
	}
	if _, err := s.q.FreezeTallyRule(ctx, tx, jurydb.FreezeTallyRuleParams{EditionID: e.ID, RuleHash: h}); err != nil {
		return err
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: event.TallyRuleFrozen, EditionID: e.ID, Payload: struct {
		RuleHash string `json:"rule_sha256"`
	}{h}})
	return err
}

// checkRuleSet refuses to open the jury round without a rule.
func checkRuleSet(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Jury {
		return nil
	}
	stored, ok, err := loadRule(ctx, tx, e.ID, false)
	if err != nil {
		return err
	}
	if !ok {
		return fault.Preconditionf("stage", "set the tally rule (ResultsService.SetTallyRule) before the jury round opens")
	}
	// Jurors read the scale's labels in their language: each needs every one of the edition's.
	var missing edition.MissingTexts
	for _, c := range stored.Rule.Criteria {
		labels := map[int]map[string]string{}
		for _, l := range c.Labels {
			labels[l.Value] = l.Text
		}
		id, err := uuid.Parse(c.CriterionID)
		if err != nil {
			return err
		}
		missing = append(missing, edition.MissingLabels(e, id, labels)...)
	}
	if len(missing) > 0 {
		return edition.MissingFault(missing)
	}
	return nil
}

// warn names, before the round closes, the jurors who have not cast (their ballots would not count),
// and, before the announcement, the categories the tally gives no winner.
func (s *Service) warn(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) ([]edition.Warning, error) {
	var out []edition.Warning
	switch c.Target {
	case edition.Tallied:
		rows, err := s.q.JurorsNotCast(ctx, tx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, edition.Warning{Type: edition.WarnNotCast, Subject: r.ID.String(), Name: r.DisplayName})
		}
	case edition.Announced:
		t, err := s.compute(ctx, tx, e.ID)
		if err != nil {
			return nil, err
		}
		won := map[string]bool{}
		for _, cr := range t.Result.Categories {
			for _, n := range cr.Nominations {
				if n.Winner {
					won[cr.CategoryID] = true
				}
			}
		}
		cats, err := edition.Categories(ctx, tx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, cat := range cats {
			if !won[cat.ID.String()] {
				out = append(out, edition.Warning{Type: edition.WarnNoWinner, Subject: cat.ID.String(), Name: fmt.Sprintf("%d. %s", cat.Number, cat.NamePL)})
			}
		}
	}
	return out, nil
}

// The tally: computed when the round closes and recorded, set aside by a reopening, checked at the
// announcement, and re-ranked by the jury's decisions.

// compute tallies an edition as the specification does (§9): its frozen rule, its categories, its
// shortlist, each juror's counted cast, and the jury decisions in force. It is deterministic: the same
// casts give the same bytes, which is what the log's hashes and the verifier check.
func (s *Service) compute(ctx context.Context, q jurydb.DBTX, editionID uuid.UUID, extra ...Decision) (Tally, error) {
	r, ok, err := loadRule(ctx, q, editionID, false)
	if err != nil {
		return Tally{}, err
	}
	if !ok {
		return Tally{}, fault.Preconditionf("edition_id", "the edition has no tally rule")
	}
	rule, err := r.Rule.Engine()
	if err != nil {
		return Tally{}, err
	}
	in := tally.Input{Rule: rule}
	cats, err := edition.Categories(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, c := range cats {
		in.Categories = append(in.Categories, tally.Category{ID: c.ID.String(), Number: int(c.Number)})
	}
	rows, err := s.q.ListEditionNominations(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	noms := map[string]*tally.Nomination{}
	for _, n := range rows {
		noms[n.ID.String()] = &tally.Nomination{ID: n.ID.String(), CategoryID: n.CategoryID.String(), Vectors: [][]int{}}
	}
	t := Tally{Rule: r, Counted: map[string]verify.Cast{}, Jurors: map[string]JurorInfo{}}
	jurors, err := s.q.ListJurors(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, j := range jurors {
		t.Jurors[j.ID.String()] = JurorInfo{DisplayName: j.DisplayName, Pseudonym: j.Pseudonym, HomeCity: j.CityName}
	}
	casts, err := s.q.CountedCasts(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, c := range casts {
		var cast verify.Cast
		if err := json.Unmarshal(c.Content, &cast); err != nil {
			return Tally{}, fmt.Errorf("cast %s: %w", c.ID, err)
		}
		t.Counted[c.AssignmentID.String()] = cast
		countCast(cast, noms, func(n *tally.Nomination) (*[][]int, *tally.Recusals) { return &n.Vectors, &n.Recusals })
	}
	for _, n := range noms {
		in.Nominations = append(in.Nominations, *n)
	}
	decisions, err := s.q.ListJuryDecisions(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, d := range decisions {
		t.Decisions = append(t.Decisions, Decision{CategoryID: d.CategoryID, Nominations: d.NominationIds, Reason: d.Reason, RecordTime: d.CreateTime})
	}
	t.Decisions = append(t.Decisions, extra...)
	for _, d := range t.Decisions {
		dec := tally.Decision{CategoryID: d.CategoryID.String()}
		for _, id := range d.Nominations {
			dec.Order = append(dec.Order, id.String())
		}
		in.Decisions = append(in.Decisions, dec)
	}
	if t.Result, err = tally.Compute(in); err != nil {
		return Tally{}, fmt.Errorf("tally: %w", err)
	}
	t.Canonical = tally.Canonical(t.Result)
	t.Hash = verify.Hash(t.Canonical)
	return t, nil
}

// record stores a tally computed at a close or after a jury decision: as the edition's current tally
// and in its history, under the event that logged it.
func (s *Service) record(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, eventID int64, kind string, t Tally) error {
	if err := s.q.UpsertTally(ctx, tx, jurydb.UpsertTallyParams{EditionID: editionID, Result: t.Canonical, TallyHash: t.Hash}); err != nil {
		return err
	}
	return s.q.InsertTallyHistory(ctx, tx, jurydb.InsertTallyHistoryParams{EditionID: editionID, EventID: eventID, Kind: kind, Result: t.Canonical, TallyHash: t.Hash})
}

// close computes and records the tally as the round closes (JURY → TALLIED), in the stage-change
// transaction: a cast committed before it counts, one after it finds the round closed.
func (s *Service) close(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Tallied || e.Stage != edition.Jury {
		return nil
	}
	t, err := s.compute(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	id, err := event.Append(ctx, tx, event.Event{Kind: event.TallyComputed, EditionID: e.ID, Payload: struct {
		TallyHash string `json:"tally_sha256"`
		RuleHash  string `json:"rule_sha256"`
		Ballots   int    `json:"ballots"`
	}{t.Hash, t.Rule.Hash, len(t.Counted)}})
	if err != nil {
		return err
	}
	return s.record(ctx, tx, e.ID, id, "COMPUTED", t)
}

// reopen sets the jury decisions aside when a closed round is reopened (TALLIED → JURY): they settled
// ties of a tally that the next close replaces. They stay in the log, and the earlier tallies in the
// history.
func (s *Service) reopen(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if e.Stage != edition.Tallied || c.Target != edition.Jury {
		return nil
	}
	return s.q.SupersedeJuryDecisions(ctx, tx, e.ID)
}

// checkAnnouncement refuses to announce results with a tie at a winning place that the rule leaves to
// the jury and the jury has not decided.
func (s *Service) checkAnnouncement(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Announced {
		return nil
	}
	t, err := s.compute(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	texts, err := s.Texts(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	if stale := staleJustifications(texts, t.Result.Winners()); len(stale) > 0 {
		return fault.Preconditionf("stage", "remove the justifications of nominations that are no longer distinguished before the announcement (ResultsService.SetDistinctionJustification with no text): %s", strings.Join(stale, ", "))
	}
	rule, err := t.Rule.Rule.Engine()
	if err != nil {
		return err
	}
	if !rule.HasJuryDecision() {
		return nil
	}
	cats, err := edition.Categories(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	var open []string
	for _, tie := range t.Result.UnresolvedTies() {
		if tie.Rank > rule.Winners {
			continue
		}
		number := ""
		for _, c := range cats {
			if c.ID.String() == tie.CategoryID {
				number = fmt.Sprint(c.Number)
			}
		}
		open = append(open, fmt.Sprintf("category %s, place %d (%d nominations)", number, tie.Rank, len(tie.Members)))
	}
	if len(open) > 0 {
		return fault.Preconditionf("stage", "the jury must decide the ties at winning places before the announcement (ResultsService.RecordJuryDecision): %s", strings.Join(open, "; "))
	}
	return nil
}

// announce marks the winners distinguished (the next edition's reports follow them up) as the results
// become public (TALLIED → ANNOUNCED). The tally is recomputed and must match the one stored.
func (s *Service) announce(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Announced {
		return nil
	}
	t, err := s.compute(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	stored, err := s.q.GetTally(ctx, tx, e.ID)
	if err != nil {
		return fmt.Errorf("stored tally: %w", err)
	}
	if stored.TallyHash != t.Hash {
		return fmt.Errorf("the tally recomputed at announcement (%s) differs from the one stored (%s)", t.Hash, stored.TallyHash)
	}
	winners := []uuid.UUID{}
	for _, w := range t.Result.Winners() {
		winners = append(winners, uuid.MustParse(w))
	}
	if err := s.q.MarkDistinguished(ctx, tx, jurydb.MarkDistinguishedParams{EditionID: e.ID, WinnerIds: winners}); err != nil {
		return err
	}
	// The jury's texts in force go into the announcement's record, so that the log commits to the
	// texts the results publish (checkAnnouncement made sure each justification is a winner's).
	texts, err := s.Texts(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	justifications := []announcedJustification{}
	for _, id := range slices.Sorted(maps.Keys(texts.Justifications)) {
		justifications = append(justifications, announcedJustification{id, texts.Justifications[id]})
	}
	var recommendations map[string]string
	if len(texts.Recommendations) > 0 {
		recommendations = texts.Recommendations
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: event.ResultsAnnounced, EditionID: e.ID, Payload: struct {
		Justifications  []announcedJustification `json:"justifications"`
		Recommendations map[string]string        `json:"recommendations,omitempty"`
		TallyHash       string                   `json:"tally_sha256"`
		Winners         []uuid.UUID              `json:"winners"`
	}{justifications, recommendations, t.Hash, winners}})
	return err
}

// announcedJustification is a justification as results.announced records it (§6 of the
// specification).
type announcedJustification struct {
	NominationID string            `json:"nomination_id"`
	Text         map[string]string `json:"text"`
}

// GetTally returns the tally once the round is closed.
func (s *Service) GetTally(ctx context.Context, editionID uuid.UUID) (Tally, edition.Edition, error) {
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return Tally{}, edition.Edition{}, err
	}
	if e.Stage.Index() < edition.Tallied.Index() {
		return Tally{}, e, fault.Preconditionf("edition_id", "the tally exists once the jury round closes; the edition is in %s", e.Stage)
	}
	t, err := s.compute(ctx, s.pool, editionID)
	return t, e, err
}

// RecordDecision records the jury's order for one tie that every other step of the rule left
// unresolved, and recomputes the tally with it, while the edition is TALLIED. Several ties of one
// category are decided one by one; a decided tie cannot be decided again.
func (s *Service) RecordDecision(ctx context.Context, actor *auth.Principal, editionID, categoryID uuid.UUID, order []uuid.UUID, reason string) (Tally, error) {
	var out Tally
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := edition.LoadForUpdate(ctx, tx, editionID)
		if err != nil {
			return err
		}
		if e.Stage != edition.Tallied {
			return fault.Preconditionf("edition_id", "jury decisions are recorded after the round closes and before the announcement; the edition is in %s", e.Stage)
		}
		before, err := s.compute(ctx, tx, editionID)
		if err != nil {
			return err
		}
		if !slices.Contains(before.Rule.Rule.TieBreaks, string(tally.JuryDecision)) {
			return fault.Preconditionf("edition_id", "the tally rule does not break ties by jury decision")
		}
		inCategory := map[string]bool{}
		for _, c := range before.Result.Categories {
			for _, n := range c.Nominations {
				inCategory[n.NominationID] = c.CategoryID == categoryID.String()
			}
		}
		listed := make([]string, len(order))
		for i, id := range order {
			if !inCategory[id.String()] {
				return fault.Invalidf(fmt.Sprintf("nomination_ids[%d]", i), "is not a nomination of this category")
			}
			listed[i] = id.String()
		}
		slices.Sort(listed)
		var ties []string
		found := false
		for _, tie := range before.Result.UnresolvedTies() {
			if tie.CategoryID != categoryID.String() {
				continue
			}
			members := slices.Clone(tie.Members)
			slices.Sort(members)
			found = found || slices.Equal(members, listed)
			ties = append(ties, fmt.Sprintf("place %d: %s", tie.Rank, strings.Join(tie.Members, ", ")))
		}
		if !found {
			if len(ties) == 0 {
				return fault.Invalidf("category_id", "the category has no tie left for the jury to decide")
			}
			return fault.Invalidf("nomination_ids", "must list exactly the nominations of one unresolved tie of the category (%s)", strings.Join(ties, "; "))
		}
		d := Decision{CategoryID: categoryID, Nominations: order, Reason: reason}
		if out, err = s.compute(ctx, tx, editionID, d); err != nil {
			return err
		}
		id, err := event.Append(ctx, tx, event.Event{Kind: event.JuryDecided, EditionID: editionID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: struct {
			CategoryID uuid.UUID   `json:"category_id"`
			Order      []uuid.UUID `json:"nomination_ids"`
			Reason     string      `json:"reason"`
			TallyHash  string      `json:"tally_sha256"`
		}{categoryID, order, reason, out.Hash}})
		if err != nil {
			return err
		}
		if err := s.q.InsertJuryDecision(ctx, tx, jurydb.InsertJuryDecisionParams{EditionID: editionID, CategoryID: categoryID, NominationIds: order, Reason: reason, EventID: id}); err != nil {
			return err
		}
		return s.record(ctx, tx, editionID, id, "DECISION", out)
	})
	return out, err
}

// The results as ResultsService shows them.

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
	if v.Texts, err = s.Texts(ctx, s.pool, editionID); err != nil {
		return Results{}, err
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

// The jury's part of an edition's audit bundle (auditlog.Disclosures): the frozen rule, the casts,
// the recorded tallies and, under the aggregates setting, the anonymous marks.

// EditionForYear returns an edition's id, its publication setting as the specification names it, and
// whether it is still a draft (which publishes nothing).
func (s *Service) EditionForYear(ctx context.Context, year int32) (uuid.UUID, string, bool, error) {
	id, err := edition.IDForYear(ctx, s.pool, year)
	if err != nil {
		return uuid.Nil, "", false, err
	}
	e, err := edition.Load(ctx, s.pool, id)
	if err != nil {
		return uuid.Nil, "", false, err
	}
	return id, e.BallotPublication.Spec(), e.Stage == edition.Draft, nil
}

// FrozenRule returns the edition's rule in the canonical encoding its hash covers.
func (s *Service) FrozenRule(ctx context.Context, editionID uuid.UUID) ([]byte, error) {
	r, ok, err := loadRule(ctx, s.pool, editionID, false)
	if err != nil {
		return nil, err
	}
	if !ok || !r.Frozen {
		return nil, fmt.Errorf("edition %s: no frozen rule", editionID)
	}
	body, _, err := canonicalRule(r.Rule)
	return body, err
}

// Casts returns the canonical content of the casts of the listed events, by event id.
func (s *Service) Casts(ctx context.Context, editionID uuid.UUID, eventIDs []int64) (map[int64][]byte, error) {
	rows, err := s.q.CastsByEvent(ctx, s.pool, jurydb.CastsByEventParams{EditionID: editionID, EventIds: eventIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.EventID] = r.Content
	}
	return out, nil
}

// Tally returns the canonical tally recorded with an event (a close or a jury decision).
func (s *Service) Tally(ctx context.Context, editionID uuid.UUID, eventID int64) ([]byte, error) {
	return s.q.TallyOfEvent(ctx, s.pool, jurydb.TallyOfEventParams{EditionID: editionID, EventID: eventID})
}

// Marks returns the anonymous marks of the casts counted at the edition's last close (§10 of the
// specification): per nomination of the shortlist, the counted jurors' mark vectors in order and the
// recusals by kind, nothing that tells whose they are.
func (s *Service) Marks(ctx context.Context, editionID uuid.UUID, _ int64) ([]verify.MarksEntry, error) {
	t, err := s.compute(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	byNom := map[string]*verify.MarksEntry{}
	rows, err := s.q.ListEditionNominations(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	for _, n := range rows {
		byNom[n.ID.String()] = &verify.MarksEntry{NominationID: n.ID.String(), Vectors: [][]int{}}
	}
	for _, c := range t.Counted {
		countCast(c, byNom, func(e *verify.MarksEntry) (*[][]int, *tally.Recusals) { return &e.Vectors, &e.Recusals })
	}
	out := make([]verify.MarksEntry, 0, len(byNom))
	for _, e := range byNom {
		slices.SortFunc(e.Vectors, verify.CompareVectors)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b verify.MarksEntry) int { return strings.Compare(a.NominationID, b.NominationID) })
	return out, nil
}
