package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/miasta-otwarte/miasta/internal/tally"
)

// tallyTime is one timed tally.Compute.
type tallyTime struct {
	rows, nominations int
	took              time.Duration
}

// timeTally generates an input of about rows score rows and times one tally.Compute on it (which
// validates the input first, as the close does).
func timeTally(rows int) (tallyTime, error) {
	in, actual := tallyInput(rows)
	runtime.GC()
	start := time.Now()
	_, err := tally.Compute(in)
	took := time.Since(start)
	if err != nil {
		return tallyTime{}, fmt.Errorf("tally.Compute at %d rows: %w", actual, err)
	}
	return tallyTime{rows: actual, nominations: len(in.Nominations), took: took}, nil
}

// tallyInput is the input internal/tally's BenchmarkCompute uses (kept in step with benchInput in
// bench_test.go, which a non-test package cannot import): 11 categories, 25 jurors, 4 criteria (one
// non-ranking), about rows score rows, 1 in 20 juror–nomination pairs recused. It returns the exact
// number of score rows.
func tallyInput(rows int) (tally.Input, int) {
	const cats, jurors, crits = 11, 25, 4
	perCat := max(1, rows/(cats*jurors*crits))
	rng := rand.New(rand.NewPCG(uint64(rows), 2026))
	in := tally.Input{Rule: tally.Rule{
		Method: tally.WeightedMean,
		Criteria: []tally.Criterion{
			{ID: "impact", Number: 1, Min: 0, Max: 10, Weight: 3},
			{ID: "participation", Number: 2, Min: 0, Max: 10, Weight: 2},
			{ID: "replicability", Number: 3, Min: 0, Max: 10, Weight: 1},
			{ID: "remarks", Number: 4, Min: 0, Max: 5, Weight: 1, NonRanking: true},
		},
		Quorum:    15,
		Winners:   3,
		TieBreaks: []tally.TieBreak{tally.MoreTopMarks, tally.HigherMedian, tally.CriteriaInOrder, tally.JuryDecision},
	}}
	count := 0
	for c := range cats {
		in.Categories = append(in.Categories, tally.Category{ID: fmt.Sprintf("cat-%02d", c), Number: c + 1})
		for n := range perCat {
			nom := tally.Nomination{ID: fmt.Sprintf("nom-%02d-%05d", c, n), CategoryID: fmt.Sprintf("cat-%02d", c)}
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
