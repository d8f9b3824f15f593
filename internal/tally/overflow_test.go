package tally

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Weighted sums are added up in int64 while that is exact and in big.Int otherwise; either way the
// published sums must be the exact ones.
func TestWeightedSumsBeyondInt64(t *testing.T) {
	r := Rule{
		Method: WeightedMean,
		Criteria: []Criterion{
			{ID: "a", Number: 1, Min: math.MinInt64, Max: math.MaxInt64, Weight: math.MaxInt64},
			{ID: "b", Number: 2, Min: math.MinInt64, Max: math.MaxInt64, Weight: 3},
			{ID: "c", Number: 3, Min: math.MinInt64, Max: math.MaxInt64, Weight: 1, NonRanking: true},
		},
		Quorum: 1, Winners: 1,
	}
	marks := [][2]int{{1, 0}, {-1, -1}, {math.MaxInt64, math.MaxInt64}, {math.MinInt64, 5}, {0, math.MinInt64}, {2, -3}, {0, 7}}
	in := Input{Rule: r, Categories: []Category{{ID: "cat", Number: 1}}, Nominations: []Nomination{{ID: "n", CategoryID: "cat"}}}
	want := map[string]*big.Rat{}
	for i, m := range marks {
		juror := string(rune('a' + i))
		in.Ballots = append(in.Ballots, Ballot{Juror: juror, Scores: map[string]map[string]int{"n": {"a": m[0], "b": m[1], "c": 1}}})
		sum := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(int64(m[0])))
		sum.Add(sum, new(big.Int).Mul(big.NewInt(3), big.NewInt(int64(m[1]))))
		want[juror] = new(big.Rat).SetInt(sum)
	}
	res := mustCompute(t, in)
	for _, j := range res.Categories[0].Nominations[0].PerJuror {
		if j.WeightedSum.Cmp(want[j.Juror]) != 0 {
			t.Errorf("juror %s: weighted sum %s, want %s", j.Juror, j.WeightedSum, want[j.Juror])
		}
	}
}

func TestSmallSumIsExactOrDeclines(t *testing.T) {
	r := newRule(Rule{Criteria: []Criterion{{ID: "a", Number: 1, Weight: 1}, {ID: "b", Number: 2, Weight: 1}}})
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []int64{0, 1, -1, 2, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MinInt64 / 2, 1 << 32, -(1 << 32)}
	pick := func() int64 {
		if rng.IntN(2) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Int64() >> rng.IntN(64)
	}
	for range 100_000 {
		r.criteria[0].Weight, r.criteria[1].Weight = max(1, pick()), max(1, pick())
		r.weights = []*big.Int{big.NewInt(r.criteria[0].Weight), big.NewInt(r.criteria[1].Weight)}
		vals := []int{int(pick()), int(pick())}
		exact := r.bigSum(vals)
		if s, ok := r.smallSum(vals); ok && big.NewInt(s).Cmp(exact) != 0 {
			t.Fatalf("weights %v marks %v: smallSum %d, exact %s", r.weights, vals, s, exact)
		} else if !ok && exact.IsInt64() && fitsTerms(r, vals) {
			t.Fatalf("weights %v marks %v: smallSum declined a sum whose terms fit", r.weights, vals)
		}
	}
}

// fitsTerms reports whether every mark and product is above MinInt64 and every partial sum fits an
// int64, when smallSum must answer.
func fitsTerms(r *rule, vals []int) bool {
	sum := new(big.Int)
	for _, i := range r.ranking {
		p := new(big.Int).Mul(r.weights[i], big.NewInt(int64(vals[i])))
		sum.Add(sum, p)
		if !p.IsInt64() || p.Int64() == math.MinInt64 || !sum.IsInt64() || vals[i] == math.MinInt64 {
			return false
		}
	}
	return true
}
