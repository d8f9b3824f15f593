package jury

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/tally"
)

// Tally is an edition's computed result with what it was computed from.
type Tally struct {
	Rule   StoredRule
	Result tally.Result
	Hash   string
	// Jurors maps a juror key (assignment id) to the juror as ballots are published.
	Jurors map[string]JurorInfo
	// Ballots are the casts that counted, by juror key.
	Ballots map[string]castContent
}

// JurorInfo is a juror as the results show them.
type JurorInfo struct {
	DisplayName string
	Pseudonym   string
	HomeCity    string
}

// compute tallies an edition from its frozen rule and each juror's last cast. It is deterministic:
// the same casts give the same bytes, which is what the stored hash and the audit verifier check.
func (s *Service) compute(ctx context.Context, q jurydb.DBTX, editionID uuid.UUID) (Tally, error) {
	r, ok, err := loadRule(ctx, q, editionID, false)
	if err != nil {
		return Tally{}, err
	}
	if !ok {
		return Tally{}, fault.Preconditionf("edition_id", "the edition has no tally rule")
	}
	rule, err := r.Rule.engine()
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
	noms, err := s.q.ListEditionNominations(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, n := range noms {
		in.Nominations = append(in.Nominations, tally.Nomination{ID: n.ID.String(), CategoryID: n.CategoryID.String()})
	}
	jurors, err := s.q.ListJurors(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	t := Tally{Rule: r, Jurors: map[string]JurorInfo{}, Ballots: map[string]castContent{}}
	for _, j := range jurors {
		t.Jurors[j.ID.String()] = JurorInfo{DisplayName: j.DisplayName, Pseudonym: j.Pseudonym, HomeCity: j.CityName}
	}
	casts, err := s.q.LastCasts(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, c := range casts {
		var content castContent
		if err := json.Unmarshal(c.Content, &content); err != nil {
			return Tally{}, fmt.Errorf("cast %s: %w", c.ID, err)
		}
		t.Ballots[c.AssignmentID.String()] = content
		in.Ballots = append(in.Ballots, content.ballot())
	}
	decisions, err := s.q.ListJuryDecisions(ctx, q, editionID)
	if err != nil {
		return Tally{}, err
	}
	for _, d := range decisions {
		dec := tally.Decision{CategoryID: d.CategoryID.String()}
		for _, id := range d.NominationIds {
			dec.Order = append(dec.Order, id.String())
		}
		in.Decisions = append(in.Decisions, dec)
	}
	t.Result, err = tally.Compute(in)
	if err != nil {
		return Tally{}, fmt.Errorf("tally: %w", err)
	}
	t.Hash = hashOf(tally.Canonical(t.Result))
	return t, nil
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
	if err := s.q.UpsertTally(ctx, tx, jurydb.UpsertTallyParams{EditionID: e.ID, Result: tally.Canonical(t.Result), TallyHash: t.Hash}); err != nil {
		return err
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: event.TallyComputed, EditionID: e.ID, Payload: struct {
		TallyHash string `json:"tally_sha256"`
		RuleHash  string `json:"rule_sha256"`
		Ballots   int    `json:"ballots"`
	}{t.Hash, t.Rule.Hash, len(t.Ballots)}})
	return err
}

// announce marks the winners distinguished (the next edition's reports follow them up) as the results
// become public (TALLIED → ANNOUNCED). The tally is recomputed and must match the one stored at close.
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
		return fmt.Errorf("the tally recomputed at announcement (%s) differs from the one stored at close (%s)", t.Hash, stored.TallyHash)
	}
	var winners []uuid.UUID
	for _, cat := range t.Result.Categories {
		for _, n := range cat.Nominations {
			if n.Winner {
				winners = append(winners, uuid.MustParse(n.NominationID))
			}
		}
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

// RecordDecision records the jury's order for tied nominations of a category and recomputes the
// tally with it, while the edition is TALLIED (before the announcement).
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
		r, _, err := loadRule(ctx, tx, editionID, false)
		if err != nil {
			return err
		}
		if !slices.Contains(r.Rule.TieBreaks, "JURY_DECISION") {
			return fault.Preconditionf("edition_id", "the tally rule does not break ties by jury decision")
		}
		noms, err := s.q.ListEditionNominations(ctx, tx, editionID)
		if err != nil {
			return err
		}
		inCategory := map[uuid.UUID]bool{}
		for _, n := range noms {
			if n.CategoryID == categoryID {
				inCategory[n.ID] = true
			}
		}
		if len(inCategory) == 0 {
			return fault.NotFoundf("category_id", "no category with nominations in this edition")
		}
		for i, id := range order {
			if !inCategory[id] {
				return fault.Invalidf(fmt.Sprintf("nomination_ids[%d]", i), "is not a nomination of this category")
			}
		}
		if err := s.q.UpsertJuryDecision(ctx, tx, jurydb.UpsertJuryDecisionParams{EditionID: editionID, CategoryID: categoryID, NominationIds: order, Reason: reason}); err != nil {
			return err
		}
		if out, err = s.compute(ctx, tx, editionID); err != nil {
			return err
		}
		if err := s.q.UpsertTally(ctx, tx, jurydb.UpsertTallyParams{EditionID: editionID, Result: tally.Canonical(out.Result), TallyHash: out.Hash}); err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{Kind: event.JuryDecided, EditionID: editionID, ActorID: actorID(actor), Payload: struct {
			CategoryID uuid.UUID   `json:"category_id"`
			Order      []uuid.UUID `json:"nomination_ids"`
			Reason     string      `json:"reason"`
			TallyHash  string      `json:"tally_sha256"`
		}{categoryID, order, reason, out.Hash}})
		return err
	})
	return out, err
}
