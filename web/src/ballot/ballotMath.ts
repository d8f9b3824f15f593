/** Marks are a juror's scores by "nominationId/criterionId". */
export type Marks = Map<string, number>;

export function scoreKey(nominationId: string, criterionId: string): string {
  return nominationId + "/" + criterionId;
}

export interface Progress {
  done: number;
  total: number;
}

/**
 * completeness counts the nominations the juror has fully scored (every criterion) among those they
 * must score (not recused), in all and per category. It mirrors the server's rule for casting, so the
 * cast button is enabled exactly when the server would accept.
 */
export function completeness(
  nominations: { id: string; categoryId: string; recused: boolean }[],
  criteria: string[],
  marks: Marks,
): Progress & { byCategory: Map<string, Progress> } {
  const byCategory = new Map<string, Progress>();
  let done = 0;
  let total = 0;
  for (const n of nominations) {
    const p = byCategory.get(n.categoryId) ?? { done: 0, total: 0 };
    byCategory.set(n.categoryId, p);
    if (n.recused) continue;
    p.total++;
    total++;
    if (criteria.every((c) => marks.has(scoreKey(n.id, c)))) {
      p.done++;
      done++;
    }
  }
  return { done, total, byCategory };
}

/** What the juror has done with one nomination, as the review before casting lists it. */
export type NominationState =
  | { kind: "scored" }
  | { kind: "missing"; left: number }
  | { kind: "homeCity" }
  | { kind: "declared" }
  | { kind: "abstained" };

/** nominationState: recused (by home city, a declared conflict or an abstention), scored, or how many criteria are left. */
export function nominationState(nominationId: string, recusal: { kind: number } | undefined, criteria: string[], marks: Marks): NominationState {
  // RecusalKind: 1 home city, 2 declared conflict, 3 abstention (jury.proto).
  if (recusal) return { kind: recusal.kind === 1 ? "homeCity" : recusal.kind === 2 ? "declared" : "abstained" };
  const left = criteria.filter((c) => !marks.has(scoreKey(nominationId, c))).length;
  return left === 0 ? { kind: "scored" } : { kind: "missing", left };
}

/** summary is one sentence counting the states, e.g. "12 scored · 1 home city · 2 still to score". */
export function summary(states: NominationState[], t: (id: "ballot.summary", values: Record<string, number>) => string): string {
  const count = (k: NominationState["kind"]) => states.filter((s) => s.kind === k).length;
  return t("ballot.summary", {
    scored: count("scored"),
    homeCity: count("homeCity"),
    declared: count("declared"),
    abstained: count("abstained"),
    missing: count("missing"),
  });
}
