import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { exactRational, formatInstant, formatRational, fromWarsawInput, remaining, warsawInputValue } from "./format";
import { RationalSchema } from "../gen/miasta/v1/results_pb.js";

describe("formatInstant shows Warsaw time in the reader's locale", () => {
  it("uses CET in winter and CEST in summer, whatever the browser's zone", () => {
    const winter = timestampFromDate(new Date("2026-01-15T23:30:00Z")); // 00:30 on the 16th in Warsaw
    const summer = timestampFromDate(new Date("2026-07-01T10:00:00Z")); // 12:00 in Warsaw
    expect(formatInstant(winter, "pl")).toMatch(/16 stycznia 2026.*00:30/);
    expect(formatInstant(winter, "en")).toMatch(/January 16, 2026.*12:30\sAM/);
    expect(formatInstant(summer, "en-GB")).toMatch(/1 July 2026.*12:00/);
    expect(formatInstant(summer, "vi")).toMatch(/12:00/);
    expect(formatInstant(winter, "en")).toMatch(/\((CET|GMT\+1)\)$/);
    expect(formatInstant(summer, "en")).toMatch(/\((CEST|GMT\+2)\)$/);
  });
});

describe("remaining", () => {
  const now = new Date("2026-11-23T12:00:00Z");
  it("splits the time left into days, hours and minutes", () => {
    expect(remaining(new Date("2026-11-25T15:30:00Z"), now)).toEqual({ past: false, days: 2, hours: 3, minutes: 30 });
  });
  it("is past, and zero, once the deadline has gone", () => {
    expect(remaining(new Date("2026-11-23T11:59:00Z"), now)).toEqual({ past: true, days: 0, hours: 0, minutes: 0 });
  });
});

describe("rationals are shown, never computed with", () => {
  const r = (n: bigint, d: bigint) => create(RationalSchema, { numerator: n, denominator: d });
  it("prints integers exactly and fractions to three places in the locale", () => {
    expect(formatRational(r(11n, 1n), "pl")).toBe("11");
    expect(formatRational(r(32n, 3n), "pl")).toBe("10,666");
    expect(formatRational(r(32n, 3n), "en")).toBe("10.666");
    expect(exactRational(r(32n, 3n))).toBe("32/3");
    expect(formatRational(undefined, "en")).toBe("—");
  });
});

describe("Warsaw wall-clock input", () => {
  it("reads a datetime-local value as Warsaw time in winter and summer", () => {
    expect(fromWarsawInput("2027-01-31T23:59")?.toISOString()).toBe("2027-01-31T22:59:00.000Z");
    expect(fromWarsawInput("2027-05-14T12:00")?.toISOString()).toBe("2027-05-14T10:00:00.000Z");
  });
  it("round-trips through the input's value", () => {
    for (const iso of ["2027-01-31T22:59:00Z", "2027-05-14T10:00:00Z", "2026-10-25T00:30:00Z"]) {
      const ts = timestampFromDate(new Date(iso));
      expect(fromWarsawInput(warsawInputValue(ts))?.toISOString()).toBe(new Date(iso).toISOString());
    }
  });
  it("takes the first of the autumn's doubled hour and moves a skipped spring time on", () => {
    expect(fromWarsawInput("2026-10-25T02:30")?.toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(fromWarsawInput("2026-03-29T02:30")?.toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });
  it("refuses what is not a datetime-local value", () => {
    expect(fromWarsawInput("")).toBeUndefined();
    expect(fromWarsawInput("31.01.2027")).toBeUndefined();
  });
});
