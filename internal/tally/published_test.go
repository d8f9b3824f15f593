package tally

import "testing"

// Grades on Balinski & Laraki's six-grade scale (the one of their 2007 Orsay experiment): To Reject,
// Poor, Acceptable, Good, Very Good, Excellent, coded 0..5 as a single criterion of weight 1.
const (
	toReject = iota
	poor
	acceptable
	good
	veryGood
	excellent
)

// TestMajorityJudgmentBalinskiLaraki builds a case from the tie-breaking of M. Balinski and
// R. Laraki, "A theory of measuring, electing, and ranking", PNAS 104(21):8720–8725 (2007), and
// "Majority Judgment: Measuring, Ranking, and Electing" (MIT Press, 2011). Their majority grade is
// the lower middlemost grade; candidates with the same majority grade are ranked by the majority
// value, the sequence of majority grades obtained by removing the majority grade one at a time.
// The majority gauge (p, α, q) summarises the first step that differs: with p the share of grades
// above α and q the share below, α+ (p > q) beats α− (q > p), between two α+ the larger p wins, and
// between two α− the larger q loses. Here all three have majority grade Good among 7 judges:
//
//	C: Acceptable, Good×3, Very Good×2, Excellent  → p = 3/7, q = 1/7: Good+
//	A: Acceptable, Good×4, Very Good, Excellent    → p = 2/7, q = 1/7: Good+
//	B: Poor, Acceptable, Good×4, Excellent         → p = 1/7, q = 2/7: Good−
//
// so the gauge, and the majority values, give C ahead of A ahead of B, while a plain median would
// tie all three.
func TestMajorityJudgmentBalinskiLaraki(t *testing.T) {
	in := grades(single(MajorityJudgment, toReject, excellent), map[string][]int{
		"A": {acceptable, good, good, good, good, veryGood, excellent},
		"B": {poor, acceptable, good, good, good, good, excellent},
		"C": {acceptable, good, good, good, veryGood, veryGood, excellent},
	})
	r := mustTally(t, in)
	wantOrder(t, r, "C", "A", "B")
	wantRanks(t, r, "C:1", "A:2", "B:3")
	for _, id := range []string{"A", "B", "C"} {
		wantScore(t, find(t, r, id), "3") // the majority grade, Good
	}
	// Majority values: C = Good, Good, Very Good, …; A = Good, Good, Good, Good, …;
	// B = Good, Good, Good, Acceptable, …
	wantSentence(t, find(t, r, "C"), "Tied on score with A; majority grade after 1 removal: 3 vs 3; majority grade after 2 removals: 4 vs 3, ranked above.")
	wantSentence(t, find(t, r, "A"), "Tied on score with C; majority grade after 1 removal: 3 vs 3; majority grade after 2 removals: 3 vs 4, ranked below.")
	wantSentence(t, find(t, r, "A"), "Tied on score with B; majority grade after 1 removal: 3 vs 3; majority grade after 2 removals: 3 vs 3; majority grade after 3 removals: 3 vs 2, ranked above.")
	wantItems(t, find(t, r, "A"),
		`{"code":"quorum_met","jurors":7,"quorum":1}`,
		`{"code":"score","method":"majority_judgment","score":"3/1","sums":[2,3,3,3,3,4,5]}`,
		`{"code":"rank","of":3,"rank":2}`,
		`{"code":"tie","outcome":"below","steps":[`+
			`{"mine":3,"removed":1,"step":"majority_judgment","theirs":3},`+
			`{"mine":3,"removed":2,"step":"majority_judgment","theirs":4}],"with":"C"}`,
		`{"code":"tie","outcome":"above","steps":[`+
			`{"mine":3,"removed":1,"step":"majority_judgment","theirs":3},`+
			`{"mine":3,"removed":2,"step":"majority_judgment","theirs":3},`+
			`{"mine":3,"removed":3,"step":"majority_judgment","theirs":2}],"with":"B"}`,
		`{"code":"not_winner_rank","places":1,"rank":2}`)
	wantWinners(t, r, "C")
}

// TestMajorityJudgmentTieBreakExample is the tie-breaking illustration of the Wikipedia article
// "Majority judgment" (section on the voting process): X has Good, Good, Fair, Poor and Y has
// Excellent, Fair, Fair, Fair; both lower medians are Fair, and after one Fair is removed from each
// X's median is Good and Y's stays Fair, so X wins. Poor, Fair, Good, Excellent are coded 1..4;
// with 4 judges this also exercises the lower median of an even count.
func TestMajorityJudgmentTieBreakExample(t *testing.T) {
	in := grades(single(MajorityJudgment, 1, 4), map[string][]int{
		"X": {3, 3, 2, 1},
		"Y": {4, 2, 2, 2},
	})
	r := mustTally(t, in)
	wantOrder(t, r, "X", "Y")
	wantScore(t, find(t, r, "X"), "2")
	wantScore(t, find(t, r, "Y"), "2")
	wantSentence(t, find(t, r, "X"), "Tied on score with Y; majority grade after 1 removal: 3 vs 2, ranked above.")
	wantRanks(t, r, "X:1", "Y:2")
}

// TestTrimmedMeanISU follows the ISU Judging System: a panel of 9 judges marks the Grade of
// Execution of an element as an integer from −5 to +5, the highest and the lowest mark are deleted
// and the trimmed mean of the remaining 7 is taken (ISU Special Regulations & Technical Rules,
// Single & Pair Skating and Ice Dance 2018, Rule 353 paragraph 1, determination of results; the
// ISU then rounds and converts the mean into points, which this award does not do). TrimCount=1.
//
//	S1: +3 +2 +2 +3 +1 +2 +4 +2 +3 → drop +1 and +4 → (2+2+2+2+3+3+3)/7 = 17/7
//	S2: +2 ×9                       → drop +2 and +2 → 14/7 = 2
//	S3: −5 +3 ×7 +5                 → drop −5 and +5 → 21/7 = 3
//
// A plain mean would put S3 (21/9 = 7/3) below S1 (22/9); trimming the outliers reverses that.
func TestTrimmedMeanISU(t *testing.T) {
	r9 := single(TrimmedMean, -5, 5)
	r9.TrimCount = 1
	r9.Quorum = 9
	in := grades(r9, map[string][]int{
		"S1": {3, 2, 2, 3, 1, 2, 4, 2, 3},
		"S2": {2, 2, 2, 2, 2, 2, 2, 2, 2},
		"S3": {3, 3, -5, 3, 3, 5, 3, 3, 3},
	})
	r := mustTally(t, in)
	wantOrder(t, r, "S3", "S1", "S2")
	wantScore(t, find(t, r, "S1"), "17/7")
	wantScore(t, find(t, r, "S2"), "2")
	wantScore(t, find(t, r, "S3"), "3")
	wantSentence(t, find(t, r, "S1"), "Score 17/7 (≈2.43): the mean of the weighted sums of 9 jurors (1, 2, 2, 2, 2, 3, 3, 3, 4) after dropping the 1 lowest and the 1 highest.")
	wantItem(t, find(t, r, "S1"), `{"code":"score","method":"trimmed_mean","score":"17/7","sums":[1,2,2,2,2,3,3,3,4],"trim_count":1}`)

	mean := in
	mean.Rule.Method = WeightedMean
	mean.Rule.TrimCount = 0 // §7: 0 for every method but trimmed_mean
	m := mustTally(t, mean)
	wantOrder(t, m, "S1", "S3", "S2")
	wantScore(t, find(t, m, "S1"), "22/9")
	wantScore(t, find(t, m, "S3"), "7/3")
}
