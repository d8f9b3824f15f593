// The tally of §9 on small cases computed by hand.

import { describe, expect, test } from "vitest";
import type { JsonObject } from "../src/canonical.ts";
import { Rational } from "../src/rational.ts";
import { computeTally, type CriterionRule, type Method, type Rule, type TieBreak } from "../src/tally.ts";

const CAT = "ca000000-0000-4000-8000-000000000001";
const CAT2 = "ca000000-0000-4000-8000-000000000002";
const K = (n: number) => `c0000000-0000-4000-8000-00000000000${n}`;
const N = (n: number) => `a0000000-0000-4000-8000-00000000000${n}`;

function crit(n: number, o: Partial<CriterionRule> = {}): CriterionRule {
  return { criterion_id: K(n), number: n, min: 0, max: 10, weight: 1, non_ranking: false, ...o };
}

function rule(o: Partial<Rule> = {}): Rule {
  return {
    method: "weighted_mean",
    criteria: [crit(1)],
    quorum: 1,
    winners: 1,
    minimum_score: null,
    trim_count: 0,
    tie_breaks: [],
    ...o,
  };
}

const noRec = { abstained: 0, declared: 0, home_city: 0 };

function tally(r: Rule, noms: Record<string, number[][]>, decisions: { category_id: string; nomination_ids: string[] }[] = []) {
  return computeTally({
    rule: r,
    categories: [{ category_id: CAT, number: 1 }],
    nominations: Object.entries(noms).map(([id, vectors]) => ({ nomination_id: id, category_id: CAT, vectors, recusals: noRec })),
    decisions,
  });
}

const noms = (t: ReturnType<typeof tally>, c = 0) =>
  ((t.document.categories as JsonObject[])[c].nominations as JsonObject[]);
const order = (t: ReturnType<typeof tally>) => noms(t).map((n) => n.nomination_id);
const expl = (t: ReturnType<typeof tally>, id: string) => noms(t).find((n) => n.nomination_id === id)!.explanation as JsonObject[];
const ties = (t: ReturnType<typeof tally>, id: string) => expl(t, id).filter((e) => e.code === "tie");

describe("§9 whole document, weighted mean (hand-computed)", () => {
  test("three nominations, one without quorum", () => {
    const r = rule({
      criteria: [crit(1, { max: 5, weight: 2 }), crit(2, { max: 5 }), crit(3, { max: 5, non_ranking: true })],
    });
    const t = computeTally({
      rule: r,
      categories: [
        { category_id: CAT2, number: 2 },
        { category_id: CAT, number: 1 },
      ],
      nominations: [
        { nomination_id: N(3), category_id: CAT, vectors: [], recusals: { abstained: 0, declared: 0, home_city: 2 } },
        { nomination_id: N(2), category_id: CAT, vectors: [[4, 3, 1], [4, 3, 1], [2, 1, 1]], recusals: noRec },
        { nomination_id: N(1), category_id: CAT, vectors: [[5, 4, 1], [3, 2, 0]], recusals: { abstained: 0, declared: 1, home_city: 0 } },
      ],
      decisions: [],
    });
    // N1: sums 2·5+4 = 14 and 2·3+2 = 8 → [8, 14], mean 11; c1 (5+3)/2 = 4, c2 (4+2)/2 = 3, c3 (1+0)/2 = 1/2.
    // N2: sums 11, 11, 5 → [5, 11, 11], mean 27/3 = 9; c1 10/3, c2 7/3, c3 1.
    // N3: no vectors, quorum 1 not met.
    const crits = (a: (string | null)[]) => a.map((s, i) => ({ criterion_id: K(i + 1), non_ranking: i === 2, score: s }));
    expect(t.document).toEqual({
      categories: [
        {
          category_id: CAT,
          nominations: [
            {
              nomination_id: N(1),
              rank: 1,
              score: "11/1",
              winner: true,
              quorum_met: true,
              jurors: 2,
              criteria: crits(["4/1", "3/1", "1/2"]),
              recusals: { abstained: 0, declared: 1, home_city: 0 },
              explanation: [
                { code: "quorum_met", jurors: 2, quorum: 1 },
                { code: "score", method: "weighted_mean", score: "11/1", sums: [8, 14] },
                { code: "rank", of: 2, rank: 1 },
                { code: "winner", places: 1, rank: 1 },
              ],
            },
            {
              nomination_id: N(2),
              rank: 2,
              score: "9/1",
              winner: false,
              quorum_met: true,
              jurors: 3,
              criteria: crits(["10/3", "7/3", "1/1"]),
              recusals: noRec,
              explanation: [
                { code: "quorum_met", jurors: 3, quorum: 1 },
                { code: "score", method: "weighted_mean", score: "9/1", sums: [5, 11, 11] },
                { code: "rank", of: 2, rank: 2 },
                { code: "not_winner_rank", places: 1, rank: 2 },
              ],
            },
            {
              nomination_id: N(3),
              rank: 0,
              score: null,
              winner: false,
              quorum_met: false,
              jurors: 0,
              criteria: crits([null, null, null]),
              recusals: { abstained: 0, declared: 0, home_city: 2 },
              explanation: [{ code: "quorum_not_met", jurors: 0, quorum: 1 }, { code: "not_ranked" }],
            },
          ],
        },
        { category_id: CAT2, nominations: [] },
      ],
      format: "miasta-tally/2",
    });
    expect(t.winners).toEqual([N(1)]);
    expect(t.unresolvedTies).toEqual([]);
  });
});

describe("§9.3 methods", () => {
  test("median is the lower median of the sums; aggregates are lower medians of marks", () => {
    const t = tally(rule({ method: "median", criteria: [crit(1), crit(2)] }), {
      [N(1)]: [[1, 4], [4, 4], [9, 0], [6, 6]], // sums 5, 8, 9, 12 → sums[1] = 8; c1 [1,4,6,9] → 4; c2 [0,4,4,6] → 4
    });
    const n = noms(t)[0];
    expect(n.score).toBe("8/1");
    expect((n.criteria as JsonObject[]).map((c) => c.score)).toEqual(["4/1", "4/1"]);
    expect(expl(t, N(1))[1]).toEqual({ code: "score", method: "median", score: "8/1", sums: [5, 8, 9, 12] });
  });

  test("trimmed mean drops t lowest and highest; quorum needs k > 2t", () => {
    const r = rule({ method: "trimmed_mean", trim_count: 1, criteria: [crit(1, { max: 100 })], quorum: 2 });
    const t = tally(r, {
      [N(1)]: [[100], [1], [7], [5]], // [1,5,7,100] → [5,7] → 6
      [N(2)]: [[3], [4]], // k = 2 ≥ quorum 2 but ≤ 2t
      [N(3)]: [[3]], // k = 1 < quorum
    });
    expect(order(t)).toEqual([N(1), N(2), N(3)]);
    expect(noms(t)[0].score).toBe("6/1");
    expect(expl(t, N(1))[1]).toEqual({ code: "score", method: "trimmed_mean", score: "6/1", sums: [1, 5, 7, 100], trim_count: 1 });
    expect(expl(t, N(2))).toEqual([{ code: "quorum_not_met_trim", jurors: 2, needed: 3, trim_count: 1 }, { code: "not_ranked" }]);
    expect(expl(t, N(3))).toEqual([{ code: "quorum_not_met", jurors: 1, quorum: 2 }, { code: "not_ranked" }]);
    expect(noms(t)[1].rank).toBe(0);
    expect(noms(t)[1].score).toBeNull();
  });

  test("weighted mean is exact (no floating point)", () => {
    const t = tally(rule(), { [N(1)]: [[1], [1], [2]] });
    expect(noms(t)[0].score).toBe("4/3");
  });
});

describe("§9.5.1 majority judgment", () => {
  const mj = (o: Partial<Rule> = {}) => rule({ method: "majority_judgment", ...o });

  test("one round separates: removing the majority grade exposes the next", () => {
    // A = N1 [1,5,5,9], B = N2 [4,5,6,6]: both majority grade sums[1] = 5.
    // Round 1: A removes index 1 → [1,5,9], median 5; B → [4,6,6], median 6. B above.
    const t = tally(mj(), { [N(1)]: [[1], [5], [5], [9]], [N(2)]: [[4], [5], [6], [6]] });
    expect(order(t)).toEqual([N(2), N(1)]);
    expect(noms(t).map((n) => n.rank)).toEqual([1, 2]);
    expect(ties(t, N(2))).toEqual([
      { code: "tie", outcome: "above", steps: [{ step: "majority_judgment", removed: 1, mine: 6, theirs: 5 }], with: N(1) },
    ]);
    expect(ties(t, N(1))).toEqual([
      { code: "tie", outcome: "below", steps: [{ step: "majority_judgment", removed: 1, mine: 5, theirs: 6 }], with: N(2) },
    ]);
  });

  test("two rounds", () => {
    // A [1,4,4,7], B [2,4,4,6]: r1 → A [1,4,7] key 4, B [2,4,6] key 4; r2 → A [1,7] key 1, B [2,6] key 2.
    const t = tally(mj(), { [N(1)]: [[1], [4], [4], [7]], [N(2)]: [[2], [4], [4], [6]] });
    expect(order(t)).toEqual([N(2), N(1)]);
    expect(ties(t, N(1))[0]).toEqual({
      code: "tie",
      outcome: "below",
      steps: [
        { step: "majority_judgment", removed: 1, mine: 4, theirs: 4 },
        { step: "majority_judgment", removed: 2, mine: 1, theirs: 2 },
      ],
      with: N(2),
    });
  });

  test("exhausted: a member with one grade left stops the rounds; tie-breaks follow", () => {
    // A [4,4], B [4,4]: r1 → [4] and [4], key 4 each; then exhausted with removed = 1.
    const t = tally(mj({ tie_breaks: ["higher_median"] }), { [N(1)]: [[4], [4]], [N(2)]: [[4], [4]] });
    expect(t.unresolvedTies).toEqual([{ category_id: CAT, members: [N(1), N(2)], rank: 1 }]);
    expect(ties(t, N(1))).toEqual([
      {
        code: "tie",
        outcome: "shared",
        steps: [
          { step: "majority_judgment", removed: 1, mine: 4, theirs: 4 },
          { step: "majority_judgment_exhausted", removed: 1 },
          { step: "higher_median", mine: 4, theirs: 4 },
        ],
        with: N(2),
        members: 2,
        rank: 1,
      },
    ]);
    // Both share rank 1 of 1 winning place: the group straddles nothing (r + 2 − 1 = 2 > 1) → winner_shared.
    expect(expl(t, N(1)).at(-1)).toEqual({ code: "winner_shared", places: 1, rank: 1, with: [N(2)] });
    expect(t.winners).toEqual([N(1), N(2)]);
  });

  test("exhausted at once when a member has a single grade", () => {
    const t = tally(mj(), { [N(1)]: [[4]], [N(2)]: [[3], [4], [9]] });
    // Both majority grade 4; N1 has one grade → exhausted with removed 0, no split.
    expect(ties(t, N(2))).toEqual([
      { code: "tie", outcome: "shared", steps: [{ step: "majority_judgment_exhausted", removed: 0 }], with: N(1), members: 2, rank: 1 },
    ]);
  });

  test("a three-way group splits and the remaining pair continues from the same r", () => {
    // A [1,5,9] B [2,5,8] C [5,5,5]; all median 5.
    // r1: A [1,9] key 1; B [2,8] key 2; C [5,5] key 5 → C, B, A all separated.
    // D [3,5,7] joins as a 4th: r1 key 3.  E [3,5,7] ties with D → r2: D [7]? n=2 → index 0 removed → [7] key 7, same for E → r3 exhausted.
    const t = tally(mj(), {
      [N(1)]: [[1], [5], [9]],
      [N(2)]: [[2], [5], [8]],
      [N(3)]: [[5], [5], [5]],
      [N(4)]: [[3], [5], [7]],
      [N(5)]: [[3], [5], [7]],
    });
    expect(order(t)).toEqual([N(3), N(4), N(5), N(2), N(1)]);
    expect(noms(t).map((n) => n.rank)).toEqual([1, 2, 2, 4, 5]);
    expect(ties(t, N(4))[1]).toEqual({
      code: "tie",
      outcome: "shared",
      steps: [
        { step: "majority_judgment", removed: 1, mine: 3, theirs: 3 },
        { step: "majority_judgment", removed: 2, mine: 7, theirs: 7 },
        { step: "majority_judgment_exhausted", removed: 2 },
      ],
      with: N(5),
      members: 2,
      rank: 2,
    });
    expect(ties(t, N(4))[0]).toEqual({
      code: "tie",
      outcome: "below",
      steps: [{ step: "majority_judgment", removed: 1, mine: 3, theirs: 5 }],
      with: N(3),
    });
  });
});

describe("§9.5.2 tie-breaks", () => {
  test("more_top_marks counts ranking marks at their max", () => {
    const r = rule({ criteria: [crit(1), crit(2), crit(3, { non_ranking: true })], tie_breaks: ["more_top_marks"] });
    // N1 [5,5,10] sum 10, top marks 0 (the non-ranking 10 does not count); N2 [10,0,0] sum 10, top marks 1.
    const t = tally(r, { [N(1)]: [[5, 5, 10]], [N(2)]: [[10, 0, 0]] });
    expect(order(t)).toEqual([N(2), N(1)]);
    expect(ties(t, N(2))[0]).toEqual({ code: "tie", outcome: "above", steps: [{ step: "more_top_marks", mine: 1, theirs: 0 }], with: N(1) });
  });

  test("higher_median uses the lower median of the sums", () => {
    // N1 sums [2,10,12] mean 8 median 10; N2 [8,8,8] mean 8 median 8.
    const t = tally(rule({ tie_breaks: ["higher_median"] }), { [N(1)]: [[2], [10], [12]], [N(2)]: [[8], [8], [8]] });
    expect(order(t)).toEqual([N(1), N(2)]);
    expect(ties(t, N(2))[0]).toEqual({ code: "tie", outcome: "below", steps: [{ step: "higher_median", mine: 8, theirs: 10 }], with: N(1) });
  });

  test("criteria_in_order: one step per ranking criterion, non-ranking skipped", () => {
    const r = rule({
      criteria: [crit(1), crit(2, { non_ranking: true }), crit(3), crit(4)],
      tie_breaks: ["criteria_in_order"],
    });
    // Sums (criteria 1, 3, 4): N1 5+5+0 = 10, N2 5+4+1 = 10, N3 6+2+2 = 10.
    // Criterion 1: N3 6 > N1 5 = N2 5. Criterion 3 splits N1 (5) above N2 (4).
    const t = tally(r, { [N(1)]: [[5, 9, 5, 0]], [N(2)]: [[5, 0, 4, 1]], [N(3)]: [[6, 0, 2, 2]] });
    expect(order(t)).toEqual([N(3), N(1), N(2)]);
    expect(ties(t, N(1))).toEqual([
      {
        code: "tie",
        outcome: "below",
        steps: [{ step: "criteria_in_order", criterion_id: K(1), number: 1, mine: "5/1", theirs: "6/1" }],
        with: N(3),
      },
      {
        code: "tie",
        outcome: "above",
        steps: [
          { step: "criteria_in_order", criterion_id: K(1), number: 1, mine: "5/1", theirs: "5/1" },
          { step: "criteria_in_order", criterion_id: K(3), number: 3, mine: "5/1", theirs: "4/1" },
        ],
        with: N(2),
      },
    ]);
  });

  test("criteria_in_order compares rational aggregates", () => {
    const r = rule({ criteria: [crit(1), crit(2)], tie_breaks: ["criteria_in_order"] });
    // N1 c1 [1,2] mean 3/2, c2 [3,3]; N2 c1 [1,1] mean 1, c2 [4,3]. Sums N1 [4,5] mean 9/2, N2 [5,4] 9/2.
    const t = tally(r, { [N(1)]: [[1, 3], [2, 3]], [N(2)]: [[1, 4], [1, 3]] });
    expect(order(t)).toEqual([N(1), N(2)]);
    expect(noms(t)[0].score).toBe("9/2");
    expect((ties(t, N(1))[0].steps as JsonObject[])[0]).toEqual({ step: "criteria_in_order", criterion_id: K(1), number: 1, mine: "3/2", theirs: "1/1" });
  });

  test("tie-breaks apply in the rule's order, only to groups still tied", () => {
    // N1 and N2 tie on score; more_top_marks equal (0); higher_median separates.
    // N3 has a different score: gets no path entries and no tie items.
    const t = tally(rule({ tie_breaks: ["more_top_marks", "higher_median"] }), {
      [N(1)]: [[2], [6], [7]], // mean 5, median 6
      [N(2)]: [[5], [5], [5]], // mean 5, median 5
      [N(3)]: [[9]],
    });
    expect(order(t)).toEqual([N(3), N(1), N(2)]);
    expect(ties(t, N(3))).toEqual([]);
    expect(ties(t, N(1))).toEqual([
      {
        code: "tie",
        outcome: "above",
        steps: [
          { step: "more_top_marks", mine: 0, theirs: 0 },
          { step: "higher_median", mine: 6, theirs: 5 },
        ],
        with: N(2),
      },
    ]);
  });

  test("jury_decision missing: every tied member gets jury_decision_missing, nothing is split", () => {
    const t = tally(rule({ tie_breaks: ["jury_decision"] }), { [N(1)]: [[5]], [N(2)]: [[5]] });
    expect(ties(t, N(1))).toEqual([
      { code: "tie", outcome: "shared", steps: [{ step: "jury_decision_missing" }], with: N(2), members: 2, rank: 1 },
    ]);
    expect(t.unresolvedTies).toEqual([{ category_id: CAT, members: [N(1), N(2)], rank: 1 }]);
  });

  test("jury_decision: places from the decisions in force; unlisted nominations stay tied below", () => {
    const r = rule({ tie_breaks: ["jury_decision"], winners: 2 });
    const four = { [N(1)]: [[5]], [N(2)]: [[5]], [N(3)]: [[5]], [N(4)]: [[5]] };
    // D = [N2, N1]: places N2 1, N1 2; L = 2; N3, N4 key −3, value null.
    const t = tally(r, four, [{ category_id: CAT, nomination_ids: [N(2), N(1)] }]);
    expect(order(t)).toEqual([N(2), N(1), N(3), N(4)]);
    expect(noms(t).map((n) => n.rank)).toEqual([1, 2, 3, 3]);
    expect(ties(t, N(3))).toEqual([
      { code: "tie", outcome: "below", steps: [{ step: "jury_decision", mine: null, theirs: 2 }], with: N(1) },
      { code: "tie", outcome: "shared", steps: [{ step: "jury_decision", mine: null, theirs: null }], with: N(4), members: 2, rank: 3 },
    ]);
    expect(t.unresolvedTies).toEqual([{ category_id: CAT, members: [N(3), N(4)], rank: 3 }]);
    expect(t.winners).toEqual([N(2), N(1)]);
    expect(expl(t, N(3)).at(-1)).toEqual({ code: "not_winner_rank", places: 2, rank: 3 });

    // A second decision in force appends to D: [N2, N1, N4, N3] → N4 place 3 above N3 place 4.
    const t2 = tally(r, four, [
      { category_id: CAT, nomination_ids: [N(2), N(1)] },
      { category_id: CAT, nomination_ids: [N(4), N(3)] },
    ]);
    expect(order(t2)).toEqual([N(2), N(1), N(4), N(3)]);
    expect(t2.unresolvedTies).toEqual([]);
    // Another category's decision does not apply here.
    const t3 = tally(r, four, [{ category_id: CAT2, nomination_ids: [N(4), N(3)] }]);
    expect(t3.unresolvedTies).toEqual([{ category_id: CAT, members: [N(1), N(2), N(3), N(4)], rank: 1 }]);
  });

  test("a repeated nomination in D (impossible once T2 holds) keeps its first place", () => {
    const t = tally(rule({ tie_breaks: ["jury_decision"] }), { [N(1)]: [[5]], [N(2)]: [[5]], [N(3)]: [[5]] }, [
      { category_id: CAT, nomination_ids: [N(3), N(1)] },
      { category_id: CAT, nomination_ids: [N(1), N(2)] },
    ]);
    // D = [N3, N1, N1, N2]: places N3 1, N1 2, N2 4; L = 4.
    expect(order(t)).toEqual([N(3), N(1), N(2)]);
    expect((ties(t, N(2))[0].steps as JsonObject[])[0]).toEqual({ step: "jury_decision", mine: 4, theirs: 2 });
  });
});

describe("§9.4 ranks and §9.8 winners", () => {
  test("competition ranks 1, 2, 2, 4 and unranked after", () => {
    const t = tally(rule({ winners: 2, quorum: 1 }), {
      [N(1)]: [[9]],
      [N(2)]: [[7]],
      [N(3)]: [[7]],
      [N(4)]: [[1]],
      [N(5)]: [],
    });
    expect(order(t)).toEqual([N(1), N(2), N(3), N(4), N(5)]);
    expect(noms(t).map((n) => n.rank)).toEqual([1, 2, 2, 4, 0]);
    // The rank-2 group of two straddles place 2: both win (a category may have more than W winners).
    expect(t.winners).toEqual([N(1), N(2), N(3)]);
    expect(expl(t, N(2)).at(-1)).toEqual({ code: "winner_shared", places: 2, rank: 2, with: [N(3)] });
    expect(expl(t, N(3)).slice(2)).toEqual([
      { code: "rank", of: 4, rank: 2 },
      { code: "tie", outcome: "shared", steps: [], with: N(2), members: 2, rank: 2 },
      { code: "winner_shared", places: 2, rank: 2, with: [N(2)] },
    ]);
    expect(expl(t, N(4)).at(-1)).toEqual({ code: "not_winner_rank", places: 2, rank: 4 });
  });

  test("a tie inside the winning places is a plain winner", () => {
    const t = tally(rule({ winners: 2 }), { [N(1)]: [[7]], [N(2)]: [[7]] });
    expect(expl(t, N(1)).at(-1)).toEqual({ code: "winner", places: 2, rank: 1 });
  });

  test("minimum score: below it is not a winner and the place is not passed on", () => {
    const r = rule({ winners: 2, minimum_score: Rational.parse("15/2")! });
    const t = tally(r, { [N(1)]: [[9]], [N(2)]: [[7]], [N(3)]: [[6]] });
    expect(t.winners).toEqual([N(1)]);
    expect(expl(t, N(1)).at(-1)).toEqual({ code: "winner", minimum_score: "15/2", places: 2, rank: 1 });
    expect(expl(t, N(2)).at(-1)).toEqual({ code: "not_winner_minimum", minimum_score: "15/2", places: 2, rank: 2, score: "7/1" });
    // Rank 3 > W comes first, even though it is also below the minimum.
    expect(expl(t, N(3)).at(-1)).toEqual({ code: "not_winner_rank", places: 2, rank: 3 });
    // A score equal to the minimum wins.
    const t2 = tally(rule({ minimum_score: Rational.parse("9/1")! }), { [N(1)]: [[9]] });
    expect(t2.winners).toEqual([N(1)]);
  });

  test("equal scores keep nomination-id order before tie-breaks", () => {
    const t = tally(rule(), { [N(3)]: [[5]], [N(1)]: [[5]], [N(2)]: [[5]] });
    expect(order(t)).toEqual([N(1), N(2), N(3)]);
  });

  test("categories in increasing number; winners in document order", () => {
    const t = computeTally({
      rule: rule(),
      categories: [
        { category_id: CAT2, number: 1 },
        { category_id: CAT, number: 7 },
      ],
      nominations: [
        { nomination_id: N(1), category_id: CAT, vectors: [[3]], recusals: noRec },
        { nomination_id: N(2), category_id: CAT2, vectors: [[3]], recusals: noRec },
      ],
      decisions: [],
    });
    expect((t.document.categories as JsonObject[]).map((c) => c.category_id)).toEqual([CAT2, CAT]);
    expect(t.winners).toEqual([N(2), N(1)]);
  });
});

describe("methods × the same input", () => {
  test.each<[Method, string]>([
    ["weighted_mean", "17/4"],
    ["median", "2/1"],
    ["majority_judgment", "2/1"],
  ])("%s", (method, score) => {
    // sums [1, 2, 4, 10]
    const t = tally(rule({ method, tie_breaks: [] as TieBreak[] }), { [N(1)]: [[10], [1], [4], [2]] });
    expect(noms(t)[0].score).toBe(score);
  });
});
