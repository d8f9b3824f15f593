import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { NominationResultSchema, type NominationResult } from "../gen/miasta/v1/results_pb.js";
import { tiedGroups } from "./tallyMath";

const n = (id: string, rank: number, quorumMet = true): NominationResult =>
  create(NominationResultSchema, { nomination: { id }, rank, quorumMet });

describe("tiedGroups", () => {
  it("finds ties only where they decide a prize", () => {
    const ns = [n("a", 1), n("b", 1), n("c", 3), n("d", 3)];
    expect(tiedGroups(ns, 1).map((g) => g.map((x) => x.nomination!.id))).toEqual([["a", "b"]]);
    expect(tiedGroups(ns, 3).map((g) => g.map((x) => x.nomination!.id))).toEqual([["a", "b"], ["c", "d"]]);
  });
  it("ignores nominations without quorum and ranks held alone", () => {
    expect(tiedGroups([n("a", 1), n("b", 1, false), n("c", 2)], 2)).toEqual([]);
  });
});
