package jury

import (
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
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
			if l.Text["pl"] == "" {
				return fault.Invalidf(fmt.Sprintf("%s.labels[%d].text", field, j), "needs a Polish text (pl), the award's language")
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
