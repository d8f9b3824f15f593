import type { Invitation } from "../gen/miasta/v1/identity_pb.js";

/** loneJurorCities names the cities, in order, that have exactly one of the given juror invitations. */
export function loneJurorCities(jurors: Invitation[]): string[] {
  const count = new Map<string, number>();
  for (const i of jurors) {
    const name = i.city?.name ?? "";
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  return [...count].filter(([name, n]) => n === 1 && name !== "").map(([name]) => name).sort((a, b) => a.localeCompare(b, "pl"));
}
