// Package jury owns stage 2: the tally rule (fixed before the jury round opens), jurors' ballots with
// automatic and declared recusals, casting with receipts, jury progress without scores, closing the
// round into an exact tally, the announcement and the public results.
package jury

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
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

// Rule is an edition's tally rule as stored: its JSON encoding (fields in this order, criteria by
// number) is canonical, and its SHA-256 is the rule hash published when the jury round opens.
type Rule struct {
	Format       string          `json:"format"` // "miasta.rule.v1"
	Method       string          `json:"method"` // WEIGHTED_MEAN, MEDIAN, TRIMMED_MEAN, MAJORITY_JUDGMENT
	Criteria     []CriterionRule `json:"criteria"`
	Quorum       int             `json:"quorum"`
	Winners      int             `json:"winners_per_category"`
	MinimumScore string          `json:"minimum_score,omitempty"` // "num/den"
	TrimCount    int             `json:"trim_count"`
	TieBreaks    []string        `json:"tie_breaks"` // MORE_TOP_MARKS, HIGHER_MEDIAN, CRITERIA_IN_ORDER, JURY_DECISION
}

// CriterionRule is how one criterion is scored.
type CriterionRule struct {
	CriterionID uuid.UUID    `json:"criterion_id"`
	Number      int32        `json:"number"`
	Min         int32        `json:"min_score"`
	Max         int32        `json:"max_score"`
	Weight      int64        `json:"weight"`
	NonRanking  bool         `json:"non_ranking,omitempty"`
	Labels      []ScoreLabel `json:"labels,omitempty"`
}

// ScoreLabel names one value of a scale.
type ScoreLabel struct {
	Value   int32  `json:"value"`
	LabelPL string `json:"label_pl"`
	LabelEN string `json:"label_en,omitempty"`
}

// StoredRule is a rule with its state.
type StoredRule struct {
	Rule    Rule
	Version int64
	Frozen  bool
	Hash    string
}

const ruleFormat = "miasta.rule.v1"

var (
	methods   = map[string]tally.Method{"WEIGHTED_MEAN": tally.WeightedMean, "MEDIAN": tally.Median, "TRIMMED_MEAN": tally.TrimmedMean, "MAJORITY_JUDGMENT": tally.MajorityJudgment}
	tieBreaks = map[string]tally.TieBreak{"MORE_TOP_MARKS": tally.MoreTopMarks, "HIGHER_MEDIAN": tally.HigherMedian, "CRITERIA_IN_ORDER": tally.CriteriaInOrder, "JURY_DECISION": tally.JuryDecision}
)

// engine converts a stored rule for the tally package.
func (r Rule) engine() (tally.Rule, error) {
	out := tally.Rule{Method: methods[r.Method], Quorum: r.Quorum, Winners: r.Winners, TrimCount: r.TrimCount}
	for _, c := range r.Criteria {
		out.Criteria = append(out.Criteria, tally.Criterion{
			ID: c.CriterionID.String(), Number: int(c.Number), Min: int(c.Min), Max: int(c.Max), Weight: c.Weight, NonRanking: c.NonRanking,
		})
	}
	for _, t := range r.TieBreaks {
		out.TieBreaks = append(out.TieBreaks, tieBreaks[t])
	}
	if r.MinimumScore != "" {
		m, ok := new(big.Rat).SetString(r.MinimumScore)
		if !ok {
			return tally.Rule{}, fmt.Errorf("stored minimum score %q is not a rational", r.MinimumScore)
		}
		out.MinimumScore = m
	}
	return out, nil
}

func (r Rule) criterion(id uuid.UUID) (CriterionRule, bool) {
	for _, c := range r.Criteria {
		if c.CriterionID == id {
			return c, true
		}
	}
	return CriterionRule{}, false
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

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
	var r Rule
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
func (s *Service) SetRule(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, r Rule, expected int64) (StoredRule, error) {
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
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		row, err := s.q.UpsertTallyRule(ctx, tx, jurydb.UpsertTallyRuleParams{EditionID: editionID, Rule: body})
		if err != nil {
			return err
		}
		out = StoredRule{Rule: r, Version: row.Version}
		_, err = event.Append(ctx, tx, event.Event{Kind: event.TallyRuleSet, EditionID: editionID, ActorID: actorID(actor), Payload: struct {
			Version  int64  `json:"version"`
			RuleHash string `json:"rule_sha256"`
		}{row.Version, hashOf(body)}})
		return err
	})
	return out, err
}

// normaliseRule checks a rule against the edition's criteria and puts it in canonical order.
func normaliseRule(r *Rule, crits []edition.Criterion) error {
	r.Format = ruleFormat
	numbers := map[uuid.UUID]int32{}
	for _, c := range crits {
		numbers[c.ID] = c.Number
	}
	seen := map[uuid.UUID]bool{}
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
		for j, l := range c.Labels {
			if l.Value < c.Min || l.Value > c.Max {
				return fault.Invalidf(fmt.Sprintf("%s.labels[%d].value", field, j), "must be on the scale %d–%d", c.Min, c.Max)
			}
		}
		slices.SortFunc(c.Labels, func(a, b ScoreLabel) int { return int(a.Value - b.Value) })
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
	slices.SortFunc(r.Criteria, func(a, b CriterionRule) int { return int(a.Number - b.Number) })
	if r.Method == "TRIMMED_MEAN" && r.TrimCount < 1 {
		return fault.Invalidf("rule.trim_count", "must be at least 1 for the trimmed mean")
	}
	if r.Method != "TRIMMED_MEAN" {
		r.TrimCount = 0
	}
	seenTB := map[string]bool{}
	for i, t := range r.TieBreaks {
		if seenTB[t] {
			return fault.Invalidf(fmt.Sprintf("rule.tie_breaks[%d]", i), "appears twice")
		}
		seenTB[t] = true
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
	body, err := json.Marshal(r.Rule)
	if err != nil {
		return err
	}
	h := hashOf(body)
	if _, err := s.q.FreezeTallyRule(ctx, tx, jurydb.FreezeTallyRuleParams{EditionID: e.ID, RuleHash: h}); err != nil {
		return err
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: event.TallyRuleFrozen, EditionID: e.ID, Payload: struct {
		Rule     Rule   `json:"rule"`
		RuleHash string `json:"rule_sha256"`
	}{r.Rule, h}})
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
