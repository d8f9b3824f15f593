package archive

import (
	"strings"
	"testing"
	"unicode/utf8"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// TestSummarise: a summary is the description's start, whitespace folded, at most n characters
// (counted as characters, not bytes), cut at a word with "…" when cut.
func TestSummarise(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Krótki opis.", "Krótki opis."},
		{"  Dwa\n\nakapity\tz  odstępami ", "Dwa akapity z odstępami"},
		{"Łódź " + strings.Repeat("żółć ", 100), ""},
		{strings.Repeat("ą", 400), strings.Repeat("ą", 299) + "…"},
	} {
		got := summarise(c.in, 300)
		if utf8.RuneCountInString(got) > 300 {
			t.Errorf("summarise(%.20q) has %d characters", c.in, utf8.RuneCountInString(got))
		}
		if c.want != "" && got != c.want {
			t.Errorf("summarise(%.20q) = %q; want %q", c.in, got, c.want)
		}
		if c.want == "" && (!strings.HasSuffix(got, "żółć…") || !strings.HasPrefix(got, "Łódź żółć")) {
			t.Errorf("summarise(%.20q) = %q; want it cut after a whole word", c.in, got)
		}
	}
}

// TestScalesAndDistribution: the aggregate's scale is the weighted sums of the ranking criteria's
// minima and maxima, and the histogram puts every counted weighted sum in the bin that holds it,
// with the scale's ends in the first and last bins.
func TestScalesAndDistribution(t *testing.T) {
	t.Parallel()
	rule := verify.Rule{Criteria: []verify.CriterionRule{
		{CriterionID: "a", Min: 1, Max: 5, Weight: 4},
		{CriterionID: "b", Min: 0, Max: 5, Weight: 1},
		{CriterionID: "c", Min: 0, Max: 10, Weight: 7, NonRanking: true},
	}}
	scale, crit := scales(rule)
	if scale.GetMin() != 4 || scale.GetMax() != 25 || len(crit) != 3 || !crit[2].GetNonRanking() || crit[0].GetWeight() != 4 {
		t.Fatalf("scales = %v, %v; want 4–25 over three criteria", scale, crit)
	}
	var tl jury.Tally
	tl.Rule.Rule = rule
	tl.Counted = map[string]verify.Cast{
		"j1": {Marks: []verify.Mark{{NominationID: "n1", Values: []int{1, 0, 10}}, {NominationID: "n2", Values: []int{5, 5, 0}}}},
		"j2": {Marks: []verify.Mark{{NominationID: "n1", Values: []int{3, 2, 3}}}},
	}
	d := distribution(tl, scale)
	want := map[int64]int32{4: 1, 25: 1, 14: 1} // 4·1+0, 4·5+5, 4·3+2 (the non-ranking criterion counts for nothing)
	var total int32
	for _, b := range d.GetBins() {
		total += b.GetCount()
		for v, n := range want {
			if v >= b.GetLower() && v <= b.GetUpper() && b.GetCount() < n {
				t.Errorf("bin %d–%d counts %d; want %d for %d", b.GetLower(), b.GetUpper(), b.GetCount(), n, v)
			}
		}
	}
	if total != 3 || d.GetCount() != 3 || d.GetBins()[0].GetLower() != 4 || d.GetBins()[len(d.GetBins())-1].GetUpper() != 25 {
		t.Errorf("distribution = %v", d)
	}
	if empty := distribution(jury.Tally{}, &v1.ScoreScale{}); len(empty.GetBins()) != 1 || empty.GetCount() != 0 {
		t.Errorf("a 0–0 scale's distribution = %v; want one empty bin", empty)
	}
}
