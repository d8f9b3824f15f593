package tally

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Item is one explanation item (§9.7 of the specification): a code and its arguments. Argument
// values are int or int64 (counts, ranks, places, sums), string (ids, rationals as "N/D", the
// method), []any of those (sums, ids, tie steps as Args) or nil (an unlisted place).
type Item struct {
	Code string
	Args Args
}

// Args are an item's or a tie step's arguments by name.
type Args map[string]any

// The explanation codes.
const (
	CodeQuorumMet        = "quorum_met"
	CodeQuorumNotMet     = "quorum_not_met"
	CodeQuorumNotMetTrim = "quorum_not_met_trim"
	CodeNotRanked        = "not_ranked"
	CodeScore            = "score"
	CodeRank             = "rank"
	CodeTie              = "tie"
	CodeWinner           = "winner"
	CodeWinnerShared     = "winner_shared"
	CodeNotWinnerRank    = "not_winner_rank"
	CodeNotWinnerMinimum = "not_winner_minimum"
)

// The steps a tie item lists.
const (
	StepMajorityJudgment    = "majority_judgment"
	StepMajorityExhausted   = "majority_judgment_exhausted"
	StepMoreTopMarks        = string(MoreTopMarks)
	StepHigherMedian        = string(HigherMedian)
	StepCriteriaInOrder     = string(CriteriaInOrder)
	StepJuryDecision        = string(JuryDecision)
	StepJuryDecisionMissing = "jury_decision_missing"
)

// Compute validates and tallies; an invalid input yields the Validate error and no partial result.
func Compute(in Input) (Result, error) {
	p, err := Prepare(in)
	if err != nil {
		return Result{}, err
	}
	return p.Compute(in.Decisions)
}

// Prepared is a tally's input with every nomination's own figures computed (its score, criteria scores
// and sums): all that jury decisions do not change. A verifier that re-tallies one close under each set
// of decisions in turn computes them once.
type Prepared struct {
	rule  Rule
	cats  []Category // in order
	noms  [][]*nom   // per category, by nomination id: the state before ordering, which Compute copies
	valid struct {
		cats map[string]bool
		noms map[string]string
	}
}

// Prepare validates the input but for its decisions, and computes each nomination's own figures.
func Prepare(in Input) (*Prepared, error) {
	p := &Prepared{rule: in.Rule}
	var err error
	if err = validateRule(in.Rule); err == nil {
		if p.valid.cats, err = validateCategories(in.Categories); err == nil {
			p.valid.noms, err = validateNominations(in.Rule, in.Nominations, p.valid.cats)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("invalid input: %w", err)
	}
	p.cats = slices.Clone(in.Categories)
	slices.SortFunc(p.cats, func(a, b Category) int { return cmp.Or(cmp.Compare(a.Number, b.Number), strings.Compare(a.ID, b.ID)) })
	byCat := make(map[string][]Nomination)
	for _, n := range in.Nominations {
		byCat[n.CategoryID] = append(byCat[n.CategoryID], n)
	}
	// Each nomination's own figures depend on no other's: they are computed on every core.
	var all []Nomination
	for _, c := range p.cats {
		ns := byCat[c.ID]
		slices.SortFunc(ns, func(a, b Nomination) int { return strings.Compare(a.ID, b.ID) })
		all = append(all, ns...)
	}
	tallied := make([]*nom, len(all))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(all)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(all); i = int(next.Add(1) - 1) {
				tallied[i] = tallyNomination(in.Rule, all[i])
			}
		})
	}
	wg.Wait()
	for _, c := range p.cats {
		n := len(byCat[c.ID])
		p.noms = append(p.noms, tallied[:n:n])
		tallied = tallied[n:]
	}
	return p, nil
}

// Compute ranks every category under the decisions (the rule's jury_decision step) and returns the
// tally. A Prepared may be computed under any number of sets of decisions, one at a time.
func (p *Prepared) Compute(decisions []Decision) (Result, error) {
	if err := validateDecisions(decisions, p.valid.cats, p.valid.noms); err != nil {
		return Result{}, fmt.Errorf("invalid input: %w", err)
	}
	byCat := map[string][]string{}
	for _, d := range decisions {
		byCat[d.CategoryID] = append(byCat[d.CategoryID], d.Order...)
	}
	res := Result{Categories: make([]CategoryResult, 0, len(p.cats))}
	for ci, c := range p.cats {
		noms := make([]*nom, len(p.noms[ci]))
		for i, n := range p.noms[ci] {
			cp := *n                         // ordering and placing fill in the copy's rank, path and group
			cp.items = slices.Clip(cp.items) // and append to its own items
			noms[i] = &cp
		}
		ranked := order(p.rule, noms, byCat[c.ID])
		place(p.rule, ranked)
		cr := CategoryResult{CategoryID: c.ID, Nominations: make([]Ranked, 0, len(noms))}
		for _, n := range ranked {
			cr.Nominations = append(cr.Nominations, n.result())
		}
		for _, n := range noms {
			if !n.quorum {
				cr.Nominations = append(cr.Nominations, n.result())
			}
		}
		res.Categories = append(res.Categories, cr)
	}
	return res, nil
}

// RatString writes an exact rational as the specification does: "N/D" in lowest terms.
func RatString(x *big.Rat) string { return x.String() }

// step is one path entry: the comparison a nomination went through while tied.
type step struct {
	name   string
	params Args     // removed, criterion_id, number
	key    *big.Rat // compared, higher first
	value  any      // shown as mine/theirs; hasValue false for the steps without one
	has    bool
}

// nom is the working state of one nomination.
type nom struct {
	id       string
	vectors  [][]int
	recusals Recusals
	big      []*big.Int // the weighted sums, ascending
	quorum   bool
	score    *big.Rat
	criteria []CriterionScore
	topMarks int64
	median   *big.Int
	grades   []*big.Int
	path     []step
	group    []*nom
	rank     int
	winner   bool
	items    []Item
}

// tallyNomination computes everything about one nomination that does not depend on the others.
func tallyNomination(r Rule, in Nomination) *nom {
	n := &nom{id: in.ID, vectors: in.Vectors, recusals: in.Recusals}
	k := len(in.Vectors)
	n.big = make([]*big.Int, k)
	small := make([]int64, 0, k) // the weighted sums while every one fits an int64 (always, for real rules)
	for i, v := range in.Vectors {
		if w, ok := smallSum(r, v); ok && small != nil {
			small = append(small, w)
		} else {
			if small != nil { // the first sum that does not fit: the ones before become big.Ints
				for j, x := range small {
					n.big[j] = big.NewInt(x)
				}
				small = nil
			}
			n.big[i] = weightedSum(r, v)
		}
		for c, crit := range r.Criteria {
			if !crit.NonRanking && v[c] == crit.Max {
				n.topMarks++
			}
		}
	}
	if small != nil {
		// Sorting int64s is an order of magnitude faster than comparing big.Ints, and the sorted sums
		// take one allocation.
		slices.Sort(small)
		backing := make([]big.Int, k)
		for i, x := range small {
			n.big[i] = backing[i].SetInt64(x)
		}
	} else {
		slices.SortFunc(n.big, (*big.Int).Cmp)
	}
	n.quorum = k >= r.Quorum && k >= 1 && (r.Method != TrimmedMean || k > 2*r.TrimCount)
	n.criteria = make([]CriterionScore, len(r.Criteria))
	for c, crit := range r.Criteria {
		n.criteria[c] = CriterionScore{CriterionID: crit.ID, NonRanking: crit.NonRanking}
	}
	switch {
	case k < r.Quorum || k == 0:
		n.items = append(n.items, Item{CodeQuorumNotMet, Args{"jurors": k, "quorum": r.Quorum}}, Item{Code: CodeNotRanked, Args: Args{}})
		return n
	case !n.quorum:
		n.items = append(n.items, Item{CodeQuorumNotMetTrim, Args{"jurors": k, "trim_count": r.TrimCount, "needed": 2*r.TrimCount + 1}}, Item{Code: CodeNotRanked, Args: Args{}})
		return n
	}
	n.items = append(n.items, Item{CodeQuorumMet, Args{"jurors": k, "quorum": r.Quorum}})
	n.score = aggregate(r.Method, r.TrimCount, n.big)
	n.median = n.big[(k-1)/2]
	marks := make([]int, k)
	for c := range r.Criteria {
		for i, v := range in.Vectors {
			marks[i] = v[c]
		}
		slices.Sort(marks)
		n.criteria[c].Score = aggregateInts(r.Method, r.TrimCount, marks)
	}
	sums := make([]any, k)
	for i, s := range n.big {
		sums[i] = bigJSON(s)
	}
	score := Args{"method": string(r.Method), "score": RatString(n.score), "sums": sums}
	if r.Method == TrimmedMean {
		score["trim_count"] = r.TrimCount
	}
	n.items = append(n.items, Item{CodeScore, score})
	return n
}

// bigJSON is a weighted sum as a JSON number when it is one (within ±2^53−1), else as its decimal
// string; the rule's bounds (marks ≤ 100, weights ≤ 100, at most 20 criteria) keep sums far inside.
func bigJSON(x *big.Int) any {
	if x.IsInt64() && x.Int64() <= 1<<53-1 && x.Int64() >= -(1<<53-1) {
		return x.Int64()
	}
	return x.String()
}

// weightedSum is Σ weight × mark over the ranking criteria, in int64 while it cannot overflow.
func weightedSum(r Rule, v []int) *big.Int {
	if sum, ok := smallSum(r, v); ok {
		return big.NewInt(sum)
	}
	return bigSum(r, v)
}

// smallSum is the weighted sum of a vector's ranking marks when it and every partial sum fit an int64.
func smallSum(r Rule, v []int) (int64, bool) {
	var sum int64
	for c, crit := range r.Criteria {
		if crit.NonRanking {
			continue
		}
		hi, lo := bits.Mul64(uint64(crit.Weight), uint64(abs(v[c])))
		p := int64(lo)
		if hi != 0 || lo > math.MaxInt64 || v[c] == math.MinInt {
			return 0, false
		}
		if v[c] < 0 {
			p = -p
		}
		if p > 0 && sum > math.MaxInt64-p || p < 0 && sum < math.MinInt64-p {
			return 0, false
		}
		sum += p
	}
	return sum, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func bigSum(r Rule, v []int) *big.Int {
	sum, tmp := new(big.Int), new(big.Int)
	for c, crit := range r.Criteria {
		if !crit.NonRanking {
			tmp.SetInt64(int64(v[c]))
			sum.Add(sum, tmp.Mul(tmp, big.NewInt(crit.Weight)))
		}
	}
	return sum
}

// aggregateInts is aggregate for one criterion's ascending marks.
func aggregateInts(m Method, trim int, sorted []int) *big.Rat {
	n := len(sorted)
	switch m {
	case WeightedMean:
	case TrimmedMean:
		sorted = sorted[trim : n-trim]
	default: // Median, MajorityJudgment: the lower median
		return new(big.Rat).SetInt64(int64(sorted[(n-1)/2]))
	}
	var sum int64
	for i, x := range sorted {
		if (x > 0 && sum > math.MaxInt64-int64(x)) || (x < 0 && sum < math.MinInt64-int64(x)) {
			total := big.NewInt(sum)
			for _, y := range sorted[i:] {
				total.Add(total, big.NewInt(int64(y)))
			}
			return new(big.Rat).SetFrac(total, big.NewInt(int64(len(sorted))))
		}
		sum += int64(x)
	}
	return new(big.Rat).SetFrac(big.NewInt(sum), big.NewInt(int64(len(sorted))))
}

// aggregate applies the method to ascending values.
func aggregate(m Method, trim int, sorted []*big.Int) *big.Rat {
	n := len(sorted)
	switch m {
	case WeightedMean:
		return mean(sorted)
	case TrimmedMean:
		return mean(sorted[trim : n-trim])
	default: // Median, MajorityJudgment: the lower median
		return new(big.Rat).SetInt(sorted[(n-1)/2])
	}
}

func mean(xs []*big.Int) *big.Rat {
	sum := new(big.Int)
	for _, x := range xs {
		sum.Add(sum, x)
	}
	return new(big.Rat).SetFrac(sum, big.NewInt(int64(len(xs))))
}

// order returns the ranked nominations best first and sets their paths and final groups. noms are
// sorted by ID; decision is the category's jury decisions concatenated in the order recorded.
func order(r Rule, noms []*nom, decision []string) []*nom {
	var ranked []*nom
	for _, n := range noms {
		if n.quorum {
			ranked = append(ranked, n)
		}
	}
	slices.SortStableFunc(ranked, func(a, b *nom) int { return b.score.Cmp(a.score) })
	var groups [][]*nom
	for i := 0; i < len(ranked); {
		j := i + 1
		for j < len(ranked) && ranked[j].score.Cmp(ranked[i].score) == 0 {
			j++
		}
		groups = append(groups, slices.Clone(ranked[i:j]))
		i = j
	}
	refine := func(f func([]*nom) [][]*nom) {
		var next [][]*nom
		for _, g := range groups {
			if len(g) < 2 {
				next = append(next, g)
				continue
			}
			next = append(next, f(g)...)
		}
		groups = next
	}
	if r.Method == MajorityJudgment {
		for _, n := range ranked {
			n.grades = slices.Clone(n.big)
		}
		refine(func(g []*nom) [][]*nom { return majorityJudgment(g, 0) })
	}
	for _, t := range r.TieBreaks {
		switch t {
		case MoreTopMarks:
			refine(func(g []*nom) [][]*nom {
				return split(g, StepMoreTopMarks, nil, func(n *nom) (*big.Rat, any) {
					return new(big.Rat).SetInt64(n.topMarks), n.topMarks
				})
			})
		case HigherMedian:
			refine(func(g []*nom) [][]*nom {
				return split(g, StepHigherMedian, nil, func(n *nom) (*big.Rat, any) {
					return new(big.Rat).SetInt(n.median), bigJSON(n.median)
				})
			})
		case CriteriaInOrder:
			for c, crit := range r.Criteria {
				if crit.NonRanking {
					continue
				}
				params := Args{"criterion_id": crit.ID, "number": crit.Number}
				refine(func(g []*nom) [][]*nom {
					return split(g, StepCriteriaInOrder, params, func(n *nom) (*big.Rat, any) {
						return n.criteria[c].Score, RatString(n.criteria[c].Score)
					})
				})
			}
		case JuryDecision:
			places := map[string]int{}
			for _, id := range decision {
				if _, seen := places[id]; !seen {
					places[id] = len(places) + 1
				}
			}
			refine(func(g []*nom) [][]*nom {
				if len(decision) == 0 {
					for _, n := range g {
						n.path = append(n.path, step{name: StepJuryDecisionMissing, key: new(big.Rat)})
					}
					return [][]*nom{g}
				}
				return split(g, StepJuryDecision, nil, func(n *nom) (*big.Rat, any) {
					if p, ok := places[n.id]; ok {
						return big.NewRat(-int64(p), 1), p
					}
					return big.NewRat(-int64(len(places))-1, 1), nil
				})
			})
		}
	}
	out := make([]*nom, 0, len(ranked))
	for _, g := range groups {
		for _, n := range g {
			n.group = g
		}
		out = append(out, g...)
	}
	return out
}

// split orders a group by key (higher first, stable), appends the step to every member's path and
// returns the runs of equal keys.
func split(g []*nom, name string, params Args, keyOf func(*nom) (*big.Rat, any)) [][]*nom {
	keys := make(map[*nom]*big.Rat, len(g))
	for _, n := range g {
		k, v := keyOf(n)
		keys[n] = k
		n.path = append(n.path, step{name: name, params: params, key: k, value: v, has: true})
	}
	s := slices.Clone(g)
	slices.SortStableFunc(s, func(a, b *nom) int { return keys[b].Cmp(keys[a]) })
	var out [][]*nom
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && keys[s[j]].Cmp(keys[s[i]]) == 0 {
			j++
		}
		out = append(out, s[i:j:j])
		i = j
	}
	return out
}

// majorityJudgment separates nominations with the same majority grade by Balinski–Laraki's
// procedure (§9.5.1).
func majorityJudgment(g []*nom, removed int) [][]*nom {
	if len(g) < 2 {
		return [][]*nom{g}
	}
	for _, n := range g {
		if len(n.grades) <= 1 {
			for _, m := range g {
				m.path = append(m.path, step{name: StepMajorityExhausted, params: Args{"removed": removed}, key: new(big.Rat)})
			}
			return [][]*nom{g}
		}
	}
	for _, n := range g {
		n.grades = slices.Delete(n.grades, (len(n.grades)-1)/2, (len(n.grades)-1)/2+1)
	}
	removed++
	var out [][]*nom
	for _, part := range split(g, StepMajorityJudgment, Args{"removed": removed}, func(n *nom) (*big.Rat, any) {
		m := n.grades[(len(n.grades)-1)/2]
		return new(big.Rat).SetInt(m), bigJSON(m)
	}) {
		out = append(out, majorityJudgment(part, removed)...)
	}
	return out
}

// place assigns competition ranks and winners and writes the placing items.
func place(r Rule, ranked []*nom) {
	for i := 0; i < len(ranked); {
		g := ranked[i].group
		for _, n := range g {
			n.rank = i + 1
		}
		i += len(g)
	}
	for i, n := range ranked {
		n.items = append(n.items, Item{CodeRank, Args{"rank": n.rank, "of": len(ranked)}})
		if i > 0 && ranked[i-1].score.Cmp(n.score) == 0 {
			n.items = append(n.items, tieItem(n, ranked[i-1]))
		}
		if i+1 < len(ranked) && ranked[i+1].score.Cmp(n.score) == 0 {
			n.items = append(n.items, tieItem(n, ranked[i+1]))
		}
		decideWinner(r, n)
	}
}

// tieItem compares n's path with an adjacent nomination's of the same score (§9.7 item 4).
func tieItem(n, other *nom) Item {
	var steps []any
	outcome := "shared"
	for i := 0; i < len(n.path) && i < len(other.path); i++ {
		a, o := n.path[i], other.path[i]
		s := Args{"step": a.name}
		for k, v := range a.params {
			s[k] = v
		}
		if a.has {
			s["mine"], s["theirs"] = a.value, o.value
		}
		steps = append(steps, s)
		if c := a.key.Cmp(o.key); c != 0 {
			outcome = "below"
			if c > 0 {
				outcome = "above"
			}
			break
		}
	}
	if steps == nil {
		steps = []any{}
	}
	args := Args{"with": other.id, "outcome": outcome, "steps": steps}
	if outcome == "shared" {
		args["members"], args["rank"] = len(n.group), n.rank
	}
	return Item{CodeTie, args}
}

func decideWinner(r Rule, n *nom) {
	last := n.rank + len(n.group) - 1
	w := r.Winners
	switch {
	case n.rank > w:
		n.items = append(n.items, Item{CodeNotWinnerRank, Args{"rank": n.rank, "places": w}})
	case r.MinimumScore != nil && n.score.Cmp(r.MinimumScore) < 0:
		n.items = append(n.items, Item{CodeNotWinnerMinimum, Args{"rank": n.rank, "places": w, "score": RatString(n.score), "minimum_score": RatString(r.MinimumScore)}})
	case last > w:
		n.winner = true
		others := []any{}
		for _, m := range n.group {
			if m != n {
				others = append(others, m.id)
			}
		}
		n.items = append(n.items, Item{CodeWinnerShared, Args{"rank": n.rank, "places": w, "with": others}})
	default:
		n.winner = true
		args := Args{"rank": n.rank, "places": w}
		if r.MinimumScore != nil {
			args["minimum_score"] = RatString(r.MinimumScore)
		}
		n.items = append(n.items, Item{CodeWinner, args})
	}
}

func (n *nom) result() Ranked {
	out := Ranked{
		NominationID: n.id, Rank: n.rank, Score: n.score, Winner: n.winner, QuorumMet: n.quorum,
		Jurors: len(n.vectors), Criteria: n.criteria, Recusals: n.recusals, Explanation: n.items,
	}
	if len(n.group) > 1 {
		for _, m := range n.group {
			out.Tie = append(out.Tie, m.id)
		}
	}
	return out
}
