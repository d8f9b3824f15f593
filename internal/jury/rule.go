// Package jury owns stage 2: the tally rule (fixed before the jury round opens), jurors' ballots with
// automatic and declared recusals, casting with receipts, jury progress without scores, closing the
// round into an exact tally, the announcement and the public results.
package jury

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// StoredRule is a rule with its state. The rule is the audit specification's (§7): its canonical
// encoding (canon.Encode) is what its hash covers.
type StoredRule struct {
	Rule    verify.Rule
	Version int64
	Frozen  bool
	Hash    string
}

// criterion returns the rule's index of a criterion, -1 when it has none.
func criterionIndex(r verify.Rule, id uuid.UUID) int {
	for i, c := range r.Criteria {
		if c.CriterionID == id.String() {
			return i
		}
	}
	return -1
}

// canonicalRule is a rule's canonical bytes and its hash.
func canonicalRule(r verify.Rule) ([]byte, string, error) {
	body, err := canon.Encode(r)
	if err != nil {
		return nil, "", fmt.Errorf("tally rule: %w", err)
	}
	return body, verify.Hash(body), nil
}

func hashOf(b []byte) string { return verify.Hash(b) }

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

// normaliseRule checks a rule against the edition's criteria and puts it in canonical order, naming
// the field at fault; what it accepts is a rule valid for the edition (§7 of the specification).
func normaliseRule(r *verify.Rule, crits []edition.Criterion) error {
	r.Format = verify.RuleFormat
	numbers := map[string]int{}
	for _, c := range crits {
		numbers[c.ID.String()] = int(c.Number)
	}
	seen := map[string]bool{}
	for i := range r.Criteria {
		c := &r.Criteria[i]
		field := fmt.Sprintf("rule.criteria[%d]", i)
		n, ok := numbers[c.CriterionID]
		if !ok {
			return fault.Invalidf(field+".criterion_id", "is not a criterion of this edition")
		}
		if seen[c.CriterionID] {
			return fault.Invalidf(field+".criterion_id", "has a rule already")
		}
		seen[c.CriterionID] = true
		c.Number = n
		if c.Min >= c.Max {
			return fault.Invalidf(field+".max_score", "must be greater than min_score (%d)", c.Min)
		}
		if c.Labels == nil {
			c.Labels = []verify.Label{}
		}
		slices.SortStableFunc(c.Labels, func(a, b verify.Label) int { return a.Value - b.Value })
		for j, l := range c.Labels {
			if l.Value < c.Min || l.Value > c.Max {
				return fault.Invalidf(fmt.Sprintf("%s.labels[%d].value", field, j), "must be on the scale %d–%d", c.Min, c.Max)
			}
			if j > 0 && c.Labels[j-1].Value == l.Value {
				return fault.Invalidf(fmt.Sprintf("%s.labels[%d].value", field, j), "names the mark %d a second time", l.Value)
			}
		}
	}
	if len(seen) != len(crits) {
		return fault.Invalidf("rule.criteria", "needs one rule for each of the edition's %d criteria", len(crits))
	}
	ranking := false
	for _, c := range r.Criteria {
		ranking = ranking || !c.NonRanking
	}
	if !ranking {
		return fault.Invalidf("rule.criteria", "at least one criterion must rank")
	}
	slices.SortFunc(r.Criteria, func(a, b verify.CriterionRule) int { return a.Number - b.Number })
	if r.Method == string(tally.TrimmedMean) && r.TrimCount < 1 {
		return fault.Invalidf("rule.trim_count", "must be at least 1 for the trimmed mean")
	}
	if r.Method != string(tally.TrimmedMean) {
		r.TrimCount = 0
	}
	if r.TieBreaks == nil {
		r.TieBreaks = []string{}
	}
	for i, t := range r.TieBreaks {
		if slices.Contains(r.TieBreaks[:i], t) {
			return fault.Invalidf(fmt.Sprintf("rule.tie_breaks[%d]", i), "appears twice")
		}
		if t == string(tally.JuryDecision) && i != len(r.TieBreaks)-1 {
			return fault.Invalidf(fmt.Sprintf("rule.tie_breaks[%d]", i), "the jury's decision settles what every other tie-break left tied, so it must come last")
		}
	}
	if err := r.Validity(numbers); err != nil {
		return fmt.Errorf("normalised rule is not valid: %w", err) // a bug above, not bad input
	}
	return nil
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
	if _, ok, err := loadRule(ctx, tx, e.ID, false); err != nil || ok {
		return err
	}
	return fault.Preconditionf("stage", "set the tally rule (ResultsService.SetTallyRule) before the jury round opens")
}
