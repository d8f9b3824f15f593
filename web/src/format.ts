// Dates are instants; the award runs on Warsaw time, so every date is shown in Europe/Warsaw, in the
// reader's locale and with the zone named, whatever the browser's own zone is.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Rational } from "./gen/miasta/v1/results_pb.js";

export const WARSAW = "Europe/Warsaw";

export function formatInstant(ts: Timestamp | Date | undefined, locale: string): string {
  if (!ts) return "";
  const d = ts instanceof Date ? ts : timestampDate(ts);
  return new Intl.DateTimeFormat(locale, {
    timeZone: WARSAW,
    dateStyle: "long",
    timeStyle: "short",
  }).format(d) + " (" + zoneName(d, locale) + ")";
}

function zoneName(d: Date, locale: string): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone: WARSAW, timeZoneName: "short" })
    .formatToParts(d)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? WARSAW;
}

/** Remaining is what is left until a deadline, in whole days and hours (never negative). */
export interface Remaining {
  past: boolean;
  days: number;
  hours: number;
  minutes: number;
}

export function remaining(deadline: Timestamp | Date, now: Date): Remaining {
  const d = deadline instanceof Date ? deadline : timestampDate(deadline);
  let ms = d.getTime() - now.getTime();
  const past = ms <= 0;
  ms = Math.max(0, ms);
  const minutes = Math.floor(ms / 60000);
  return { past, days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60 };
}

/**
 * formatRational shows an exact score as the server computed it: integers as they are, anything else
 * as a decimal with up to three places in the reader's locale, and the exact fraction for a title.
 * It never does arithmetic that decides anything; the tally is the server's (and the verifier's).
 */
export function formatRational(r: Rational | undefined, locale: string): string {
  if (!r || r.denominator === 0n) return "—";
  if (r.numerator % r.denominator === 0n) return (r.numerator / r.denominator).toLocaleString(locale);
  const scaled = (r.numerator * 1000n) / r.denominator;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(Number(scaled) / 1000);
}

export function exactRational(r: Rational | undefined): string {
  if (!r || r.denominator === 0n) return "";
  return r.denominator === 1n ? `${r.numerator}` : `${r.numerator}/${r.denominator}`;
}
