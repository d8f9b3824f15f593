package tally

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchInput is an edition of 11 categories, 25 jurors and 4 criteria (one non-ranking) with about
// rows score rows (category × nomination × juror × criterion); 1 in 20 juror–nomination pairs is
// a recusal. It returns the exact number of score rows.
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
	for c := range cats {
		in.Categories = append(in.Categories, Category{ID: fmt.Sprintf("cat-%02d", c), Number: c + 1})
		for n := range perCat {
			in.Nominations = append(in.Nominations, Nomination{ID: fmt.Sprintf("nom-%02d-%05d", c, n), CategoryID: fmt.Sprintf("cat-%02d", c)})
		}
	}
	count := 0
	for j := range jurors {
		b := Ballot{Juror: fmt.Sprintf("juror-%02d", j), Scores: map[string]map[string]int{}, Recusals: map[string]RecusalKind{}}
		for _, n := range in.Nominations {
			if rng.IntN(20) == 0 {
				b.Recusals[n.ID] = Declared
				continue
			}
			marks := make(map[string]int, crits)
			for _, c := range in.Rule.Criteria {
				marks[c.ID] = c.Min + rng.IntN(c.Max-c.Min+1)
			}
			b.Scores[n.ID] = marks
			count += crits
		}
		in.Ballots = append(in.Ballots, b)
	}
	return in, count
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
