package tally

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchInput is an edition of 11 categories, 25 jurors and 4 criteria (one non-ranking) with about
// rows score rows (category × nomination × juror × criterion, i.e. marks); 1 in 20 juror–nomination
// pairs is a recusal. It returns the exact number of score rows.
func benchInput(rows int) (Input, int) {
	const cats, jurors, crits = 11, 25, 4
	perCat := max(1, rows/(cats*jurors*crits))
	rng := rand.New(rand.NewPCG(uint64(rows), 2026))
	in := Input{Rule: Rule{
		Method: WeightedMean,
		Criteria: []Criterion{
			{ID: "impact", Number: 1, Min: 0, Max: 10, Weight: 3},
			{ID: "participation", Number: 2, Min: 0, Max: 10, Weight: 2},
			{ID: "replicability", Number: 3, Min: 0, Max: 10, Weight: 1},
			{ID: "remarks", Number: 4, Min: 0, Max: 5, Weight: 1, NonRanking: true},
		},
		Quorum:    15,
		Winners:   3,
		TieBreaks: []TieBreak{MoreTopMarks, HigherMedian, CriteriaInOrder, JuryDecision},
	}}
	count := 0
	for c := range cats {
		in.Categories = append(in.Categories, Category{ID: fmt.Sprintf("cat-%02d", c), Number: c + 1})
		for n := range perCat {
			nom := Nomination{ID: fmt.Sprintf("nom-%02d-%05d", c, n), CategoryID: fmt.Sprintf("cat-%02d", c)}
			for range jurors {
				if rng.IntN(20) == 0 {
					nom.Recusals.Declared++
					continue
				}
				v := make([]int, crits)
				for i, c := range in.Rule.Criteria {
					v[i] = c.Min + rng.IntN(c.Max-c.Min+1)
				}
				nom.Vectors = append(nom.Vectors, v)
				count += crits
			}
			in.Nominations = append(in.Nominations, nom)
		}
	}
	return in, count
}

// TestBenchInput keeps the benchmark honest: about the asked number of marks, and a valid input.
func TestBenchInput(t *testing.T) {
	in, rows := benchInput(1_000_000)
	if rows < 900_000 || rows > 1_000_000 {
		t.Errorf("%d score rows for 1M", rows)
	}
	if err := Validate(in); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCompute measures Validate plus the tally at 10k, 100k and 1M score rows.
func BenchmarkCompute(b *testing.B) {
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		in, actual := benchInput(rows)
		b.Run(fmt.Sprintf("rows=%d", actual), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compute(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCanonical measures encoding a 100k-row result for hashing.
func BenchmarkCanonical(b *testing.B) {
	in, _ := benchInput(100_000)
	r, err := Compute(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Canonical(r)
	}
}
