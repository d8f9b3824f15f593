package tally

import (
	"bytes"
	"cmp"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// specDocument is an independent model of §9 of the specification, written from its text alone and
// sharing no code with the engine: it computes the tally document (§9.7) for a valid input as plain
// JSON values and encodes it canonically. Property tests compare its bytes with Canonical(Compute).
//
// The one place where the model follows the specification's words and the engine does not is a
// nomination listed more than once in a category's decisions (see
// TestSpecJuryDecisionPlaceIsPositionInConcatenation); the comparisons below draw decisions without
// repeats.
func specDocument(in Input) []byte {
	rule := in.Rule
	cats := slices.Clone(in.Categories)
	slices.SortFunc(cats, func(a, b Category) int { return cmp.Compare(a.Number, b.Number) })
	var categories []any
	for _, c := range cats {
		var D []string
		for _, d := range in.Decisions {
			if d.CategoryID == c.ID {
				D = append(D, d.Order...)
			}
		}
		var noms []*specNom
		for _, n := range in.Nominations {
			if n.CategoryID == c.ID {
				noms = append(noms, specNomination(rule, n))
			}
		}
		slices.SortFunc(noms, func(a, b *specNom) int { return strings.Compare(a.id, b.id) })
		categories = append(categories, map[string]any{"category_id": c.ID, "nominations": specCategory(rule, noms, D)})
	}
	if categories == nil {
		categories = []any{}
	}
	b, err := canon.Encode(map[string]any{"categories": categories, "format": "miasta-tally/2"})
	if err != nil {
		panic(err)
	}
	return b
}

type specEntry struct {
	step   string
	params map[string]any
	key    *big.Rat
	value  any
	has    bool
}

type specNom struct {
	id       string
	k        int
	sums     []*big.Int // increasing
	quorum   bool
	score    *big.Rat
	aggs     []*big.Rat
	top      int64
	median   *big.Int
	grades   []*big.Int
	path     []specEntry
	rank     int
	final    []*specNom
	recusals Recusals
}

func ratText(x *big.Rat) any {
	if x == nil {
		return nil
	}
	return x.Num().String() + "/" + x.Denom().String()
}

// specMethod applies the method to values in increasing order (§9.3).
func specMethod(r Rule, xs []*big.Int) *big.Rat {
	k := len(xs)
	switch r.Method {
	case Median, MajorityJudgment:
		return new(big.Rat).SetInt(xs[(k-1)/2])
	case TrimmedMean:
		xs = xs[r.TrimCount : k-r.TrimCount]
	}
	total := new(big.Int)
	for _, x := range xs {
		total.Add(total, x)
	}
	return new(big.Rat).SetFrac(total, big.NewInt(int64(len(xs))))
}

// specNomination: §9.2 and §9.3.
func specNomination(r Rule, n Nomination) *specNom {
	s := &specNom{id: n.ID, k: len(n.Vectors), recusals: n.Recusals}
	for _, v := range n.Vectors {
		sum := new(big.Int)
		for c, crit := range r.Criteria {
			if crit.NonRanking {
				continue
			}
			sum.Add(sum, new(big.Int).Mul(big.NewInt(crit.Weight), big.NewInt(int64(v[c]))))
			if v[c] == crit.Max {
				s.top++
			}
		}
		s.sums = append(s.sums, sum)
	}
	slices.SortFunc(s.sums, func(a, b *big.Int) int { return a.Cmp(b) })
	s.quorum = s.k >= r.Quorum && (r.Method != TrimmedMean || s.k > 2*r.TrimCount)
	s.aggs = make([]*big.Rat, len(r.Criteria))
	if !s.quorum {
		return s
	}
	s.median = s.sums[(s.k-1)/2]
	s.score = specMethod(r, s.sums)
	for c := range r.Criteria {
		var marks []*big.Int
		for _, v := range n.Vectors {
			marks = append(marks, big.NewInt(int64(v[c])))
		}
		slices.SortFunc(marks, func(a, b *big.Int) int { return a.Cmp(b) })
		s.aggs[c] = specMethod(r, marks)
	}
	s.grades = slices.Clone(s.sums)
	return s
}

// specStep gives a member of a group its path entry (with its key) for one step.
type specStep func(n *specNom) specEntry

// specSplit appends the step's entries, sorts by key (higher first, stable) and splits.
func specSplit(g []*specNom, step specStep) [][]*specNom {
	for _, n := range g {
		n.path = append(n.path, step(n))
	}
	last := func(n *specNom) *big.Rat { return n.path[len(n.path)-1].key }
	s := slices.Clone(g)
	slices.SortStableFunc(s, func(a, b *specNom) int { return last(b).Cmp(last(a)) })
	var out [][]*specNom
	for _, n := range s {
		if len(out) > 0 && last(out[len(out)-1][0]).Cmp(last(n)) == 0 {
			out[len(out)-1] = append(out[len(out)-1], n)
		} else {
			out = append(out, []*specNom{n})
		}
	}
	return out
}

// specMJ: §9.5.1, for one group, with removal counter r.
func specMJ(g []*specNom, r int) [][]*specNom {
	if len(g) < 2 {
		return [][]*specNom{g}
	}
	if slices.ContainsFunc(g, func(n *specNom) bool { return len(n.grades) <= 1 }) {
		for _, n := range g {
			n.path = append(n.path, specEntry{step: "majority_judgment_exhausted", params: map[string]any{"removed": r}, key: new(big.Rat)})
		}
		return [][]*specNom{g}
	}
	for _, n := range g {
		i := (len(n.grades) - 1) / 2
		n.grades = append(slices.Clone(n.grades[:i]), n.grades[i+1:]...)
	}
	r++
	var out [][]*specNom
	for _, part := range specSplit(g, func(n *specNom) specEntry {
		m := n.grades[(len(n.grades)-1)/2]
		return specEntry{step: "majority_judgment", params: map[string]any{"removed": r}, key: new(big.Rat).SetInt(m), value: m.Int64(), has: true}
	}) {
		out = append(out, specMJ(part, r)...)
	}
	return out
}

// specCategory: §9.4, §9.5, §9.7 and §9.8 for one category's nominations (sorted by id).
func specCategory(rule Rule, noms []*specNom, D []string) []any {
	var ranked []*specNom
	for _, n := range noms {
		if n.quorum {
			ranked = append(ranked, n)
		}
	}
	slices.SortStableFunc(ranked, func(a, b *specNom) int { return b.score.Cmp(a.score) })
	var groups [][]*specNom
	for _, n := range ranked {
		if len(groups) > 0 && groups[len(groups)-1][0].score.Cmp(n.score) == 0 {
			groups[len(groups)-1] = append(groups[len(groups)-1], n)
		} else {
			groups = append(groups, []*specNom{n})
		}
	}
	refine := func(f func([]*specNom) [][]*specNom) {
		var next [][]*specNom
		for _, g := range groups {
			if len(g) >= 2 {
				next = append(next, f(g)...)
			} else {
				next = append(next, g)
			}
		}
		groups = next
	}
	if rule.Method == MajorityJudgment {
		refine(func(g []*specNom) [][]*specNom { return specMJ(g, 0) })
	}
	// The jury's places: the 1-based position of a nomination's first occurrence in D; L distinct.
	place := map[string]int{}
	for i, id := range D {
		if _, ok := place[id]; !ok {
			place[id] = i + 1
		}
	}
	L := len(place)
	for _, tb := range rule.TieBreaks {
		switch tb {
		case MoreTopMarks:
			refine(func(g []*specNom) [][]*specNom {
				return specSplit(g, func(n *specNom) specEntry {
					return specEntry{step: "more_top_marks", key: big.NewRat(n.top, 1), value: n.top, has: true}
				})
			})
		case HigherMedian:
			refine(func(g []*specNom) [][]*specNom {
				return specSplit(g, func(n *specNom) specEntry {
					return specEntry{step: "higher_median", key: new(big.Rat).SetInt(n.median), value: n.median.Int64(), has: true}
				})
			})
		case CriteriaInOrder:
			for c, crit := range rule.Criteria {
				if crit.NonRanking {
					continue
				}
				refine(func(g []*specNom) [][]*specNom {
					return specSplit(g, func(n *specNom) specEntry {
						return specEntry{step: "criteria_in_order", params: map[string]any{"criterion_id": crit.ID, "number": crit.Number},
							key: n.aggs[c], value: ratText(n.aggs[c]), has: true}
					})
				})
			}
		case JuryDecision:
			refine(func(g []*specNom) [][]*specNom {
				if len(D) == 0 {
					for _, n := range g {
						n.path = append(n.path, specEntry{step: "jury_decision_missing", key: new(big.Rat)})
					}
					return [][]*specNom{g}
				}
				return specSplit(g, func(n *specNom) specEntry {
					if p, ok := place[n.id]; ok {
						return specEntry{step: "jury_decision", key: big.NewRat(-int64(p), 1), value: p, has: true}
					}
					return specEntry{step: "jury_decision", key: big.NewRat(-int64(L+1), 1), value: nil, has: true}
				})
			})
		}
	}
	var final []*specNom
	for _, g := range groups {
		for _, n := range g {
			n.final = g
		}
		final = append(final, g...)
	}
	// Competition ranks: one plus the number of ranked nominations before the group.
	for i := 0; i < len(final); {
		g := final[i].final
		for _, n := range g {
			n.rank = i + 1
		}
		i += len(g)
	}
	out := []any{}
	W := rule.Winners
	for i, n := range final {
		items := []any{
			map[string]any{"code": "quorum_met", "jurors": n.k, "quorum": rule.Quorum},
		}
		sums := []any{}
		for _, s := range n.sums {
			sums = append(sums, s.Int64())
		}
		score := map[string]any{"code": "score", "method": string(rule.Method), "score": ratText(n.score), "sums": sums}
		if rule.Method == TrimmedMean {
			score["trim_count"] = rule.TrimCount
		}
		items = append(items, score, map[string]any{"code": "rank", "of": len(final), "rank": n.rank})
		if i > 0 && final[i-1].score.Cmp(n.score) == 0 {
			items = append(items, specTie(n, final[i-1]))
		}
		if i+1 < len(final) && final[i+1].score.Cmp(n.score) == 0 {
			items = append(items, specTie(n, final[i+1]))
		}
		winner := false
		switch {
		case n.rank > W:
			items = append(items, map[string]any{"code": "not_winner_rank", "places": W, "rank": n.rank})
		case rule.MinimumScore != nil && n.score.Cmp(rule.MinimumScore) < 0:
			items = append(items, map[string]any{"code": "not_winner_minimum", "minimum_score": ratText(rule.MinimumScore), "places": W, "rank": n.rank, "score": ratText(n.score)})
		case n.rank+len(n.final)-1 > W:
			winner = true
			with := []any{}
			for _, m := range n.final {
				if m != n {
					with = append(with, m.id)
				}
			}
			items = append(items, map[string]any{"code": "winner_shared", "places": W, "rank": n.rank, "with": with})
		default:
			winner = true
			it := map[string]any{"code": "winner", "places": W, "rank": n.rank}
			if rule.MinimumScore != nil {
				it["minimum_score"] = ratText(rule.MinimumScore)
			}
			items = append(items, it)
		}
		out = append(out, specResult(rule, n, n.rank, winner, items))
	}
	for _, n := range noms {
		if n.quorum {
			continue
		}
		items := []any{map[string]any{"code": "quorum_not_met", "jurors": n.k, "quorum": rule.Quorum}, map[string]any{"code": "not_ranked"}}
		if n.k >= rule.Quorum {
			items[0] = map[string]any{"code": "quorum_not_met_trim", "jurors": n.k, "needed": 2*rule.TrimCount + 1, "trim_count": rule.TrimCount}
		}
		out = append(out, specResult(rule, n, 0, false, items))
	}
	return out
}

func specTie(n, other *specNom) map[string]any {
	steps := []any{}
	outcome := "shared"
	for i := 0; i < len(n.path) && i < len(other.path); i++ {
		p, q := n.path[i], other.path[i]
		s := map[string]any{"step": p.step}
		for k, v := range p.params {
			s[k] = v
		}
		if p.has {
			s["mine"], s["theirs"] = p.value, q.value
		}
		steps = append(steps, s)
		if c := p.key.Cmp(q.key); c != 0 {
			outcome = map[bool]string{true: "above", false: "below"}[c > 0]
			break
		}
	}
	it := map[string]any{"code": "tie", "outcome": outcome, "steps": steps, "with": other.id}
	if outcome == "shared" {
		it["members"], it["rank"] = len(n.final), n.rank
	}
	return it
}

func specResult(rule Rule, n *specNom, rank int, winner bool, items []any) map[string]any {
	criteria := []any{}
	for c, crit := range rule.Criteria {
		criteria = append(criteria, map[string]any{"criterion_id": crit.ID, "non_ranking": crit.NonRanking, "score": ratText(n.aggs[c])})
	}
	return map[string]any{
		"nomination_id": n.id, "rank": rank, "score": ratText(n.score), "winner": winner, "quorum_met": n.quorum,
		"jurors": n.k, "criteria": criteria, "explanation": items,
		"recusals": map[string]any{"abstained": n.recusals.Abstained, "declared": n.recusals.Declared, "home_city": n.recusals.HomeCity},
	}
}

// TestMatchesSpecModel: on many random inputs (every method, tie-break chain, quorum, minimum score
// and decisions on separate ties), the engine's document is byte for byte the §9 model's.
func TestMatchesSpecModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 26))
	for i := range 1500 {
		in := validInput(t, rng, genOpts{}, 1)
		got, want := Canonical(mustCompute(t, in)), specDocument(in)
		if !bytes.Equal(got, want) {
			t.Fatalf("input %d %+v:\nengine %s\nmodel  %s", i, in, got, want)
		}
	}
}
