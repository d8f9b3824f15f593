import type { Invitation } from "../gen/miasta/v1/identity_pb.js";
import { ProgressState, type JurorProgress } from "../gen/miasta/v1/jury_pb.js";

/** loneJurorCities names the cities, in order, that have exactly one of the given juror invitations. */
export function loneJurorCities(jurors: Invitation[]): string[] {
  const count = new Map<string, number>();
  for (const i of jurors) {
    const name = i.city?.name ?? "";
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  return [...count].filter(([name, n]) => n === 1 && name !== "").map(([name]) => name).sort((a, b) => a.localeCompare(b, "pl"));
}

/**
 * notCast names the jurors whose ballot would not count if the round closed now: those with a
 * category to score that they have neither cast nor are recused from.
 */
export function notCast(jurors: JurorProgress[]): string[] {
  return jurors
    .filter((j) => j.categories.some((c) => c.state !== ProgressState.CAST && c.state !== ProgressState.RECUSED))
    .map((j) => j.displayName)
    .sort((a, b) => a.localeCompare(b, "pl"));
}
