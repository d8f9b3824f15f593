// Package agreement measures how far raters agree: Krippendorff's alpha, computed from the coincidence
// matrix as in Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011). It is pure: no I/O,
// and the same units give the same figure.
//
// Deliberation uses the ordinal metric (jurors' marks are ordered grades whose distances are not known
// to be equal); the nominal and interval metrics are here because the worked example checks all three.
package agreement

import (
	"math"
	"slices"
)

// Metric is the difference function δ² of Krippendorff's alpha.
type Metric int

// The metrics.
const (
	// Nominal: values either match or do not.
	Nominal Metric = iota
	// Ordinal: the distance between two values grows with how many pairable values lie between them.
	Ordinal
	// Interval: the squared difference of the values.
	Interval
)

// Result is alpha with what it was computed from.
type Result struct {
	// Alpha is 1 − Do/De; meaningful only when Defined.
	Alpha float64
	// Defined is false when there are fewer than two pairable values, or when every pairable value is
	// the same (no expected disagreement, so agreement cannot be told from chance).
	Defined bool
	// Pairable is n.., the number of values in units with at least two values.
	Pairable int
	// Units is how many units had at least two values.
	Units int
}

// Alpha computes Krippendorff's alpha for units, each the values the raters gave one unit (a missing
// value is simply absent). Units with fewer than two values are not pairable and are left out.
func Alpha(units [][]int, m Metric) Result {
	// The coincidence matrix o[c][k] over the distinct values, in increasing order.
	var values []int
	for _, u := range units {
		if len(u) >= 2 {
			values = append(values, u...)
		}
	}
	slices.Sort(values)
	values = slices.Compact(values)
	index := make(map[int]int, len(values))
	for i, v := range values {
		index[v] = i
	}
	v := len(values)
	o := make([][]float64, v)
	for i := range o {
		o[i] = make([]float64, v)
	}
	res := Result{}
	for _, u := range units {
		mu := len(u)
		if mu < 2 {
			continue
		}
		res.Units++
		res.Pairable += mu
		w := 1 / float64(mu-1)
		for i, a := range u {
			for j, b := range u {
				if i != j {
					o[index[a]][index[b]] += w
				}
			}
		}
	}
	if res.Pairable < 2 {
		return res
	}
	marg := make([]float64, v)
	for c := range o {
		for k := range o[c] {
			marg[c] += o[c][k]
		}
	}
	delta := func(c, k int) float64 {
		switch m {
		case Nominal:
			if c == k {
				return 0
			}
			return 1
		case Ordinal:
			lo, hi := min(c, k), max(c, k)
			s := 0.0
			for g := lo; g <= hi; g++ {
				s += marg[g]
			}
			s -= (marg[lo] + marg[hi]) / 2
			return s * s
		default:
			d := float64(values[c] - values[k])
			return d * d
		}
	}
	var do, de float64
	for c := 0; c < v; c++ {
		for k := 0; k < v; k++ {
			d := delta(c, k)
			do += o[c][k] * d
			de += marg[c] * marg[k] * d
		}
	}
	if de == 0 {
		return res
	}
	n := float64(res.Pairable)
	res.Alpha = 1 - (n-1)*do/de
	if math.IsNaN(res.Alpha) {
		return res
	}
	res.Defined = true
	return res
}
