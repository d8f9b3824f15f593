import { describe, expect, it } from "vitest";
import { completeness, scoreKey, type Marks } from "./ballotMath";

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
