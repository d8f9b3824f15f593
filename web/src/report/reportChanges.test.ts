import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CriterionNarrativeSchema, FollowUpOutcome, FollowUpSchema, PracticeSchema } from "../gen/miasta/v1/report_pb.js";
import { applyEdit, codePoints, reportChanges, textEdit, type Saved } from "./reportChanges";

describe("textEdit", () => {
  const cases: [string, string][] = [
    ["", "Łódź"],
    ["Zażółć gęślą jaźń", "Zażółć gęsią jaźń"],
    ["abc", ""],
    ["Київ", "Київ і Львів"],
    ["emoji 😀 here", "emoji 😃 here"], // same high surrogate: the splice must not cut the pair
    ["😀😀", "😀"],
    ["aaaa", "aaaaa"],
    ["tiếng Việt", "tiếng Việt Nam"],
  ];
  for (const [old, now] of cases) {
    it(`turns ${JSON.stringify(old)} into ${JSON.stringify(now)}`, () => {
      const e = textEdit(old, now)!;
      expect(e.oldLength).toBe(codePoints(old));
      expect(applyEdit(old, e)).toBe(now);
      expect(e.start).toBeLessThanOrEqual(e.end);
    });
  }
  it("is nothing for equal texts", () => expect(textEdit("x", "x")).toBeUndefined());
  it("sends only what was typed in a long text", () => {
    const long = "słowo ".repeat(30_000);
    const e = textEdit(long, long.slice(0, 90_000) + "nowe " + long.slice(90_000))!;
    expect(e.text).toBe("nowe ");
    expect(applyEdit(long, e)).toBe(long.slice(0, 90_000) + "nowe " + long.slice(90_000));
  });
});

describe("reportChanges", () => {
  const p = (id: string, title: string) =>
    create(PracticeSchema, { id, title, categoryId: "c1", narratives: [create(CriterionNarrativeSchema, { criterionId: "k1", text: "Opis " + title })] });
  const base: Saved = {
    introduction: "Wstęp",
    practices: [p("a", "Pierwsza"), p("b", "Druga")],
    followUps: [create(FollowUpSchema, { previousNominationId: "n1", outcome: FollowUpOutcome.UNSPECIFIED })],
    keys: ["ka", "kb"],
  };
  it("is empty when nothing changed", () => expect(reportChanges(base, base)).toEqual([]));
  it("names only the changed field of a practice", () => {
    const now = { ...base, practices: [{ ...base.practices[0], title: "Pierwsza!" }, base.practices[1]] };
    const ch = reportChanges(base, now);
    expect(ch).toHaveLength(1);
    const v = ch[0].change.case === "practice" ? ch[0].change.value : undefined;
    expect(v?.id).toBe("a");
    expect(v?.title?.text).toBe("!");
    expect(v?.description).toBeUndefined();
    expect(v?.narratives).toEqual([]);
  });
  it("adds a new practice whole under its key, removes and reorders", () => {
    const now: Saved = { ...base, practices: [create(PracticeSchema, { title: "Nowa", categoryId: "c1" }), base.practices[1]], keys: ["kn", "kb"] };
    const cases = reportChanges(base, now).map((c) => c.change.case);
    expect(cases).toEqual(["practice", "removePractice", "order"]);
  });
  it("brings back a practice whose removal was saved as a new one", () => {
    const now: Saved = { ...base, practices: [base.practices[1]], keys: ["kb"] };
    const after: Saved = { ...base, practices: [base.practices[1], base.practices[0]], keys: ["kb", "ka"] };
    const ch = reportChanges(now, after);
    expect(ch).toHaveLength(1);
    expect(ch[0].change.case === "practice" && ch[0].change.value.key).toBe("ka");
  });
  it("sends a follow-up's outcome", () => {
    const now = { ...base, followUps: [{ ...base.followUps[0], outcome: FollowUpOutcome.CONTINUED }] };
    const ch = reportChanges(base, now);
    expect(ch[0].change.case === "followUp" && ch[0].change.value.outcome).toBe(FollowUpOutcome.CONTINUED);
  });
});
