package tally

import (
	"fmt"
	"math/big"
	"strings"
)

// English renders an explanation item as an English sentence, for the command line and for API
// clients that want text; name turns a nomination or criterion id into what a reader knows it by (nil:
// the id itself). The web app renders the same items in every language it speaks.
func English(it Item, name func(id string) string) string {
	if name == nil {
		name = func(id string) string { return id }
	}
	a := it.Args
	switch it.Code {
	case CodeQuorumMet:
		return fmt.Sprintf("Quorum met: %s scored it (quorum %v).", jurors(a["jurors"]), a["quorum"])
	case CodeQuorumNotMet:
		return fmt.Sprintf("Quorum not met: %s scored it, %v needed.", jurors(a["jurors"]), a["quorum"])
	case CodeQuorumNotMetTrim:
		return fmt.Sprintf("Quorum not met: %s scored it, but the trimmed mean drops the %v highest and the %v lowest weighted sums and so needs at least %v.",
			jurors(a["jurors"]), a["trim_count"], a["trim_count"], a["needed"])
	case CodeNotRanked:
		return "Not ranked and not a winner, because the quorum is not met."
	case CodeScore:
		sums, _ := a["sums"].([]any)
		list := joinAny(sums)
		score := Readable(fmt.Sprint(a["score"]))
		k := len(sums)
		switch Method(fmt.Sprint(a["method"])) {
		case WeightedMean:
			return fmt.Sprintf("Score %s: the mean of the weighted sums of %s (%s).", score, jurors(k), list)
		case Median:
			return fmt.Sprintf("Score %s: the lower median (the %s smallest) of the weighted sums of %s (%s).", score, ordinal((k-1)/2+1), jurors(k), list)
		case TrimmedMean:
			return fmt.Sprintf("Score %s: the mean of the weighted sums of %s (%s) after dropping the %v lowest and the %v highest.", score, jurors(k), list, a["trim_count"], a["trim_count"])
		default:
			return fmt.Sprintf("Majority grade %s: the lower median (the %s smallest) of the weighted sums of %s (%s); equal grades are separated by Balinski–Laraki majority judgment.",
				score, ordinal((k-1)/2+1), jurors(k), list)
		}
	case CodeRank:
		return fmt.Sprintf("Rank %v of %v ranked in the category.", a["rank"], a["of"])
	case CodeTie:
		var b strings.Builder
		fmt.Fprintf(&b, "Tied on score with %s", name(fmt.Sprint(a["with"])))
		steps, _ := a["steps"].([]any)
		for _, s := range steps {
			st, _ := s.(Args)
			b.WriteString("; " + stepText(st, name))
		}
		switch a["outcome"] {
		case "above":
			b.WriteString(", ranked above.")
		case "below":
			b.WriteString(", ranked below.")
		default:
			if len(steps) == 0 {
				b.WriteString("; the rule has no tie-break")
			}
			fmt.Fprintf(&b, "; still tied, so %v nominations share rank %v: the tie is unresolved.", a["members"], a["rank"])
		}
		return b.String()
	case CodeWinner:
		s := fmt.Sprintf("Winner: rank %v is within the %s", a["rank"], places(a["places"]))
		if m, ok := a["minimum_score"]; ok {
			s += fmt.Sprintf(" and the score is at least the minimum score %s", Readable(fmt.Sprint(m)))
		}
		return s + "."
	case CodeWinnerShared:
		with, _ := a["with"].([]any)
		names := make([]string, len(with))
		for i, w := range with {
			names[i] = name(fmt.Sprint(w))
		}
		return fmt.Sprintf("Winner: shares rank %v with %s across the boundary of the %s, so all of them are winners.", a["rank"], strings.Join(names, ", "), places(a["places"]))
	case CodeNotWinnerRank:
		return fmt.Sprintf("Not a winner: rank %v is outside the %s.", a["rank"], places(a["places"]))
	case CodeNotWinnerMinimum:
		return fmt.Sprintf("Not a winner: the score %s is below the minimum score %s, although rank %v is within the %s.",
			Readable(fmt.Sprint(a["score"])), Readable(fmt.Sprint(a["minimum_score"])), a["rank"], places(a["places"]))
	}
	return it.Code
}

func stepText(s Args, name func(string) string) string {
	switch s["step"] {
	case StepMajorityJudgment:
		return fmt.Sprintf("majority grade after %s: %v vs %v", removals(s["removed"]), s["mine"], s["theirs"])
	case StepMajorityExhausted:
		return fmt.Sprintf("majority judgment: no grades left to compare after %s", removals(s["removed"]))
	case StepMoreTopMarks:
		return fmt.Sprintf("more top marks: %v vs %v", s["mine"], s["theirs"])
	case StepHigherMedian:
		return fmt.Sprintf("higher median: %v vs %v", s["mine"], s["theirs"])
	case StepCriteriaInOrder:
		return fmt.Sprintf("criterion %v (%s): %s vs %s", s["number"], name(fmt.Sprint(s["criterion_id"])), Readable(fmt.Sprint(s["mine"])), Readable(fmt.Sprint(s["theirs"])))
	case StepJuryDecision:
		return fmt.Sprintf("jury decision: %s vs %s", placeText(s["mine"]), placeText(s["theirs"]))
	case StepJuryDecisionMissing:
		return "jury decision: none recorded for this category"
	}
	return fmt.Sprint(s["step"])
}

func removals(n any) string {
	if fmt.Sprint(n) == "1" {
		return "1 removal"
	}
	return fmt.Sprintf("%v removals", n)
}

func placeText(v any) string {
	if v == nil {
		return "not listed"
	}
	return fmt.Sprintf("place %v", v)
}

// Readable prints a rational "N/D" the way results show it: "18", "37/2 (18.5)", or "1/3 (≈0.33)" when
// the decimal does not end within six places. Anything else is returned as it is.
func Readable(s string) string {
	x, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	return FormatRat(x)
}

// FormatRat prints an exact rational as Readable does; nil prints "none".
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

func joinAny(xs []any) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func jurors(n any) string {
	if fmt.Sprint(n) == "1" {
		return "1 juror"
	}
	return fmt.Sprintf("%v jurors", n)
}

func places(w any) string {
	if fmt.Sprint(w) == "1" {
		return "1 winning place"
	}
	return fmt.Sprintf("%v winning places", w)
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
