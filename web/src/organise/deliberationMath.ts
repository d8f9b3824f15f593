import { MarkState, type DeliberationCategory, type DeliberationRow } from "../gen/miasta/v1/results_pb.js";

/** AgreementLevel is how Krippendorff (2004) suggests reading alpha: rely on it from 0.800, draw only
 * tentative conclusions from 0.667, and not below. */
export type AgreementLevel = "high" | "tentative" | "low";

/** agreementLevel reads an alpha; undefined when there is none (too few or all-equal marks). */
export function agreementLevel(alpha: number | undefined): AgreementLevel | undefined {
  if (alpha === undefined) return undefined;
  if (alpha >= 0.8) return "high";
  if (alpha >= 0.667) return "tentative";
  return "low";
}

/** formatAlpha writes alpha with three decimals, as the exports do. */
export function formatAlpha(alpha: number | undefined, locale: string): string {
  if (alpha === undefined) return "—";
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(alpha);
}

/** formatShare writes a deviation (a share of the scale) as a whole percentage. */
export function formatShare(x: number | undefined, locale: string): string {
  if (x === undefined) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(x);
}

/** Cell is one juror's part of a nomination's row: a mark per criterion, or one state across them. */
export type Cell =
  | { kind: "marks"; marks: { value: number; outlier: boolean; othersMean?: number }[] }
  | { kind: "state"; state: MarkState };

/** rowCells is what the matrix shows for a row. */
export function rowCells(row: DeliberationRow): Cell {
  if (row.state === MarkState.SCORED) {
    return { kind: "marks", marks: row.marks.map((m) => ({ value: m.value, outlier: m.outlier, othersMean: m.othersMean })) };
  }
  return { kind: "state", state: row.state };
}

/** winnerTitles names nominations of a category by practice and city, or undefined for none. */
export function winnerTitles(category: DeliberationCategory, ids: string[]): string | undefined {
  const names = ids.map((id) => {
    const n = category.nominations.find((x) => x.nominationId === id);
    return n ? `${n.practiceTitle} (${n.cityName})` : id;
  });
  return names.length ? names.join("; ") : undefined;
}
