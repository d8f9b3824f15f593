package tally

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Errors wrapped by Validate, so callers can tell a bad rule from a bad ballot with errors.Is and
// still show the wrapped message, which names the ballot, nomination and criterion.
var (
	// ErrInvalidRule: the rule itself is unusable (method, criteria, quorum, winners, tie-breaks).
	ErrInvalidRule = errors.New("invalid rule")
	// ErrInvalidCategory: a category has an empty, non-UTF-8 or repeated ID or a repeated Number.
	ErrInvalidCategory = errors.New("invalid category")
	// ErrInvalidNomination: a nomination has an empty, non-UTF-8 or repeated ID or an unknown category.
	ErrInvalidNomination = errors.New("invalid nomination")
	// ErrInvalidBallot: a ballot has an empty, non-UTF-8 or repeated juror key or an unknown recusal
	// kind (keys must be UTF-8 so the canonical JSON stays one-to-one).
	ErrInvalidBallot = errors.New("invalid ballot")
	// ErrUnknownNomination: a ballot or decision refers to a nomination that is not in the input.
	ErrUnknownNomination = errors.New("unknown nomination")
	// ErrUnknownCriterion: a ballot scores a criterion that is not in the rule.
	ErrUnknownCriterion = errors.New("unknown criterion")
	// ErrScoreOutOfScale: a score lies outside its criterion's Min..Max.
	ErrScoreOutOfScale = errors.New("score outside the criterion's scale")
	// ErrScoredAndRecused: a juror both scored and recused the same nomination.
	ErrScoredAndRecused = errors.New("scored and recused")
	// ErrInvalidDecision: a jury decision names an unknown category, repeats one, or lists a
	// nomination twice or from another category.
	ErrInvalidDecision = errors.New("invalid jury decision")
)

// Validate checks the rule and input (unknown ids, scores outside a criterion's scale, a juror who
// both scored and recused a nomination; TrimCount too large for the jurors of a nomination is NOT an
// input error: it shows as QuorumMet=false with an explanation). It returns an error naming the
// first problem (which ballot, which nomination, which criterion); "first" follows a fixed order
// (rule, categories by ID, nominations by ID, ballots by juror key and their keys sorted, decisions
// by category ID) so the same input always reports the same problem.
func Validate(in Input) error {
	crit, err := validateRule(in.Rule)
	if err != nil {
		return err
	}
	cats, err := validateCategories(in.Categories)
	if err != nil {
		return err
	}
	noms, err := validateNominations(in.Nominations, cats)
	if err != nil {
		return err
	}
	if err := validateBallots(in.Ballots, noms, crit); err != nil {
		return err
	}
	return validateDecisions(in.Decisions, cats, noms)
}

func validateRule(r Rule) (map[string]Criterion, error) {
	if !r.Method.valid() {
		return nil, fmt.Errorf("%w: unknown method %d", ErrInvalidRule, int(r.Method))
	}
	if len(r.Criteria) == 0 {
		return nil, fmt.Errorf("%w: no criteria", ErrInvalidRule)
	}
	cs := slices.Clone(r.Criteria)
	slices.SortFunc(cs, func(a, b Criterion) int { return strings.Compare(a.ID, b.ID) })
	byID := make(map[string]Criterion, len(cs))
	numbers := make(map[int]string, len(cs))
	ranking := 0
	for _, c := range cs {
		switch {
		case c.ID == "" || !utf8.ValidString(c.ID):
			return nil, fmt.Errorf("%w: criterion %q: the ID is empty or not UTF-8", ErrInvalidRule, c.ID)
		case byID[c.ID].ID != "":
			return nil, fmt.Errorf("%w: criterion %q appears twice", ErrInvalidRule, c.ID)
		case numbers[c.Number] != "":
			return nil, fmt.Errorf("%w: criteria %q and %q share number %d", ErrInvalidRule, numbers[c.Number], c.ID, c.Number)
		case c.Min > c.Max:
			return nil, fmt.Errorf("%w: criterion %q: min %d is above max %d", ErrInvalidRule, c.ID, c.Min, c.Max)
		case c.Weight < 1:
			return nil, fmt.Errorf("%w: criterion %q: weight %d is below 1", ErrInvalidRule, c.ID, c.Weight)
		}
		byID[c.ID] = c
		numbers[c.Number] = c.ID
		if !c.NonRanking {
			ranking++
		}
	}
	if ranking == 0 {
		return nil, fmt.Errorf("%w: every criterion is non-ranking, so there is nothing to rank by", ErrInvalidRule)
	}
	switch {
	case r.Quorum < 1:
		return nil, fmt.Errorf("%w: quorum %d is below 1", ErrInvalidRule, r.Quorum)
	case r.Winners < 1:
		return nil, fmt.Errorf("%w: winners %d is below 1", ErrInvalidRule, r.Winners)
	case r.TrimCount < 0:
		return nil, fmt.Errorf("%w: trim count %d is negative", ErrInvalidRule, r.TrimCount)
	}
	seen := make(map[TieBreak]bool, len(r.TieBreaks))
	for i, t := range r.TieBreaks {
		if !t.valid() {
			return nil, fmt.Errorf("%w: tie-break %d: unknown step %d", ErrInvalidRule, i+1, int(t))
		}
		if seen[t] {
			return nil, fmt.Errorf("%w: tie-break %d: %s appears twice", ErrInvalidRule, i+1, t)
		}
		seen[t] = true
	}
	return byID, nil
}

func validateCategories(cs []Category) (map[string]bool, error) {
	sorted := slices.Clone(cs)
	slices.SortFunc(sorted, func(a, b Category) int { return strings.Compare(a.ID, b.ID) })
	ids := make(map[string]bool, len(sorted))
	numbers := make(map[int]string, len(sorted))
	for _, c := range sorted {
		switch {
		case c.ID == "" || !utf8.ValidString(c.ID):
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
func validateNominations(ns []Nomination, cats map[string]bool) (map[string]string, error) {
	sorted := slices.Clone(ns)
	slices.SortFunc(sorted, func(a, b Nomination) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.CategoryID, b.CategoryID))
	})
	out := make(map[string]string, len(sorted))
	for _, n := range sorted {
		switch {
		case n.ID == "" || !utf8.ValidString(n.ID):
			return nil, fmt.Errorf("%w: nomination %q: the ID is empty or not UTF-8", ErrInvalidNomination, n.ID)
		case out[n.ID] != "":
			return nil, fmt.Errorf("%w: nomination %q appears twice", ErrInvalidNomination, n.ID)
		case !cats[n.CategoryID]:
			return nil, fmt.Errorf("%w: nomination %q: unknown category %q", ErrInvalidNomination, n.ID, n.CategoryID)
		}
		out[n.ID] = n.CategoryID
	}
	return out, nil
}

func validateBallots(bs []Ballot, noms map[string]string, crit map[string]Criterion) error {
	sorted := slices.Clone(bs)
	slices.SortStableFunc(sorted, func(a, b Ballot) int { return strings.Compare(a.Juror, b.Juror) })
	// Valid input is the common case, so scan the maps in their own order first and sort their keys
	// only to name the first problem deterministically once there is one.
	bad := false
	for i, b := range sorted {
		if b.Juror == "" || !utf8.ValidString(b.Juror) || i > 0 && sorted[i-1].Juror == b.Juror || !ballotValid(b, noms, crit) {
			bad = true
			break
		}
	}
	if !bad {
		return nil
	}
	for i, b := range sorted {
		if b.Juror == "" || !utf8.ValidString(b.Juror) {
			return fmt.Errorf("ballot %q: %w: the juror key is empty or not UTF-8", b.Juror, ErrInvalidBallot)
		}
		if i > 0 && sorted[i-1].Juror == b.Juror {
			return fmt.Errorf("ballot %q: %w: the juror has two ballots", b.Juror, ErrInvalidBallot)
		}
		if err := checkBallot(b, noms, crit); err != nil {
			return err
		}
	}
	return nil
}

// ballotValid reports whether checkBallot finds no problem, without allocating: the common case
// of a valid ballot only needs a yes.
func ballotValid(b Ballot, noms map[string]string, crit map[string]Criterion) bool {
	for nid, marks := range b.Scores {
		if noms[nid] == "" {
			return false
		}
		for cid, s := range marks {
			c, ok := crit[cid]
			if !ok || s < c.Min || s > c.Max {
				return false
			}
		}
	}
	for nid, k := range b.Recusals {
		if noms[nid] == "" || !k.valid() || len(b.Scores[nid]) > 0 {
			return false
		}
	}
	return true
}

// checkBallot returns the first problem of one ballot in the documented order (keys sorted).
func checkBallot(b Ballot, noms map[string]string, crit map[string]Criterion) error {
	for _, nid := range slices.Sorted(maps.Keys(b.Scores)) {
		if noms[nid] == "" {
			return fmt.Errorf("ballot %q: nomination %q: %w", b.Juror, nid, ErrUnknownNomination)
		}
		marks := b.Scores[nid]
		for _, cid := range slices.Sorted(maps.Keys(marks)) {
			c, ok := crit[cid]
			if !ok {
				return fmt.Errorf("ballot %q: nomination %q: criterion %q: %w", b.Juror, nid, cid, ErrUnknownCriterion)
			}
			if s := marks[cid]; s < c.Min || s > c.Max {
				return fmt.Errorf("ballot %q: nomination %q: criterion %q: %w: %d is not in %d..%d",
					b.Juror, nid, cid, ErrScoreOutOfScale, s, c.Min, c.Max)
			}
		}
	}
	for _, nid := range slices.Sorted(maps.Keys(b.Recusals)) {
		if noms[nid] == "" {
			return fmt.Errorf("ballot %q: recusal: nomination %q: %w", b.Juror, nid, ErrUnknownNomination)
		}
		if k := b.Recusals[nid]; !k.valid() {
			return fmt.Errorf("ballot %q: nomination %q: %w: unknown recusal kind %d", b.Juror, nid, ErrInvalidBallot, int(k))
		}
		if len(b.Scores[nid]) > 0 {
			return fmt.Errorf("ballot %q: nomination %q: %w: the juror recused (%s) but gave scores",
				b.Juror, nid, ErrScoredAndRecused, b.Recusals[nid])
		}
	}
	return nil
}

func validateDecisions(ds []Decision, cats map[string]bool, noms map[string]string) error {
	sorted := slices.Clone(ds)
	slices.SortStableFunc(sorted, func(a, b Decision) int { return strings.Compare(a.CategoryID, b.CategoryID) })
	for i, d := range sorted {
		if !cats[d.CategoryID] {
			return fmt.Errorf("decision for category %q: %w: unknown category", d.CategoryID, ErrInvalidDecision)
		}
		if i > 0 && sorted[i-1].CategoryID == d.CategoryID {
			return fmt.Errorf("decision for category %q: %w: the category has two decisions", d.CategoryID, ErrInvalidDecision)
		}
		seen := make(map[string]bool, len(d.Order))
		for _, nid := range d.Order {
			switch {
			case noms[nid] == "":
				return fmt.Errorf("decision for category %q: nomination %q: %w", d.CategoryID, nid, ErrUnknownNomination)
			case noms[nid] != d.CategoryID:
				return fmt.Errorf("decision for category %q: nomination %q: %w: the nomination is in category %q",
					d.CategoryID, nid, ErrInvalidDecision, noms[nid])
			case seen[nid]:
				return fmt.Errorf("decision for category %q: nomination %q: %w: listed twice", d.CategoryID, nid, ErrInvalidDecision)
			}
			seen[nid] = true
		}
	}
	return nil
}
