import type { NominationResult } from "../gen/miasta/v1/results_pb.js";

/** tiedGroups are the sets of nominations sharing a rank that decides a prize. */
export function tiedGroups(ns: NominationResult[], winners: number): NominationResult[][] {
  const byRank = new Map<number, NominationResult[]>();
  for (const n of ns) if (n.quorumMet) byRank.set(n.rank, [...(byRank.get(n.rank) ?? []), n]);
  return [...byRank.values()].filter((g) => g.length > 1 && g[0].rank <= winners);
}
