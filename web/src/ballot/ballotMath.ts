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
