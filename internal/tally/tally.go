// Package tally computes the exact, deterministic tally of the "Miasta Otwarte" award, as §9 of the
// audit specification (spec/audit.md) defines it: anyone holding the published rule and the counted
// marks must be able to reproduce every rank, score, winner and explanation byte for byte.
//
// The package is pure: no I/O, no clock, no randomness and no floating point. Marks are integers,
// aggregates are big.Rat, and every collection is put in a documented order before use, so the order
// of nominations, categories, vectors or map entries in the Input never changes the Result or its
// Canonical encoding.
//
// The input is per nomination: the mark vectors of the jurors counted for it (who they are does not
// enter the tally) and how many jurors were recused, by kind. Which casts count, and how a cast
// becomes vectors, is the caller's business (§9.1–9.2 of the specification).
//
// Explanations are structured (Item: a code and its arguments) so that every language can render
// them and the hashed tally is recomputable from data; English renders them in English.
package tally

import (
	"math/big"
)

// Method is how the counted jurors' weighted sums for one nomination become its score; the rule fixes
// it before the jury round so nobody can pick the method that favours a result.
type Method string

// The methods, named as the specification names them.
const (
	// WeightedMean is the mean of the weighted sums.
	WeightedMean Method = "weighted_mean"
	// Median is the lower median of the weighted sums, robust against one extreme juror.
	Median Method = "median"
	// TrimmedMean drops Rule.TrimCount lowest and as many highest sums, as the ISU does.
	TrimmedMean Method = "trimmed_mean"
	// MajorityJudgment is Balinski–Laraki majority judgment with the weighted sum as the grade.
	MajorityJudgment Method = "majority_judgment"
)

// TieBreak is one step of the chain that orders nominations with equal scores.
type TieBreak string

// The tie-breaks.
const (
	// MoreTopMarks: more marks equal to their criterion's maximum, over the ranking criteria.
	MoreTopMarks TieBreak = "more_top_marks"
	// HigherMedian: the higher lower-median weighted sum.
	HigherMedian TieBreak = "higher_median"
	// CriteriaInOrder: the higher aggregate on the ranking criteria in number order.
	CriteriaInOrder TieBreak = "criteria_in_order"
	// JuryDecision: the order the jury recorded for the category.
	JuryDecision TieBreak = "jury_decision"
)

// Criterion is one scored aspect of a practice, with its integer scale and weight.
type Criterion struct {
	ID         string
	Number     int
	Min, Max   int
	Weight     int64
	NonRanking bool // shown in breakdowns, excluded from the weighted sum, top marks and CriteriaInOrder
}

// Rule is everything that turns marks into winners; it is fixed before the jury round opens.
type Rule struct {
	Method       Method
	Criteria     []Criterion // in increasing Number; a vector has one mark per criterion, in this order
	Quorum       int         // >= 1
	Winners      int         // >= 1: places distinguished per category
	MinimumScore *big.Rat    // nil = none
	TrimCount    int         // TrimmedMean only (>= 1); 0 for the other methods
	TieBreaks    []TieBreak  // distinct; JuryDecision, if present, last
}

// HasJuryDecision reports whether ties may be decided by the jury.
func (r Rule) HasJuryDecision() bool {
	for _, t := range r.TieBreaks {
		if t == JuryDecision {
			return true
		}
	}
	return false
}

// Recusals counts the counted casts that took a juror out of a nomination, by kind.
type Recusals struct {
	HomeCity  int `json:"home_city"`
	Declared  int `json:"declared"`
	Abstained int `json:"abstained"`
}

// Nomination is a practice on the shortlist of one category, with its counted marks.
type Nomination struct {
	ID         string
	CategoryID string
	// Vectors are the counted jurors' marks, one vector per juror, each with one mark per criterion of
	// the rule in the rule's order. Their order does not matter.
	Vectors  [][]int
	Recusals Recusals
}

// Category is an award category; nominations are ranked within their category only.
type Category struct {
	ID     string
	Number int
}

// Decision is one jury decision: the order of nominations that every other step left tied. A category
// may have several (one per tie); they are listed in the order they were recorded.
type Decision struct {
	CategoryID string
	Order      []string
}

// Input is everything the tally depends on.
type Input struct {
	Rule        Rule
	Categories  []Category
	Nominations []Nomination
	Decisions   []Decision
}

// Result is the full tally, ready to publish or hash with Canonical.
type Result struct {
	Categories []CategoryResult // by Category.Number
}

// CategoryResult is the ranking of one category.
type CategoryResult struct {
	CategoryID  string
	Nominations []Ranked // ranked ones in the final order, then the others by ID
}

// Ranked is one nomination's place, score and the reasoning behind them.
type Ranked struct {
	NominationID string
	Rank         int      // competition rank from 1; 0 when the quorum is not met
	Score        *big.Rat // nil when the quorum is not met
	Winner       bool
	QuorumMet    bool
	Jurors       int              // counted jurors
	Criteria     []CriterionScore // every criterion of the rule, in rule order
	Recusals     Recusals
	Explanation  []Item
	// Tie lists the members of this nomination's final group when it is an unresolved tie (two or
	// more), in the final order; nil otherwise.
	Tie []string
}

// CriterionScore is a nomination's aggregate on one criterion.
type CriterionScore struct {
	CriterionID string
	Score       *big.Rat // nil when the quorum is not met
	NonRanking  bool
}

// Winners returns the winning nominations in document order: categories in order, then place.
func (r Result) Winners() []string {
	var out []string
	for _, c := range r.Categories {
		for _, n := range c.Nominations {
			if n.Winner {
				out = append(out, n.NominationID)
			}
		}
	}
	return out
}

// UnresolvedTie is a group of nominations sharing a rank that no step separated.
type UnresolvedTie struct {
	CategoryID string
	Rank       int
	Members    []string
}

// UnresolvedTies returns every unresolved tie, by category then rank.
func (r Result) UnresolvedTies() []UnresolvedTie {
	var out []UnresolvedTie
	for _, c := range r.Categories {
		for i, n := range c.Nominations {
			if len(n.Tie) > 0 && n.Tie[0] == n.NominationID && (i == 0 || c.Nominations[i-1].Rank != n.Rank) {
				out = append(out, UnresolvedTie{CategoryID: c.CategoryID, Rank: n.Rank, Members: n.Tie})
			}
		}
	}
	return out
}
