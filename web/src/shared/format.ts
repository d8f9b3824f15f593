// Dates are instants; the award runs on Warsaw time, so every date is shown in Europe/Warsaw, in the
// reader's locale and with the zone named, whatever the browser's own zone is.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Rational } from "../gen/miasta/v1/results_pb.js";

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

/** warsawInputValue renders an instant for <input type="datetime-local"> as Warsaw wall-clock time. */
export function warsawInputValue(ts: Timestamp | undefined): string {
  if (!ts) return "";
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: WARSAW,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(timestampDate(ts))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** warsawOffsetMs is how far Warsaw's wall clock is ahead of UTC at an instant. */
function warsawOffsetMs(at: number): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: WARSAW,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    })
      .formatToParts(new Date(at))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

/**
 * fromWarsawInput reads a datetime-local value ("2027-01-31T23:59") as Warsaw wall-clock time, whatever
 * the browser's zone. In the autumn hour that happens twice it picks the first (summer time); a time
 * skipped in spring does not exist and moves an hour on, as clocks do.
 */
export function fromWarsawInput(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The offset in force two hours before is the one before any change near this time: it gives the
  // first of a doubled hour, and carries a skipped time past the gap.
  return new Date(wall - warsawOffsetMs(wall - 2 * 3600_000));
}
