package tally

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Errors wrapped by Validate, so callers can tell a bad rule from bad marks with errors.Is and still
// show the wrapped message, which names the nomination and criterion.
var (
	// ErrInvalidRule: the rule itself is unusable.
	ErrInvalidRule = errors.New("invalid rule")
	// ErrInvalidCategory: a category has an empty, non-UTF-8 or repeated ID or a repeated Number.
	ErrInvalidCategory = errors.New("invalid category")
	// ErrInvalidNomination: a nomination has an empty, non-UTF-8 or repeated ID, an unknown category,
	// or negative recusal counts.
	ErrInvalidNomination = errors.New("invalid nomination")
	// ErrInvalidVector: a vector has the wrong length or a mark outside its criterion's scale.
	ErrInvalidVector = errors.New("invalid marks")
	// ErrInvalidDecision: a jury decision names an unknown category or nomination, a nomination of
	// another category, or one that a decision of the category lists already.
	ErrInvalidDecision = errors.New("invalid jury decision")
)

// Validate checks the input. It returns an error naming the first problem in a fixed order (rule,
// categories by ID, nominations by ID, decisions in order), so the same input reports the same problem.
func Validate(in Input) error {
	if err := validateRule(in.Rule); err != nil {
		return err
	}
	cats, err := validateCategories(in.Categories)
	if err != nil {
		return err
	}
	noms, err := validateNominations(in.Rule, in.Nominations, cats)
	if err != nil {
		return err
	}
	return validateDecisions(in.Decisions, cats, noms)
}

func validID(s string) bool { return s != "" && utf8.ValidString(s) }

func validateRule(r Rule) error {
	switch r.Method {
	case WeightedMean, Median, TrimmedMean, MajorityJudgment:
	default:
		return fmt.Errorf("%w: unknown method %q", ErrInvalidRule, r.Method)
	}
	if len(r.Criteria) == 0 {
		return fmt.Errorf("%w: no criteria", ErrInvalidRule)
	}
	ids := map[string]bool{}
	ranking := false
	for i, c := range r.Criteria {
		switch {
		case !validID(c.ID):
			return fmt.Errorf("%w: criterion %d: the ID is empty or not UTF-8", ErrInvalidRule, i)
		case ids[c.ID]:
			return fmt.Errorf("%w: criterion %q appears twice", ErrInvalidRule, c.ID)
		case i > 0 && c.Number <= r.Criteria[i-1].Number:
			return fmt.Errorf("%w: criterion %q: numbers must increase (%d after %d)", ErrInvalidRule, c.ID, c.Number, r.Criteria[i-1].Number)
		case c.Min > c.Max:
			return fmt.Errorf("%w: criterion %q: min %d is above max %d", ErrInvalidRule, c.ID, c.Min, c.Max)
		case c.Weight < 1:
			return fmt.Errorf("%w: criterion %q: weight %d is below 1", ErrInvalidRule, c.ID, c.Weight)
		}
		ids[c.ID] = true
		ranking = ranking || !c.NonRanking
	}
	switch {
	case !ranking:
		return fmt.Errorf("%w: every criterion is non-ranking, so there is nothing to rank by", ErrInvalidRule)
	case r.Quorum < 1:
		return fmt.Errorf("%w: quorum %d is below 1", ErrInvalidRule, r.Quorum)
	case r.Winners < 1:
		return fmt.Errorf("%w: winners %d is below 1", ErrInvalidRule, r.Winners)
	case r.TrimCount < 0:
		return fmt.Errorf("%w: trim count %d is negative", ErrInvalidRule, r.TrimCount)
	}
	seen := map[TieBreak]bool{}
	for i, t := range r.TieBreaks {
		switch t {
		case MoreTopMarks, HigherMedian, CriteriaInOrder, JuryDecision:
		default:
			return fmt.Errorf("%w: tie-break %d: unknown step %q", ErrInvalidRule, i+1, t)
		}
		if seen[t] {
			return fmt.Errorf("%w: tie-break %d: %s appears twice", ErrInvalidRule, i+1, t)
		}
		seen[t] = true
	}
	return nil
}

func validateCategories(cs []Category) (map[string]bool, error) {
	sorted := slices.Clone(cs)
	slices.SortFunc(sorted, func(a, b Category) int { return strings.Compare(a.ID, b.ID) })
	ids := make(map[string]bool, len(sorted))
	numbers := make(map[int]string, len(sorted))
	for _, c := range sorted {
		switch {
		case !validID(c.ID):
			return nil, fmt.Errorf("%w: category %q: the ID is empty or not UTF-8", ErrInvalidCategory, c.ID)
		case ids[c.ID]:
			return nil, fmt.Errorf("%w: category %q appears twice", ErrInvalidCategory, c.ID)
		case numbers[c.Number] != "":
			return nil, fmt.Errorf("%w: categories %q and %q share number %d", ErrInvalidCategory, numbers[c.Number], c.ID, c.Number)
		}
		ids[c.ID] = true
		numbers[c.Number] = c.ID
	}
	return ids, nil
}

// validateNominations returns nomination ID -> category ID.
func validateNominations(r Rule, ns []Nomination, cats map[string]bool) (map[string]string, error) {
	sorted := slices.Clone(ns)
	slices.SortFunc(sorted, func(a, b Nomination) int { return cmp.Compare(a.ID, b.ID) })
	out := make(map[string]string, len(sorted))
	for _, n := range sorted {
		switch {
		case !validID(n.ID):
			return nil, fmt.Errorf("%w: nomination %q: the ID is empty or not UTF-8", ErrInvalidNomination, n.ID)
		case out[n.ID] != "":
			return nil, fmt.Errorf("%w: nomination %q appears twice", ErrInvalidNomination, n.ID)
		case !cats[n.CategoryID]:
			return nil, fmt.Errorf("%w: nomination %q: unknown category %q", ErrInvalidNomination, n.ID, n.CategoryID)
		case n.Recusals.HomeCity < 0 || n.Recusals.Declared < 0 || n.Recusals.Abstained < 0:
			return nil, fmt.Errorf("%w: nomination %q: a negative recusal count", ErrInvalidNomination, n.ID)
		}
		for i, v := range n.Vectors {
			if len(v) != len(r.Criteria) {
				return nil, fmt.Errorf("nomination %q: vector %d: %w: %d marks for %d criteria", n.ID, i, ErrInvalidVector, len(v), len(r.Criteria))
			}
			for c, crit := range r.Criteria {
				if v[c] < crit.Min || v[c] > crit.Max {
					return nil, fmt.Errorf("nomination %q: vector %d: criterion %q: %w: %d is not in %d..%d", n.ID, i, crit.ID, ErrInvalidVector, v[c], crit.Min, crit.Max)
				}
			}
		}
		out[n.ID] = n.CategoryID
	}
	return out, nil
}

func validateDecisions(ds []Decision, cats map[string]bool, noms map[string]string) error {
	placed := map[string]bool{}
	for i, d := range ds {
		if !cats[d.CategoryID] {
			return fmt.Errorf("decision %d: %w: unknown category %q", i+1, ErrInvalidDecision, d.CategoryID)
		}
		for _, id := range d.Order {
			switch {
			case noms[id] == "":
				return fmt.Errorf("decision %d: %w: unknown nomination %q", i+1, ErrInvalidDecision, id)
			case noms[id] != d.CategoryID:
				return fmt.Errorf("decision %d: %w: nomination %q is in category %q", i+1, ErrInvalidDecision, id, noms[id])
			case placed[id]:
				return fmt.Errorf("decision %d: %w: nomination %q is listed by a decision already", i+1, ErrInvalidDecision, id)
			}
			placed[id] = true
		}
	}
	return nil
}
