package tally

import (
	"fmt"
	"math/big"
	"strings"
)

// scoreSentence says how a quorum-met nomination's score was computed from its weighted sums.
func (r *rule) scoreSentence(n *nom) string {
	k := len(n.sums)
	all := joinInts(n.sums)
	switch r.Method {
	case WeightedMean:
		return fmt.Sprintf("Score %s: the mean of the weighted sums of %s (%s).", FormatRat(n.score), jurorCount(k), all)
	case Median:
		return fmt.Sprintf("Score %s: the lower median (the %s smallest) of the weighted sums of %s (%s).",
			FormatRat(n.score), ordinal((k-1)/2+1), jurorCount(k), all)
	case TrimmedMean:
		t := r.TrimCount
		if t == 0 {
			return fmt.Sprintf("Score %s: the mean of the weighted sums of %s (%s); the trim count is 0, so none are dropped.",
				FormatRat(n.score), jurorCount(k), all)
		}
		return fmt.Sprintf("Score %s: the mean of the weighted sums of %s (%s) after dropping the %d lowest (%s) and the %d highest (%s).",
			FormatRat(n.score), jurorCount(k), all, t, joinInts(n.sums[:t]), t, joinInts(n.sums[k-t:]))
	default:
		return fmt.Sprintf("Majority grade %s: the lower median (the %s smallest) of the weighted sums of %s (%s); equal grades are separated by Balinski–Laraki majority judgment.",
			FormatRat(n.score), ordinal((k-1)/2+1), jurorCount(k), all)
	}
}

// tieSentence explains the place of n relative to an adjacent nomination with the same score:
// every comparison made, up to the one that separated them, or that none did.
func (r *rule) tieSentence(n, other *nom, above bool) string {
	var b strings.Builder
	at := FormatRat(n.score)
	if r.Method == MajorityJudgment {
		at = "majority grade " + at
	}
	fmt.Fprintf(&b, "Tied with %s at %s", other.id, at)
	for i := 0; i < len(n.path) && i < len(other.path); i++ {
		a, o := n.path[i], other.path[i]
		if a.fixed != "" {
			b.WriteString("; " + a.fixed)
		} else {
			fmt.Fprintf(&b, "; %s: %s vs %s", a.label, a.show, o.show)
		}
		if c := a.key.Cmp(o.key); c != 0 {
			if c > 0 {
				b.WriteString(", ranked above.")
			} else {
				b.WriteString(", ranked below.")
			}
			return b.String()
		}
	}
	if len(r.TieBreaks) == 0 {
		b.WriteString("; the rule has no tie-break")
	}
	others := "both"
	if len(n.group) > 2 {
		others = fmt.Sprintf("all %d", len(n.group))
	}
	fmt.Fprintf(&b, "; still tied, so %s share rank %d: the tie is unresolved and needs a jury decision.", others, n.rank)
	return b.String()
}

// FormatRat prints an exact rational the way results show it: "18", "37/2 (18.5)", or "1/3 (≈0.33)" when the decimal does
// not terminate within six places.
func FormatRat(x *big.Rat) string {
	if x == nil {
		return "none"
	}
	if x.IsInt() {
		return x.Num().String()
	}
	d := new(big.Int).Set(x.Denom())
	two, five := big.NewInt(2), big.NewInt(5)
	var e2, e5 int
	m := new(big.Int)
	for m.Mod(d, two).Sign() == 0 {
		d.Quo(d, two)
		e2++
	}
	for m.Mod(d, five).Sign() == 0 {
		d.Quo(d, five)
		e5++
	}
	if digits := max(e2, e5); d.IsInt64() && d.Int64() == 1 && digits <= 6 {
		return fmt.Sprintf("%s (%s)", x.String(), x.FloatString(digits))
	}
	return fmt.Sprintf("%s (≈%s)", x.String(), x.FloatString(2))
}

func joinInts(xs []*big.Int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func jurorCount(n int) string { return fmt.Sprintf("%d %s", n, plural(n, "juror", "jurors")) }

func winningPlaces(w int) string {
	if w == 1 {
		return "1 winning place"
	}
	return fmt.Sprintf("%d winning places", w)
}

func ordinal(k int) string {
	suffix := "th"
	switch {
	case k%100 >= 11 && k%100 <= 13:
	case k%10 == 1:
		suffix = "st"
	case k%10 == 2:
		suffix = "nd"
	case k%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", k, suffix)
}
