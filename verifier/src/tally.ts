// The tally (spec §9): counted casts → per-nomination input → quorum and
// score → order within a category (majority-judgment rounds, tie-breaks) →
// ranks, winners and structured explanations → the canonical tally document.
// Integers and exact rationals only.

import type { Json, JsonObject } from "./canonical.ts";
import { mean, Rational } from "./rational.ts";

export type Method = "weighted_mean" | "median" | "trimmed_mean" | "majority_judgment";
export type TieBreak = "more_top_marks" | "higher_median" | "criteria_in_order" | "jury_decision";

export interface CriterionRule {
  criterion_id: string;
  number: number;
  min: number;
  max: number;
  weight: number;
  non_ranking: boolean;
}

export interface Rule {
  method: Method;
  criteria: CriterionRule[];
  quorum: number;
  winners: number;
  minimum_score: Rational | null;
  trim_count: number;
  tie_breaks: TieBreak[];
}

/** Reads the typed view of a rule that already passed the §7 schema. */
export function ruleFromJson(r: JsonObject): Rule {
  return {
    method: r.method as Method,
    criteria: (r.criteria as JsonObject[]).map((c) => ({
      criterion_id: c.criterion_id as string,
      number: c.number as number,
      min: c.min as number,
      max: c.max as number,
      weight: c.weight as number,
      non_ranking: c.non_ranking as boolean,
    })),
    quorum: r.quorum as number,
    winners: r.winners as number,
    minimum_score: r.minimum_score === null ? null : Rational.parse(r.minimum_score as string),
    trim_count: r.trim_count as number,
    tie_breaks: r.tie_breaks as TieBreak[],
  };
}

export interface Recusals {
  abstained: number;
  declared: number;
  home_city: number;
}

export interface NominationInput {
  nomination_id: string;
  category_id: string;
  vectors: number[][];
  recusals: Recusals;
}

export interface TallyInput {
  rule: Rule;
  /** Every category of the edition (any order; sorted here by number). */
  categories: { category_id: string; number: number }[];
  /** Every nomination of the final shortlist, with its vectors and recusal counts. */
  nominations: NominationInput[];
  /** The jury decisions in force (§9.6), in log order. */
  decisions: { category_id: string; nomination_ids: string[] }[];
}

export interface UnresolvedTie {
  category_id: string;
  members: string[]; // in the final order
  rank: number;
}

export interface TallyResult {
  document: JsonObject;
  winners: string[];
  unresolvedTies: UnresolvedTie[];
}

interface PathEntry {
  step: string;
  params: JsonObject; // removed | criterion_id, number
  hasValue: boolean;
  value: Json;
  key: Rational;
}

interface Nom {
  id: string;
  k: number;
  vectors: number[][];
  recusals: Recusals;
  sums: number[]; // increasing
  topMarks: number;
  median: number | null; // lower median of sums; null when k = 0
  quorumMet: boolean;
  quorumTrimShort: boolean; // k >= quorum but k <= 2t for trimmed_mean
  score: Rational | null;
  aggregates: (Rational | null)[]; // per rule criterion
  grades: number[]; // majority-judgment working copy
  path: PathEntry[];
}

const ZERO = Rational.of(0);

function byNumberAsc(a: number, b: number): number {
  return a - b;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The method applied to an increasing list of integers (§9.3). */
function applyMethod(method: Method, t: number, xs: number[]): Rational {
  const k = xs.length;
  switch (method) {
    case "weighted_mean":
      return mean(xs);
    case "median":
    case "majority_judgment":
      return Rational.of(xs[Math.floor((k - 1) / 2)]);
    case "trimmed_mean":
      return mean(xs.slice(t, k - t));
  }
}

function prepare(rule: Rule, input: NominationInput): Nom {
  const k = input.vectors.length;
  const t = rule.trim_count;
  const sums = input.vectors
    .map((v) => {
      let s = 0;
      rule.criteria.forEach((c, i) => {
        if (!c.non_ranking) s += c.weight * v[i];
      });
      return s;
    })
    .sort(byNumberAsc);
  let topMarks = 0;
  for (const v of input.vectors) {
    rule.criteria.forEach((c, i) => {
      if (!c.non_ranking && v[i] === c.max) topMarks++;
    });
  }
  const trimShort = rule.method === "trimmed_mean" && k <= 2 * t;
  const quorumMet = k >= rule.quorum && !trimShort;
  const score = quorumMet ? applyMethod(rule.method, t, sums) : null;
  const aggregates = rule.criteria.map((_, i) =>
    quorumMet
      ? applyMethod(
          rule.method,
          t,
          input.vectors.map((v) => v[i]).sort(byNumberAsc),
        )
      : null,
  );
  return {
    id: input.nomination_id,
    k,
    vectors: input.vectors,
    recusals: input.recusals,
    sums,
    topMarks,
    median: k > 0 ? sums[Math.floor((k - 1) / 2)] : null,
    quorumMet,
    quorumTrimShort: k >= rule.quorum && trimShort,
    score,
    aggregates,
    grades: [...sums],
    path: [],
  };
}

/** Sorts a group by key, highest first, stably, and splits it into runs of equal keys. */
function splitByKey(group: Nom[], keys: Map<Nom, Rational>): Nom[][] {
  const sorted = group
    .map((n, i) => ({ n, i }))
    .sort((a, b) => keys.get(b.n)!.cmp(keys.get(a.n)!) || a.i - b.i)
    .map((x) => x.n);
  const out: Nom[][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && keys.get(last[0])!.cmp(keys.get(n)!) === 0) last.push(n);
    else out.push([n]);
  }
  return out;
}

/** Applies one step to every group of two or more members. */
function refineAll(groups: Nom[][], step: (g: Nom[]) => Nom[][]): Nom[][] {
  const out: Nom[][] = [];
  for (const g of groups) {
    if (g.length < 2) out.push(g);
    else out.push(...step(g));
  }
  return out;
}

/** §9.5.1: majority-judgment rounds for one group, removal counter r. */
function majorityJudgment(g: Nom[], r: number): Nom[][] {
  if (g.some((n) => n.grades.length <= 1)) {
    for (const n of g) {
      n.path.push({ step: "majority_judgment_exhausted", params: { removed: r }, hasValue: false, value: null, key: ZERO });
    }
    return [g];
  }
  const r1 = r + 1;
  const keys = new Map<Nom, Rational>();
  for (const n of g) {
    n.grades.splice(Math.floor((n.grades.length - 1) / 2), 1);
    const key = n.grades[Math.floor((n.grades.length - 1) / 2)];
    keys.set(n, Rational.of(key));
    n.path.push({ step: "majority_judgment", params: { removed: r1 }, hasValue: true, value: key, key: Rational.of(key) });
  }
  const out: Nom[][] = [];
  for (const part of splitByKey(g, keys)) {
    if (part.length < 2) out.push(part);
    else out.push(...majorityJudgment(part, r1));
  }
  return out;
}

/** A simple keyed step: every member gets one path entry, then the group is split. */
function keyedStep(step: string, params: JsonObject, value: (n: Nom) => { key: Rational; value: Json }): (g: Nom[]) => Nom[][] {
  return (g) => {
    const keys = new Map<Nom, Rational>();
    for (const n of g) {
      const kv = value(n);
      keys.set(n, kv.key);
      n.path.push({ step, params, hasValue: true, value: kv.value, key: kv.key });
    }
    return splitByKey(g, keys);
  };
}

function tieItem(p: Nom, q: Nom, groupSize: number, rank: number): JsonObject {
  const steps: Json[] = [];
  let outcome = "shared";
  for (let i = 0; i < p.path.length && i < q.path.length; i++) {
    const a = p.path[i];
    const b = q.path[i];
    const s: JsonObject = { step: a.step, ...a.params };
    if (a.hasValue) {
      s.mine = a.value;
      s.theirs = b.value;
    }
    steps.push(s);
    const c = a.key.cmp(b.key);
    if (c !== 0) {
      outcome = c > 0 ? "above" : "below";
      break;
    }
  }
  const item: JsonObject = { code: "tie", outcome, steps, with: q.id };
  if (outcome === "shared") {
    item.members = groupSize;
    item.rank = rank;
  }
  return item;
}

/** Computes the tally document of §9.7 from the input. */
export function computeTally(input: TallyInput): TallyResult {
  const { rule } = input;
  const W = rule.winners;
  const categories = [...input.categories].sort((a, b) => a.number - b.number);
  const winners: string[] = [];
  const unresolvedTies: UnresolvedTie[] = [];
  const categoryResults: Json[] = [];
  const rankingCriteria = rule.criteria
    .map((c, i) => ({ c, i }))
    .filter((x) => !x.c.non_ranking)
    .sort((a, b) => a.c.number - b.c.number);

  for (const cat of categories) {
    const noms = input.nominations
      .filter((n) => n.category_id === cat.category_id)
      .sort((a, b) => cmpStr(a.nomination_id, b.nomination_id))
      .map((n) => prepare(rule, n));
    const ranked = noms.filter((n) => n.quorumMet);
    const unranked = noms.filter((n) => !n.quorumMet);

    // Order by score, highest first; equal scores keep nomination-id order and form groups.
    let groups: Nom[][] = splitByKey(ranked, new Map(ranked.map((n) => [n, n.score!])));

    if (rule.method === "majority_judgment") {
      groups = refineAll(groups, (g) => majorityJudgment(g, 0));
    }
    const D: string[] = input.decisions.filter((d) => d.category_id === cat.category_id).flatMap((d) => d.nomination_ids);
    for (const tb of rule.tie_breaks) {
      switch (tb) {
        case "more_top_marks":
          groups = refineAll(groups, keyedStep("more_top_marks", {}, (n) => ({ key: Rational.of(n.topMarks), value: n.topMarks })));
          break;
        case "higher_median":
          groups = refineAll(groups, keyedStep("higher_median", {}, (n) => ({ key: Rational.of(n.median!), value: n.median! })));
          break;
        case "criteria_in_order":
          for (const { c, i } of rankingCriteria) {
            groups = refineAll(
              groups,
              keyedStep("criteria_in_order", { criterion_id: c.criterion_id, number: c.number }, (n) => ({
                key: n.aggregates[i]!,
                value: n.aggregates[i]!.toString(),
              })),
            );
          }
          break;
        case "jury_decision":
          if (D.length === 0) {
            groups = refineAll(groups, (g) => {
              for (const n of g) n.path.push({ step: "jury_decision_missing", params: {}, hasValue: false, value: null, key: ZERO });
              return [g];
            });
          } else {
            // §9.5.2: place = 1-based position in D, L = length of D. No nomination appears twice
            // in D once T2 holds; should one (a decision not yet checked), its first place counts.
            const place = new Map<string, number>();
            D.forEach((id, i) => {
              if (!place.has(id)) place.set(id, i + 1);
            });
            const L = D.length;
            groups = refineAll(
              groups,
              keyedStep("jury_decision", {}, (n) => {
                const p = place.get(n.id);
                return p === undefined ? { key: Rational.of(-(L + 1)), value: null } : { key: Rational.of(-p), value: p };
              }),
            );
          }
          break;
      }
    }

    // Ranks and winners.
    const finalOrder: Nom[] = [];
    const rankOf = new Map<Nom, number>();
    const groupOf = new Map<Nom, Nom[]>();
    for (const g of groups) {
      const rank = finalOrder.length + 1;
      for (const n of g) {
        rankOf.set(n, rank);
        groupOf.set(n, g);
        finalOrder.push(n);
      }
      if (g.length >= 2) unresolvedTies.push({ category_id: cat.category_id, members: g.map((n) => n.id), rank });
    }

    const results: Json[] = [];
    finalOrder.forEach((n, idx) => {
      const r = rankOf.get(n)!;
      const g = groupOf.get(n)!;
      const score = n.score!;
      const belowMinimum = rule.minimum_score !== null && score.cmp(rule.minimum_score) < 0;
      const isWinner = r <= W && !belowMinimum;
      if (isWinner) winners.push(n.id);
      const explanation: Json[] = [
        { code: "quorum_met", jurors: n.k, quorum: rule.quorum },
        {
          code: "score",
          method: rule.method,
          score: score.toString(),
          sums: n.sums,
          ...(rule.method === "trimmed_mean" ? { trim_count: rule.trim_count } : {}),
        },
        { code: "rank", of: ranked.length, rank: r },
      ];
      const prev = idx > 0 ? finalOrder[idx - 1] : undefined;
      const next = idx + 1 < finalOrder.length ? finalOrder[idx + 1] : undefined;
      if (prev && prev.score!.cmp(score) === 0) explanation.push(tieItem(n, prev, g.length, r));
      if (next && next.score!.cmp(score) === 0) explanation.push(tieItem(n, next, g.length, r));
      if (r > W) explanation.push({ code: "not_winner_rank", places: W, rank: r });
      else if (belowMinimum) {
        explanation.push({
          code: "not_winner_minimum",
          minimum_score: rule.minimum_score!.toString(),
          places: W,
          rank: r,
          score: score.toString(),
        });
      } else if (r + g.length - 1 > W) {
        explanation.push({ code: "winner_shared", places: W, rank: r, with: g.filter((m) => m !== n).map((m) => m.id) });
      } else {
        explanation.push({
          code: "winner",
          places: W,
          rank: r,
          ...(rule.minimum_score !== null ? { minimum_score: rule.minimum_score.toString() } : {}),
        });
      }
      results.push(nominationResult(rule, n, r, isWinner, explanation));
    });
    for (const n of unranked) {
      const explanation: Json[] = n.quorumTrimShort
        ? [
            { code: "quorum_not_met_trim", jurors: n.k, needed: 2 * rule.trim_count + 1, trim_count: rule.trim_count },
            { code: "not_ranked" },
          ]
        : [{ code: "quorum_not_met", jurors: n.k, quorum: rule.quorum }, { code: "not_ranked" }];
      results.push(nominationResult(rule, n, 0, false, explanation));
    }
    categoryResults.push({ category_id: cat.category_id, nominations: results });
  }

  return {
    document: { categories: categoryResults, format: "miasta-tally/2" },
    winners,
    unresolvedTies,
  };
}

function nominationResult(rule: Rule, n: Nom, rank: number, winner: boolean, explanation: Json[]): JsonObject {
  return {
    nomination_id: n.id,
    rank,
    score: n.score === null ? null : n.score.toString(),
    winner,
    quorum_met: n.quorumMet,
    jurors: n.k,
    criteria: rule.criteria.map((c, i) => ({
      criterion_id: c.criterion_id,
      non_ranking: c.non_ranking,
      score: n.aggregates[i] === null ? null : n.aggregates[i]!.toString(),
    })),
    recusals: { abstained: n.recusals.abstained, declared: n.recusals.declared, home_city: n.recusals.home_city },
    explanation,
  };
}
