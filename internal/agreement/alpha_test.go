package agreement

import (
	"fmt"
	"math"
	"testing"
)

// krippendorff2011 is the reliability data of Krippendorff, "Computing Krippendorff's
// Alpha-Reliability" (2011), section C: four observers, twelve units, 0 for a missing value.
var krippendorff2011 = [4][12]int{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0}, // A
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3}, // B
	{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0}, // C
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0}, // D
}

func units(data [4][12]int) [][]int {
	var out [][]int
	for u := range 12 {
		var vals []int
		for _, obs := range data {
			if obs[u] != 0 {
				vals = append(vals, obs[u])
			}
		}
		out = append(out, vals)
	}
	return out
}

// TestKrippendorffWorkedExample reproduces the paper's published figures: nominal α = 0.743, ordinal
// α = 0.815, interval α = 0.849, with n.. = 40 pairable values (unit 12 has one value and is left out).
func TestKrippendorffWorkedExample(t *testing.T) {
	for _, tc := range []struct {
		m    Metric
		want string
	}{{Nominal, "0.743"}, {Ordinal, "0.815"}, {Interval, "0.849"}} {
		r := Alpha(units(krippendorff2011), tc.m)
		if !r.Defined || fmt.Sprintf("%.3f", r.Alpha) != tc.want {
			t.Errorf("metric %d: alpha %v (defined %v), want %s", tc.m, r.Alpha, r.Defined, tc.want)
		}
		if r.Pairable != 40 || r.Units != 11 {
			t.Errorf("metric %d: %d pairable values in %d units, want 40 in 11", tc.m, r.Pairable, r.Units)
		}
	}
}

func TestAlphaEdgeCases(t *testing.T) {
	for name, tc := range map[string]struct {
		units   [][]int
		defined bool
		alpha   float64
	}{
		"no units":                {nil, false, 0},
		"only single values":      {[][]int{{1}, {2}, {3}}, false, 0},
		"all the same":            {[][]int{{2, 2}, {2, 2, 2}}, false, 0},
		"perfect agreement":       {[][]int{{1, 1}, {3, 3, 3}, {5, 5}}, true, 1},
		"systematic disagreement": {[][]int{{1, 5}, {5, 1}}, true, -0.5},
	} {
		r := Alpha(tc.units, Ordinal)
		if r.Defined != tc.defined || (tc.defined && math.Abs(r.Alpha-tc.alpha) > 1e-9) {
			t.Errorf("%s: alpha %v defined %v, want %v defined %v", name, r.Alpha, r.Defined, tc.alpha, tc.defined)
		}
	}
}

// TestOrdinalIgnoresSpacing: the ordinal metric depends on the order of values only, so relabelling
// them monotonically (1,2,3 → 1,10,100) changes nothing, while the interval metric changes.
func TestOrdinalIgnoresSpacing(t *testing.T) {
	a := [][]int{{1, 2}, {2, 3}, {3, 3}, {1, 1, 2}}
	b := [][]int{{1, 10}, {10, 100}, {100, 100}, {1, 1, 10}}
	ra, rb := Alpha(a, Ordinal), Alpha(b, Ordinal)
	if math.Abs(ra.Alpha-rb.Alpha) > 1e-12 {
		t.Errorf("ordinal alpha %v vs %v after a monotone relabelling", ra.Alpha, rb.Alpha)
	}
	if ia, ib := Alpha(a, Interval), Alpha(b, Interval); math.Abs(ia.Alpha-ib.Alpha) < 1e-6 {
		t.Errorf("interval alpha unchanged (%v) by a non-linear relabelling", ia.Alpha)
	}
}

// TestSingleUnitIsZero documents why deliberation leaves a one-unit alpha undefined: within one unit
// observed and expected disagreement coincide, so alpha is 0 whatever the values.
func TestSingleUnitIsZero(t *testing.T) {
	for _, u := range [][]int{{1, 2, 3}, {1, 1, 5}, {2, 4}} {
		if r := Alpha([][]int{u}, Ordinal); !r.Defined || math.Abs(r.Alpha) > 1e-12 {
			t.Errorf("%v: alpha %v (defined %v); want 0", u, r.Alpha, r.Defined)
		}
	}
}
