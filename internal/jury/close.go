package jury

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

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
		for _, m := range cast.Marks {
			if n := noms[m.NominationID]; n != nil {
				n.Vectors = append(n.Vectors, m.Values)
			}
		}
		for _, rc := range cast.Recusals {
			if n := noms[rc.NominationID]; n != nil {
				countRecusal(&n.Recusals, rc.Kind)
			}
		}
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
	_, err = event.Append(ctx, tx, event.Event{Kind: event.ResultsAnnounced, EditionID: e.ID, Payload: struct {
		TallyHash string      `json:"tally_sha256"`
		Winners   []uuid.UUID `json:"winners"`
	}{t.Hash, winners}})
	return err
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
