package tally

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
)

// Compute validates and tallies; an invalid input yields the Validate error and no partial result,
// so nothing publishable can come from a rejected input.
func Compute(in Input) (Result, error) {
	if err := Validate(in); err != nil {
		return Result{}, fmt.Errorf("invalid input: %w", err)
	}
	return compute(in), nil
}

// rule is Input.Rule prepared for the tally: criteria by Number, weights as big integers.
type rule struct {
	Rule
	criteria []Criterion // by Number, then ID
	ranking  []int       // indexes into criteria of the ranking criteria
	weights  []*big.Int  // by index into criteria
	formula  string      // the weighted-sum sentence shared by every explanation
}

func newRule(r Rule) *rule {
	p := &rule{Rule: r, criteria: slices.Clone(r.Criteria)}
	slices.SortFunc(p.criteria, func(a, b Criterion) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), strings.Compare(a.ID, b.ID))
	})
	var terms, excluded []string
	for i, c := range p.criteria {
		p.weights = append(p.weights, big.NewInt(c.Weight))
		if c.NonRanking {
			excluded = append(excluded, c.ID)
			continue
		}
		p.ranking = append(p.ranking, i)
		terms = append(terms, fmt.Sprintf("%d×%s", c.Weight, c.ID))
	}
	p.formula = "Each juror's weighted sum is " + strings.Join(terms, " + ")
	if len(excluded) > 0 {
		p.formula += "; non-ranking " + plural(len(excluded), "criterion", "criteria") + " " +
			strings.Join(excluded, ", ") + " " + plural(len(excluded), "is", "are") + " shown but not counted"
	}
	p.formula += "."
	return p
}

// step is one comparison a nomination went through while tied: the tie-break (or majority-judgment
// round) that was applied, the value compared (higher is better) and how to print it.
type step struct {
	label string
	key   *big.Rat
	show  string
	fixed string // when set, the whole phrase for the step, used when there is no value to show
}

// nom is the working state of one nomination.
type nom struct {
	id        string
	jurors    []JurorScore // counted jurors, by juror key
	sums      []*big.Int   // their weighted sums, ascending
	recusals  []Recusal
	notes     []string // jurors not counted because their marks were incomplete
	quorum    bool
	score     *big.Rat
	criteria  []CriterionScore
	topMarks  int
	median    *big.Int
	mj        []*big.Int // majority-judgment working grades, shrinking round by round
	path      []step
	group     []*nom // the final tie class (a single element when the tie was broken)
	rank      int
	winner    bool
	explained []string
}

func compute(in Input) Result {
	r := newRule(in.Rule)
	ballots := slices.Clone(in.Ballots)
	slices.SortStableFunc(ballots, func(a, b Ballot) int { return strings.Compare(a.Juror, b.Juror) })
	cats := slices.Clone(in.Categories)
	slices.SortFunc(cats, func(a, b Category) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), strings.Compare(a.ID, b.ID))
	})
	byCat := make(map[string][]string)
	for _, n := range in.Nominations {
		byCat[n.CategoryID] = append(byCat[n.CategoryID], n.ID)
	}
	decisions := make(map[string]map[string]int, len(in.Decisions))
	for _, d := range in.Decisions {
		pos := make(map[string]int, len(d.Order))
		for i, id := range d.Order {
			if _, dup := pos[id]; !dup {
				pos[id] = i + 1
			}
		}
		decisions[d.CategoryID] = pos
	}

	res := Result{Categories: make([]CategoryResult, 0, len(cats))}
	for _, c := range cats {
		ids := slices.Clone(byCat[c.ID])
		slices.Sort(ids)
		ids = slices.Compact(ids)
		noms := make([]*nom, len(ids))
		for i, id := range ids {
			noms[i] = r.tallyNomination(id, ballots)
		}
		dec, hasDec := decisions[c.ID]
		ranked := r.order(noms, dec, hasDec)
		r.place(ranked)
		cr := CategoryResult{CategoryID: c.ID, Nominations: make([]Ranked, 0, len(noms))}
		for _, n := range ranked {
			cr.Nominations = append(cr.Nominations, n.result())
		}
		for _, n := range noms {
			if !n.quorum {
				n.explained = append(n.explained, "Not ranked and not a winner, because the quorum is not met.")
				cr.Nominations = append(cr.Nominations, n.result())
			}
		}
		res.Categories = append(res.Categories, cr)
	}
	return res
}

// tallyNomination computes everything about one nomination that does not depend on the others.
// Ballots must be sorted by juror key. Each juror's marks are looked up once: the same pass finds
// missing ranking marks, adds up the weighted sum (in int64 while it cannot overflow, else in
// big.Int) and collects each criterion's marks for its aggregate. The weighted sums are rationals
// allocated in one block, and n.sums points at their numerators (no copy; neither is changed after).
func (r *rule) tallyNomination(id string, ballots []Ballot) *nom {
	n := &nom{id: id}
	var missing []string
	vals := make([]int, len(r.criteria))
	has := make([]bool, len(r.criteria))
	perCriterion := make([][]int, len(r.criteria))
	rats := make([]big.Rat, 0, len(ballots))
	n.jurors = make([]JurorScore, 0, len(ballots))
	n.sums = make([]*big.Int, 0, len(ballots))
	for _, b := range ballots {
		if kind, ok := b.Recusals[id]; ok {
			// A recused juror never counts, whatever the ballot holds for the nomination.
			n.recusals = append(n.recusals, Recusal{Juror: b.Juror, Kind: kind})
			continue
		}
		marks := b.Scores[id]
		if len(marks) == 0 {
			continue
		}
		for i, c := range r.criteria {
			vals[i], has[i] = marks[c.ID]
		}
		missing = missing[:0]
		for _, i := range r.ranking {
			if !has[i] {
				missing = append(missing, r.criteria[i].ID)
			}
		}
		if len(missing) > 0 {
			n.notes = append(n.notes, fmt.Sprintf("Juror %s is not counted: the marks are incomplete (no %s for ranking %s %s).",
				b.Juror, plural(len(missing), "score", "scores"), plural(len(missing), "criterion", "criteria"), strings.Join(missing, ", ")))
			continue
		}
		rats = append(rats, big.Rat{})
		sum := &rats[len(rats)-1]
		// Setting the numerator alone leaves the zero denominator, which big.Rat reads as 1, and
		// saves an allocation per juror.
		if s, ok := r.smallSum(vals); ok {
			sum.Num().SetInt64(s)
		} else {
			sum.Num().Set(r.bigSum(vals))
		}
		for _, i := range r.ranking {
			if vals[i] == r.criteria[i].Max {
				n.topMarks++
			}
		}
		for i := range r.criteria {
			if has[i] {
				perCriterion[i] = append(perCriterion[i], vals[i])
			}
		}
		n.jurors = append(n.jurors, JurorScore{Juror: b.Juror, Scores: maps.Clone(marks), WeightedSum: sum})
		n.sums = append(n.sums, sum.Num())
	}
	slices.SortFunc(n.sums, (*big.Int).Cmp)

	count := len(n.jurors)
	n.quorum = count >= 1 && count >= r.Quorum && (r.Method != TrimmedMean || count > 2*r.TrimCount)
	n.explained = append(n.explained, r.formula)
	switch {
	case count < r.Quorum || count == 0:
		n.explained = append(n.explained, fmt.Sprintf("Quorum not met: %s scored every ranking criterion, %d needed.",
			jurorCount(count), max(r.Quorum, 1)))
	case !n.quorum:
		n.explained = append(n.explained, fmt.Sprintf("Quorum not met: %s scored every ranking criterion, but TrimmedMean drops the %d highest and the %d lowest weighted sums and so needs at least %d.",
			jurorCount(count), r.TrimCount, r.TrimCount, 2*r.TrimCount+1))
	default:
		n.explained = append(n.explained, fmt.Sprintf("Quorum met: %s scored every ranking criterion (quorum %d).", jurorCount(count), r.Quorum))
	}
	if len(n.recusals) > 0 {
		parts := make([]string, len(n.recusals))
		for i, rc := range n.recusals {
			parts[i] = fmt.Sprintf("%s (%s)", rc.Juror, rc.Kind)
		}
		n.explained = append(n.explained, "Recused and not counted: "+strings.Join(parts, ", ")+".")
	}
	n.explained = append(n.explained, n.notes...)

	n.criteria = make([]CriterionScore, len(r.criteria))
	for i, c := range r.criteria {
		n.criteria[i] = CriterionScore{CriterionID: c.ID, NonRanking: c.NonRanking}
		if !n.quorum {
			continue
		}
		slices.Sort(perCriterion[i])
		n.criteria[i].Score = aggregateInts(r.Method, r.TrimCount, perCriterion[i])
	}
	if n.quorum {
		n.score = aggregate(r.Method, r.TrimCount, n.sums)
		n.median = n.sums[(count-1)/2]
		n.explained = append(n.explained, r.scoreSentence(n))
	}
	return n
}

// smallSum is the weighted sum of a juror's ranking marks (vals by criterion index) when every
// product and partial sum fits an int64; ok is false when one would overflow.
func (r *rule) smallSum(vals []int) (sum int64, ok bool) {
	for _, i := range r.ranking {
		w, s := r.criteria[i].Weight, int64(vals[i])
		hi, lo := bits.Mul64(uint64(w), uint64(max(s, -s))) // w >= 1; |s| fits unless s is MinInt64
		if s == math.MinInt64 || hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		p := int64(lo)
		if s < 0 {
			p = -p
		}
		if p > 0 && sum > math.MaxInt64-p || p < 0 && sum < math.MinInt64-p {
			return 0, false
		}
		sum += p
	}
	return sum, true
}

// bigSum is the weighted sum of a juror's ranking marks in arbitrary precision.
func (r *rule) bigSum(vals []int) *big.Int {
	sum, tmp := new(big.Int), new(big.Int)
	for _, i := range r.ranking {
		tmp.SetInt64(int64(vals[i]))
		sum.Add(sum, tmp.Mul(tmp, r.weights[i]))
	}
	return sum
}

// aggregate applies the method to ascending weighted sums; nil when it is undefined.
func aggregate(m Method, trim int, sorted []*big.Int) *big.Rat {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	switch m {
	case WeightedMean:
		return mean(sorted)
	case TrimmedMean:
		if n <= 2*trim {
			return nil
		}
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

// aggregateInts is aggregate for one criterion's ascending raw marks.
func aggregateInts(m Method, trim int, sorted []int) *big.Rat {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	switch m {
	case WeightedMean:
	case TrimmedMean:
		if n <= 2*trim {
			return nil
		}
		sorted = sorted[trim : n-trim]
	default:
		return new(big.Rat).SetInt64(int64(sorted[(n-1)/2]))
	}
	sum, tmp := new(big.Int), new(big.Int)
	for _, s := range sorted {
		sum.Add(sum, tmp.SetInt64(int64(s)))
	}
	return new(big.Rat).SetFrac(sum, big.NewInt(int64(len(sorted))))
}

// order returns the quorum-met nominations best first and sets their tie paths and final tie
// classes. noms must be sorted by ID, which is the display order inside an unbroken tie.
func (r *rule) order(noms []*nom, decision map[string]int, hasDecision bool) []*nom {
	var ranked []*nom
	for _, n := range noms {
		if n.quorum {
			ranked = append(ranked, n)
		}
	}
	// Higher score first, equal scores by ID (the order of noms): the order a stable sort by score
	// gives, with the fewer comparisons of an unstable sort, each of which costs big.Rat allocations.
	slices.SortFunc(ranked, func(a, b *nom) int { return cmp.Or(b.score.Cmp(a.score), strings.Compare(a.id, b.id)) })
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
			n.mj = slices.Clone(n.sums)
		}
		refine(func(g []*nom) [][]*nom { return majorityJudgment(g, 0) })
	}
	for _, t := range r.TieBreaks {
		switch t {
		case MoreTopMarks:
			refine(func(g []*nom) [][]*nom {
				return split(g, t.String(), func(n *nom) (*big.Rat, string) {
					return new(big.Rat).SetInt64(int64(n.topMarks)), fmt.Sprint(n.topMarks)
				})
			})
		case HigherMedian:
			refine(func(g []*nom) [][]*nom {
				return split(g, t.String(), func(n *nom) (*big.Rat, string) {
					return new(big.Rat).SetInt(n.median), n.median.String()
				})
			})
		case CriteriaInOrder:
			for _, i := range r.ranking {
				c := r.criteria[i]
				label := fmt.Sprintf("%s, criterion %d (%s)", t, c.Number, c.ID)
				refine(func(g []*nom) [][]*nom {
					return split(g, label, func(n *nom) (*big.Rat, string) {
						return n.criteria[i].Score, FormatRat(n.criteria[i].Score)
					})
				})
			}
		case JuryDecision:
			refine(func(g []*nom) [][]*nom {
				if !hasDecision {
					for _, n := range g {
						n.path = append(n.path, step{label: t.String(), key: new(big.Rat), fixed: "JuryDecision: no decision is recorded for this category"})
					}
					return [][]*nom{g}
				}
				// Listed nominations come first in the recorded order; unlisted ones stay tied after them.
				return split(g, t.String(), func(n *nom) (*big.Rat, string) {
					pos, ok := decision[n.id]
					if !ok {
						return big.NewRat(-int64(len(decision))-1, 1), "not listed in the recorded order"
					}
					return big.NewRat(-int64(pos), 1), fmt.Sprintf("place %d in the recorded order", pos)
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

// split orders a tied group by a key (higher first), appends the comparison to every member's
// path, and returns the runs of equal keys; members with equal keys keep their order.
func split(g []*nom, label string, keyOf func(*nom) (*big.Rat, string)) [][]*nom {
	keys := make(map[*nom]*big.Rat, len(g))
	for _, n := range g {
		k, show := keyOf(n)
		keys[n] = k
		n.path = append(n.path, step{label: label, key: k, show: show})
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
// procedure: remove one instance of the current median grade from each list and compare the new
// lower medians; equal ones go on to the next round, until a list would run out.
func majorityJudgment(g []*nom, removed int) [][]*nom {
	if len(g) < 2 {
		return [][]*nom{g}
	}
	for _, n := range g {
		if len(n.mj) <= 1 {
			fixed := "majority judgment: no grades left to compare"
			if removed > 0 {
				fixed = fmt.Sprintf("majority judgment: no grades left to compare after %d %s", removed,
					plural(removed, "removal", "removals"))
			}
			for _, m := range g {
				m.path = append(m.path, step{label: "majority judgment", key: new(big.Rat), fixed: fixed})
			}
			return [][]*nom{g}
		}
	}
	for _, n := range g {
		n.mj = slices.Delete(n.mj, (len(n.mj)-1)/2, (len(n.mj)-1)/2+1)
	}
	removed++
	label := fmt.Sprintf("majority judgment with %d median %s removed", removed, plural(removed, "grade", "grades"))
	var out [][]*nom
	for _, part := range split(g, label, func(n *nom) (*big.Rat, string) {
		m := n.mj[(len(n.mj)-1)/2]
		return new(big.Rat).SetInt(m), m.String()
	}) {
		out = append(out, majorityJudgment(part, removed)...)
	}
	return out
}

// place assigns competition ranks and winners and writes the placing sentences.
func (r *rule) place(ranked []*nom) {
	for i := 0; i < len(ranked); {
		g := ranked[i].group
		for _, n := range g {
			n.rank = i + 1
		}
		i += len(g)
	}
	for i, n := range ranked {
		n.explained = append(n.explained, fmt.Sprintf("Rank %d of %d ranked %s in the category.", n.rank, len(ranked),
			plural(len(ranked), "nomination", "nominations")))
		if i > 0 && ranked[i-1].score.Cmp(n.score) == 0 {
			n.explained = append(n.explained, r.tieSentence(n, ranked[i-1], false))
		}
		if i+1 < len(ranked) && ranked[i+1].score.Cmp(n.score) == 0 {
			n.explained = append(n.explained, r.tieSentence(n, ranked[i+1], true))
		}
		r.decideWinner(n)
	}
}

func (r *rule) decideWinner(n *nom) {
	last := n.rank + len(n.group) - 1
	switch {
	case n.rank > r.Winners:
		n.explained = append(n.explained, fmt.Sprintf("Not a winner: rank %d is outside the %s.", n.rank, winningPlaces(r.Winners)))
	case r.MinimumScore != nil && n.score.Cmp(r.MinimumScore) < 0:
		n.explained = append(n.explained, fmt.Sprintf("Not a winner: the score %s is below the minimum score %s, although rank %d is within the %s.",
			FormatRat(n.score), FormatRat(r.MinimumScore), n.rank, winningPlaces(r.Winners)))
	case last > r.Winners:
		n.winner = true
		var others []string
		for _, m := range n.group {
			if m != n {
				others = append(others, m.id)
			}
		}
		n.explained = append(n.explained, fmt.Sprintf("Winner: shares rank %d with %s across the boundary of the %s, so all of them are winners.",
			n.rank, strings.Join(others, ", "), winningPlaces(r.Winners)))
	default:
		n.winner = true
		s := fmt.Sprintf("Winner: rank %d is within the %s", n.rank, winningPlaces(r.Winners))
		if r.MinimumScore != nil {
			s += fmt.Sprintf(" and the score is at least the minimum score %s", FormatRat(r.MinimumScore))
		}
		n.explained = append(n.explained, s+".")
	}
}

func (n *nom) result() Ranked {
	out := Ranked{
		NominationID: n.id,
		Rank:         n.rank,
		Score:        n.score,
		Winner:       n.winner,
		QuorumMet:    n.quorum,
		Jurors:       len(n.jurors),
		Criteria:     n.criteria,
		PerJuror:     n.jurors,
		Recusals:     n.recusals,
		Explanation:  n.explained,
	}
	if out.PerJuror == nil {
		out.PerJuror = []JurorScore{}
	}
	if out.Recusals == nil {
		out.Recusals = []Recusal{}
	}
	return out
}
