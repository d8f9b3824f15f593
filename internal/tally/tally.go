package tally

import (
	"math/big"
	"strconv"
)

// Method is how the jurors' weighted sums for one nomination become its aggregate score; the rule
// fixes it before the jury round so nobody can pick the method that favours a result.
type Method int

const (
	// WeightedMean is the mean over jurors of the criterion-weighted sum, the most familiar score.
	WeightedMean Method = iota + 1
	// Median is the lower median over jurors of the weighted sum, robust against one extreme juror.
	Median
	// TrimmedMean is the mean after dropping Rule.TrimCount highest and as many lowest weighted sums,
	// as the ISU does with its judging panels.
	TrimmedMean
	// MajorityJudgment is Balinski–Laraki majority judgment with the weighted sum as the grade: the
	// score is the majority grade and equal grades are separated by the method's own procedure.
	MajorityJudgment
)

// String returns the constant's Go name, which the explanations use so readers can find the rule.
func (m Method) String() string {
	switch m {
	case WeightedMean:
		return "WeightedMean"
	case Median:
		return "Median"
	case TrimmedMean:
		return "TrimmedMean"
	case MajorityJudgment:
		return "MajorityJudgment"
	}
	return "Method(" + strconv.Itoa(int(m)) + ")"
}

func (m Method) valid() bool { return m >= WeightedMean && m <= MajorityJudgment }

// TieBreak is one step of the chain that orders nominations with equal aggregate scores; the chain
// is part of the rule so that ties are settled by arithmetic published in advance.
type TieBreak int

const (
	// MoreTopMarks ranks higher the nomination with more marks equal to a criterion's Max, counted
	// over the ranking criteria and every counted juror, rewarding unanimous excellence.
	MoreTopMarks TieBreak = iota + 1
	// HigherMedian ranks higher the nomination whose lower-median weighted sum is higher.
	HigherMedian
	// CriteriaInOrder compares the aggregates (same Method) of the ranking criteria in Number
	// order; the first criterion that differs decides.
	CriteriaInOrder
	// JuryDecision applies the order the jury recorded in Input.Decisions for the category.
	JuryDecision
)

// String returns the constant's Go name, which the explanations use so readers can find the rule.
func (t TieBreak) String() string {
	switch t {
	case MoreTopMarks:
		return "MoreTopMarks"
	case HigherMedian:
		return "HigherMedian"
	case CriteriaInOrder:
		return "CriteriaInOrder"
	case JuryDecision:
		return "JuryDecision"
	}
	return "TieBreak(" + strconv.Itoa(int(t)) + ")"
}

func (t TieBreak) valid() bool { return t >= MoreTopMarks && t <= JuryDecision }

// Criterion is one scored aspect of a practice, with its integer scale and weight.
type Criterion struct {
	ID         string // unique within the rule
	Number     int    // unique; the display order and the CriteriaInOrder order
	Min, Max   int    // the integer scale, inclusive; Min <= Max
	Weight     int64  // >= 1; the factor of this criterion in the weighted sum
	NonRanking bool   // shown in breakdowns, excluded from the weighted sum and from MoreTopMarks
}

// Rule is everything that turns ballots into winners; it is fixed before the jury round opens.
type Rule struct {
	Method       Method      // how weighted sums are aggregated
	Criteria     []Criterion // at least one ranking criterion
	Quorum       int         // >= 1: minimum number of non-recused jurors who scored every ranking criterion
	Winners      int         // >= 1: places distinguished per category
	MinimumScore *big.Rat    // nil = none; a winner's aggregate score must be >= this
	TrimCount    int         // >= 0; used by TrimmedMean only and ignored by the other methods
	TieBreaks    []TieBreak  // applied in order to equal scores; no step may repeat
}

// Nomination is a practice on the shortlist of one category.
type Nomination struct {
	ID         string // unique across the input
	CategoryID string // the Category it competes in
}

// Category is an award category; nominations are ranked within their category only.
type Category struct {
	ID     string // unique
	Number int    // unique; the order of categories in the result
}

// RecusalKind says why a juror does not score a nomination; the tally treats every kind alike and
// only reports it.
type RecusalKind int

const (
	// HomeCity: the practice is from the juror's own city.
	HomeCity RecusalKind = iota + 1
	// Declared: the juror declared a conflict of interest.
	Declared
	// Abstained: the juror abstained on the nomination.
	Abstained
)

// String returns the constant's Go name, which the explanations use.
func (k RecusalKind) String() string {
	switch k {
	case HomeCity:
		return "HomeCity"
	case Declared:
		return "Declared"
	case Abstained:
		return "Abstained"
	}
	return "RecusalKind(" + strconv.Itoa(int(k)) + ")"
}

func (k RecusalKind) valid() bool { return k >= HomeCity && k <= Abstained }

// Ballot is one juror's marks and recusals for the whole edition.
type Ballot struct {
	Juror    string                    // stable juror key (e.g. an assignment id); names are the caller's business
	Scores   map[string]map[string]int // nomination ID -> criterion ID -> score
	Recusals map[string]RecusalKind    // nomination ID -> why this juror does not score it
}

// Decision is the jury's recorded order for nominations that stayed tied after every other tie-break.
type Decision struct {
	CategoryID string   // at most one Decision per category
	Order      []string // nomination IDs of the category, best first, each at most once
}

// Input is everything the tally depends on; nothing else (no clock, no randomness) enters it.
type Input struct {
	Rule        Rule
	Categories  []Category
	Nominations []Nomination
	Ballots     []Ballot
	Decisions   []Decision
}

// Result is the full tally, ready to publish or hash with Canonical.
type Result struct {
	Categories []CategoryResult // by Category.Number
}

// CategoryResult is the ranking of one category.
type CategoryResult struct {
	CategoryID  string
	Nominations []Ranked // best first, in the total order documented on the package
}

// Ranked is one nomination's place, score and the full reasoning behind them.
type Ranked struct {
	NominationID string
	Rank         int              // competition rank from 1 among quorum-met nominations; 0 when the quorum is not met
	Score        *big.Rat         // aggregate under Rule.Method; nil when the quorum is not met
	Winner       bool             // rank <= Rule.Winners, quorum met and score >= Rule.MinimumScore
	QuorumMet    bool             // enough counted jurors (and, for TrimmedMean, more than 2×TrimCount)
	Jurors       int              // non-recused jurors who scored every ranking criterion (the counted jurors)
	Criteria     []CriterionScore // per criterion (all criteria, by Number), aggregated under the same Method
	PerJuror     []JurorScore     // the counted jurors, by Juror key
	Recusals     []Recusal        // by Juror key
	Explanation  []string         // sentences: the score and how it was computed, quorum, and every tie-break step
}

// CriterionScore is a nomination's aggregate on one criterion, for the published breakdown.
type CriterionScore struct {
	CriterionID string
	Score       *big.Rat // nil when the quorum is not met or too few counted jurors marked the criterion
	NonRanking  bool     // copied from the criterion so the breakdown can be read on its own
}

// JurorScore is one counted juror's marks for a nomination.
type JurorScore struct {
	Juror       string
	Scores      map[string]int // criterion ID -> score, including non-ranking criteria the juror marked
	WeightedSum *big.Rat       // Σ Weight × score over the ranking criteria (an integer)
}

// Recusal records that a juror did not score a nomination and why.
type Recusal struct {
	Juror string
	Kind  RecusalKind
}
