import { describe, expect, it } from "vitest";
import { completeness, nominationState, scoreKey, summary, type Marks } from "./ballotMath";

describe("completeness", () => {
  const noms = [
    { id: "a", categoryId: "c1", recused: false },
    { id: "b", categoryId: "c1", recused: true },
    { id: "c", categoryId: "c2", recused: false },
  ];
  it("counts a nomination done only when every criterion is scored, and skips recusals", () => {
    const marks: Marks = new Map([
      [scoreKey("a", "k1"), 3],
      [scoreKey("a", "k2"), 0], // zero is a score, not a gap
      [scoreKey("c", "k1"), 5],
    ]);
    const p = completeness(noms, ["k1", "k2"], marks);
    expect(p.done).toBe(1);
    expect(p.total).toBe(2);
    expect(p.byCategory.get("c1")).toEqual({ done: 1, total: 1 });
    expect(p.byCategory.get("c2")).toEqual({ done: 0, total: 1 });
  });
  it("treats a category where the juror is recused from everything as complete", () => {
    const p = completeness([{ id: "b", categoryId: "c1", recused: true }], ["k1"], new Map());
    expect(p.byCategory.get("c1")).toEqual({ done: 0, total: 0 });
    expect(p.done).toBe(p.total);
  });
});

describe("nominationState", () => {
  it("names recusals by kind, counts criteria left, and calls a fully scored nomination scored", () => {
    const marks: Marks = new Map([[scoreKey("a", "k1"), 0]]);
    expect(nominationState("a", undefined, ["k1", "k2"], marks)).toEqual({ kind: "missing", left: 1 });
    expect(nominationState("a", undefined, ["k1"], marks)).toEqual({ kind: "scored" });
    expect(nominationState("a", { kind: 1 }, ["k1"], marks)).toEqual({ kind: "homeCity" });
    expect(nominationState("a", { kind: 2 }, ["k1"], marks)).toEqual({ kind: "declared" });
    expect(nominationState("a", { kind: 3 }, ["k1"], marks)).toEqual({ kind: "abstained" });
  });
  it("summarises the states by kind", () => {
    const got = summary([{ kind: "scored" }, { kind: "scored" }, { kind: "missing", left: 2 }, { kind: "homeCity" }], (_, v) => JSON.stringify(v));
    expect(JSON.parse(got)).toEqual({ scored: 2, homeCity: 1, declared: 0, abstained: 0, missing: 1 });
  });
});
