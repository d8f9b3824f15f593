// Exact schemas of the refined spec: times (§3.3), label language tags (§7),
// marks counts (§10), the invitation payloads' pairs (§6).

import { describe, expect, test } from "vitest";
import type { Json } from "../src/canonical.ts";
import { isTime, LANGUAGE_TAG_RE, marksEntry, payloadSchemas, rule, uuid } from "../src/schema.ts";

const H = "sha256:" + "1".repeat(64);
const U = "00000000-0000-4000-8000-000000000001";

describe("times (§3.3): a real Gregorian date, 00–23, 00–59, 00–59", () => {
  test.each([
    "2015-05-14T13:30:00.000000Z",
    "2024-02-29T00:00:00.000000Z", // leap year
    "2000-02-29T23:59:59.999999Z", // divisible by 400
    "0000-01-01T00:00:00.000000Z",
    "2025-12-31T23:59:59.000000Z",
  ])("accepted: %s", (t) => expect(isTime(t)).toBe(true));
  test.each([
    "2025-02-29T00:00:00.000000Z", // not a leap year
    "1900-02-29T00:00:00.000000Z", // divisible by 100, not by 400
    "2025-04-31T00:00:00.000000Z",
    "2025-13-01T00:00:00.000000Z",
    "2025-00-10T00:00:00.000000Z",
    "2025-01-00T00:00:00.000000Z",
    "2025-01-01T24:00:00.000000Z",
    "2025-01-01T00:60:00.000000Z",
    "2016-12-31T23:59:60.000000Z", // a leap second
    "2025-01-01T00:00:00.000Z",
    "2025-01-01T00:00:00.000000+00:00",
    "2025-01-01 00:00:00.000000Z",
  ])("refused: %s", (t) => expect(isTime(t)).toBe(false));
});

describe("label keys are language tags (§7, S2)", () => {
  test.each(["pl", "en", "uk", "es", "vi", "pt-BR", "zh-Hant-TW", "fil", "en-12345678"])("accepted: %s", (k) =>
    expect(LANGUAGE_TAG_RE.test(k)).toBe(true));
  test.each(["", "PL", "p", "polish", "pt_BR", "pt-", "en-123456789", "en--US", " pl", "pl\n", "e\u0301n"])("refused: %j", (k) =>
    expect(LANGUAGE_TAG_RE.test(k)).toBe(false));

  const ruleWith = (text: Record<string, Json>): Json => ({
    format: "miasta-rule/2",
    method: "median",
    criteria: [{ criterion_id: U, number: 1, min: 0, max: 5, weight: 1, non_ranking: false, labels: [{ text, value: 0 }] }],
    quorum: 1,
    winners: 1,
    minimum_score: null,
    trim_count: 0,
    tie_breaks: [],
  });
  test("a rule with tagged texts passes, an untagged key fails, the texts are any strings", () => {
    expect(rule(ruleWith({ pl: "", "pt-BR": "ótimo" }), "rule")).toBeNull();
    expect(rule(ruleWith({ Polish: "x" }), "rule")).toMatch(/language tag/);
    expect(rule(ruleWith({ pl: 1 }), "rule")).toMatch(/expected a string/);
  });
  test("labels may be empty, and a label with no text is a matter for R1, not S2", () => {
    const r = ruleWith({}) as { criteria: { labels: unknown[] }[] };
    expect(rule(r as unknown as Json, "rule")).toBeNull();
    r.criteria[0].labels = [];
    expect(rule(r as unknown as Json, "rule")).toBeNull();
  });
  test("an empty criteria array and a minimum score that is not a rational are S2", () => {
    const r = ruleWith({ pl: "x" }) as Record<string, Json>;
    expect(rule({ ...r, criteria: [] }, "rule")).toMatch(/at least 1/);
    expect(rule({ ...r, minimum_score: "2/4" }, "rule")).toMatch(/rational/);
    expect(rule({ ...r, minimum_score: "1.5" }, "rule")).toMatch(/rational/);
    expect(rule({ ...r, minimum_score: "3/2" }, "rule")).toBeNull();
  });
});

describe("marks entries (§10): the recusal counts are ints ≥ 0 (S2)", () => {
  const entry = (declared: Json): Json => ({ nomination_id: U, recusals: { abstained: 0, declared, home_city: 2 }, vectors: [[1, 2]] });
  test("zero and positive counts pass", () => {
    expect(marksEntry(entry(0), "m")).toBeNull();
    expect(marksEntry(entry(3), "m")).toBeNull();
  });
  test("a negative count fails", () => expect(marksEntry(entry(-1), "m")).toMatch(/outside 0/));
});

describe("invitation payloads (§6, S3): exactly one of each pair, city_id together with person", () => {
  const s = payloadSchemas();
  const acc = (m: Record<string, Json>): Json => ({ invitation_id: U, role: "juror", ...m });
  test("both forms pass", () => {
    expect(s["invitation.accepted"](acc({ city_id: U, person: H }), "p")).toBeNull();
    expect(s["invitation.accepted"](acc({ city_commitment: H, person_commitment: H }), "p")).toBeNull();
    expect(s["invitation.created"]({ invitation_id: U, role: "expert", city_id: U }, "p")).toBeNull();
    expect(s["invitation.created"]({ invitation_id: U, role: "juror", city_commitment: H }, "p")).toBeNull();
  });
  test("a mixed pair fails", () => {
    expect(s["invitation.accepted"](acc({ city_id: U, person_commitment: H }), "p")).toMatch(/city_id goes with person/);
    expect(s["invitation.accepted"](acc({ city_commitment: H, person: H }), "p")).toMatch(/city_id goes with person/);
  });
  test("both or neither member of a pair fails", () => {
    expect(s["invitation.accepted"](acc({ city_id: U, city_commitment: H, person: H }), "p")).toMatch(/both/);
    expect(s["invitation.accepted"](acc({ city_id: U }), "p")).toMatch(/missing/);
    expect(s["invitation.created"]({ invitation_id: U, role: "juror" }, "p")).toMatch(/missing/);
  });
});

describe("uuids (§3.3): any version or variant, lowercase 8-4-4-4-12", () => {
  test.each([
    "00000000-0000-0000-0000-000000000000", // nil
    "ffffffff-ffff-ffff-ffff-ffffffffffff", // max
    "0000006e-0000-4000-8000-0000000001f5",
    "123e4567-e89b-12d3-a456-426614174000", // version 1
    "01890a5d-ac96-774b-bcce-b302099a8057", // version 7
    "00000000-0000-0000-c000-000000000000", // Microsoft variant
  ])("accepted: %s", (u) => expect(uuid(u, "u")).toBeNull());
  test.each(["123E4567-E89B-12D3-A456-426614174000", "123e4567e89b12d3a456426614174000", "{123e4567-e89b-12d3-a456-426614174000}", "123e4567-e89b-12d3-a456-42661417400"])(
    "refused: %s",
    (u) => expect(uuid(u, "u")).not.toBeNull(),
  );
});
