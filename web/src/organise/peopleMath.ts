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

/** PeopleSort is what the people list is ordered by. */
export type PeopleSort = "name" | "role" | "city" | "state";

/** PeopleFilter narrows the people list: a role and an invitation state ("all" for any), and words
 * every one of which the person's name, address or city holds (case- and accent-insensitively). */
export interface PeopleFilter {
  role: number | "all";
  state: number | "all";
  text: string;
}

const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/ł/g, "l")
    .replace(/Ł/g, "L")
    .toLowerCase();

/** listPeople filters and orders invitations for the people table; ties keep the invitations' order. */
export function listPeople(all: Invitation[], f: PeopleFilter, sort: PeopleSort): Invitation[] {
  const words = fold(f.text).split(/\s+/).filter(Boolean);
  const kept = all.filter((i) => {
    if (f.role !== "all" && i.role !== f.role) return false;
    if (f.state !== "all" && i.state !== f.state) return false;
    const hay = fold(`${i.displayName} ${i.email} ${i.city?.name ?? ""}`);
    return words.every((w) => hay.includes(w));
  });
  const key: Record<PeopleSort, (i: Invitation) => string | number> = {
    name: (i) => i.displayName,
    role: (i) => i.role,
    city: (i) => i.city?.name ?? "",
    state: (i) => i.state,
  };
  const by = key[sort];
  return kept
    .map((i, n) => ({ i, n }))
    .sort((a, b) => {
      const x = by(a.i);
      const y = by(b.i);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "pl");
      return c || a.n - b.n;
    })
    .map(({ i }) => i);
}
