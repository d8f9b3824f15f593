import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CriterionNarrativeSchema, FollowUpOutcome, FollowUpSchema, PracticeSchema } from "../gen/miasta/v1/report_pb.js";
import { differences } from "./reportDiff";

const practice = (id: string, title: string, narrative = "") =>
  create(PracticeSchema, {
    id,
    title,
    categoryId: "c1",
    narratives: narrative ? [create(CriterionNarrativeSchema, { criterionId: "k1", text: narrative })] : [],
  });

describe("differences", () => {
  it("finds a changed narrative the titles do not show", () => {
    const mine = { introduction: "a", practices: [practice("p1", "Punkt", "dużo")], followUps: [] };
    const theirs = { introduction: "a", practices: [practice("p1", "Punkt", "mało")], followUps: [] };
    expect(differences(mine, theirs)).toEqual([
      { where: "Punkt", field: "narrative", criterionId: "k1", mine: "dużo", theirs: "mało" },
    ]);
  });
  it("lists practices only one side has, the introduction and follow-ups", () => {
    const f = (outcome: FollowUpOutcome) => create(FollowUpSchema, { previousNominationId: "n", previousTitle: "Stara", outcome });
    const mine = { introduction: "x", practices: [practice("", "Nowa"), practice("p1", "Punkt")], followUps: [f(FollowUpOutcome.EXPANDED)] };
    const theirs = { introduction: "y", practices: [practice("p2", "Inna")], followUps: [f(FollowUpOutcome.ENDED)] };
    expect(differences(mine, theirs).map((d) => [d.field, d.where])).toEqual([
      ["introduction", ""],
      ["practice", "Nowa"],
      ["practice", "Punkt"],
      ["practice", "Inna"],
      ["outcome", "Stara"],
    ]);
  });
  it("is empty for the same text", () => {
    const r = { introduction: "a", practices: [practice("p1", "Punkt", "t")], followUps: [] };
    expect(differences(r, r)).toEqual([]);
  });
});
