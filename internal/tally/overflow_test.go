package tally

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// Weighted sums are added up in int64 while that is exact and in big.Int otherwise; either way the
// published sums must be the exact ones. (The old test read each juror's weighted sum from
// Ranked.PerJuror, which is gone: the sums are now the score item's "sums", in increasing order.)
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
	var want []*big.Int
	total := new(big.Int)
	for _, m := range marks {
		in.Nominations[0].Vectors = append(in.Nominations[0].Vectors, []int{m[0], m[1], 1})
		sum := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(int64(m[0])))
		sum.Add(sum, new(big.Int).Mul(big.NewInt(3), big.NewInt(int64(m[1]))))
		want = append(want, sum)
		total.Add(total, sum)
	}
	slices.SortFunc(want, (*big.Int).Cmp)
	res := mustCompute(t, in)
	n := res.Categories[0].Nominations[0]
	var score Item
	for _, it := range n.Explanation {
		if it.Code == CodeScore {
			score = it
		}
	}
	sums, _ := score.Args["sums"].([]any)
	if len(sums) != len(want) {
		t.Fatalf("score item %v, want %d sums", score, len(want))
	}
	for i, s := range sums {
		if got := fmt.Sprint(s); got != want[i].String() {
			t.Errorf("sum %d: %s, want %s", i, got, want[i])
		}
	}
	if mean := new(big.Rat).SetFrac(total, big.NewInt(int64(len(marks)))); n.Score.Cmp(mean) != 0 {
		t.Errorf("score %s, want %s", n.Score, mean)
	}
	Canonical(res) // sums beyond 2^53 are written as strings rather than breaking the encoding
}

// TestWeightedSumIsExact checks the int64 fast path against big.Int arithmetic on edge values (the
// old test compared smallSum, which could decline, with bigSum; weightedSum now falls back itself).
func TestWeightedSumIsExact(t *testing.T) {
	r := Rule{Criteria: []Criterion{{ID: "a", Number: 1, Weight: 1}, {ID: "b", Number: 2, Weight: 1}, {ID: "x", Number: 3, Weight: 7, NonRanking: true}}}
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []int64{0, 1, -1, 2, math.MaxInt64, math.MinInt64, math.MaxInt64 / 2, math.MinInt64 / 2, 1 << 32, -(1 << 32)}
	pick := func() int64 {
		if rng.IntN(2) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Int64() >> rng.IntN(64)
	}
	for range 100_000 {
		r.Criteria[0].Weight, r.Criteria[1].Weight = max(1, pick()), max(1, pick())
		vals := []int{int(pick()), int(pick()), int(pick())}
		exact := new(big.Int).Mul(big.NewInt(r.Criteria[0].Weight), big.NewInt(int64(vals[0])))
		exact.Add(exact, new(big.Int).Mul(big.NewInt(r.Criteria[1].Weight), big.NewInt(int64(vals[1]))))
		if got := weightedSum(r, vals); got.Cmp(exact) != 0 {
			t.Fatalf("weights %d, %d marks %v: weightedSum %s, exact %s", r.Criteria[0].Weight, r.Criteria[1].Weight, vals, got, exact)
		}
		if got := bigSum(r, vals); got.Cmp(exact) != 0 {
			t.Fatalf("weights %d, %d marks %v: bigSum %s, exact %s", r.Criteria[0].Weight, r.Criteria[1].Weight, vals, got, exact)
		}
	}
}
