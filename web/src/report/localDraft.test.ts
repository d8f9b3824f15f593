import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FollowUpOutcome, FollowUpSchema, PracticeSchema } from "../gen/miasta/v1/report_pb.js";
import { clearAllDrafts, clearDraft, draftKey, loadDraft, storeDraft } from "./localDraft";

describe("local draft copies", () => {
  const key = draftKey("u1", "e1", "c1");
  it("round-trip everything typed, with the version it was typed on", () => {
    const d = {
      baseVersion: 7n,
      savedAt: new Date("2026-11-23T12:00:00Z"),
      introduction: "Wstęp — zażółć gęślą jaźń",
      practices: [create(PracticeSchema, { title: "Punkt", categoryId: "c", sinceYear: 2012, evidenceLinks: ["https://a.pl"] })],
      followUps: [create(FollowUpSchema, { previousNominationId: "n", outcome: FollowUpOutcome.EXPANDED, narrative: "więcej" })],
    };
    storeDraft(localStorage, key, d);
    expect(loadDraft(localStorage, key)).toEqual(d);
    clearDraft(localStorage, key);
    expect(loadDraft(localStorage, key)).toBeUndefined();
  });
  it("keeps one person's copy from another's, and sign-out clears them all", () => {
    const d = { baseVersion: 1n, savedAt: new Date(0), introduction: "x", practices: [], followUps: [] };
    storeDraft(localStorage, key, d);
    expect(loadDraft(localStorage, draftKey("u2", "e1", "c1"))).toBeUndefined();
    localStorage.setItem("miasta.locale", "pl");
    clearAllDrafts(localStorage);
    expect(loadDraft(localStorage, key)).toBeUndefined();
    expect(localStorage.getItem("miasta.locale")).toBe("pl");
  });
  it("ignores a copy it cannot read", () => {
    localStorage.setItem(key, "{not json");
    expect(loadDraft(localStorage, key)).toBeUndefined();
  });
});
