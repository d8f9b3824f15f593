import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { exactRational, formatInstant, formatRational, remaining } from "./format";
import { RationalSchema } from "./gen/miasta/v1/results_pb.js";

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
