// Package tally computes the exact, deterministic tally of the "Miasta Otwarte" award: a jury of
// migrants scores practices of Polish cities, and anyone holding the published rule and ballots must
// be able to reproduce every rank, score and winner byte for byte.
//
// The package is pure: no I/O, no clock, no randomness and no floating point. Scores are integers,
// aggregates are big.Rat, and every collection is sorted by a documented key before use, so the
// order of ballots, nominations, categories, criteria, decisions or map entries in the Input never
// changes the Result or its Canonical encoding.
//
// # Counting jurors
//
// A juror who recused a nomination (any RecusalKind) never counts for it; Validate rejects a ballot
// that both recuses and scores a nomination, and even if such scores reached the tally they would be
// ignored. A non-recused juror counts ("scored" the nomination) only if the ballot has a score for
// every ranking criterion; partial marks are ignored and the explanation names the juror and the
// missing criteria. The juror's weighted sum is Σ Weight × score over the ranking criteria, an
// integer. Non-ranking criteria are shown in the breakdowns and never enter the weighted sum or
// MoreTopMarks.
//
// # Methods
//
//   - WeightedMean: the mean of the counted jurors' weighted sums.
//   - Median: the lower median, i.e. for n sums sorted ascending the one at index (n-1)/2.
//   - TrimmedMean: sort, drop the TrimCount lowest and TrimCount highest, take the mean of the rest;
//     with n <= 2×TrimCount counted jurors the quorum is not met.
//   - MajorityJudgment: the score is the majority grade, the lower median of the weighted sums.
//     Equal majority grades are separated by Balinski–Laraki's procedure, which is part of the
//     method and runs before the TieBreak chain: remove one instance of the median grade from each
//     tied nomination's list and compare the new lower medians; those still equal repeat the step;
//     when any list of a still-tied set would run out, that set stays tied.
//
// A criterion's aggregate (CriterionScore) applies the same method to that criterion's raw marks
// from the counted jurors who gave one (MajorityJudgment: its lower median; TrimmedMean: nil when
// too few marks remain); all aggregates are nil when the quorum is not met.
//
// # Quorum
//
// A nomination meets the quorum when at least Rule.Quorum jurors scored it (and, for TrimmedMean,
// more than 2×TrimCount did). A nomination that does not is listed after all ranked ones of its
// category, ordered by nomination ID, with Rank 0, Score nil, no criterion aggregates, and it is
// never a winner.
//
// # Total order
//
// Within a category the quorum-met nominations are ordered by:
//
//  1. Score, descending.
//  2. For MajorityJudgment only, the majority-judgment rounds above.
//  3. Rule.TieBreaks, in order, each applied only inside sets still tied by every earlier key:
//     MoreTopMarks (more marks equal to the criterion's Max over the ranking criteria and the
//     counted jurors), HigherMedian (higher lower-median weighted sum; under Median and
//     MajorityJudgment it equals the score and so never decides), CriteriaInOrder (higher
//     aggregate under the same Method on the ranking criteria in Number order, the first
//     difference deciding; non-ranking criteria never decide) and JuryDecision (the Decision for
//     the category: nominations listed earlier rank higher, listed ones rank above unlisted ones,
//     unlisted ones stay tied among themselves; with no Decision for the category nothing changes).
//     Decisions are read only by this step and only inside a tie, so they can never overturn a
//     difference in score or in an earlier step.
//  4. Nominations still tied after all of that share a rank; they are listed by nomination ID, and
//     the explanation says the tie is unresolved and needs a jury decision.
//
// Ranks are competition ranks (1, 2, 2, 4) over the quorum-met nominations. A nomination is a
// winner when its rank is at most Rule.Winners and its score is at least Rule.MinimumScore (when
// set). A tie sharing the last winning rank makes all of its members winners, so a category can have
// more than Rule.Winners winners; the explanation says so. A nomination below the minimum score is
// not a winner, and its place is not passed on to the next nomination.
//
// # Explanations
//
// Each Ranked carries sentences, in this order: the weighted-sum formula; the quorum; recusals and
// jurors not counted; how the score was computed from the listed weighted sums; the rank; for each
// adjacent nomination with the same score, every comparison made until one separated them (e.g.
// "Tied with X at 37/2 (18.5); MoreTopMarks: 5 vs 3, ranked above.") or that none did; and the
// winner decision. Rationals print exactly: "18", "37/2 (18.5)", "1/3 (≈0.33)".
//
// Canonical encodes a Result as compact JSON with rationals as "num/den" strings, for hashing.
package tally
