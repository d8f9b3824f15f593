import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DeliberationCategorySchema, DeliberationRowSchema, MarkState } from "../gen/miasta/v1/results_pb.js";
import { agreementLevel, formatAlpha, formatShare, rowCells, winnerTitles } from "./deliberationMath";

describe("agreementLevel", () => {
  it("reads alpha at Krippendorff's thresholds", () => {
    expect(agreementLevel(undefined)).toBeUndefined();
    expect(agreementLevel(1)).toBe("high");
    expect(agreementLevel(0.815)).toBe("high");
    expect(agreementLevel(0.8)).toBe("high");
    expect(agreementLevel(0.7999)).toBe("tentative");
    expect(agreementLevel(0.667)).toBe("tentative");
    expect(agreementLevel(0.666)).toBe("low");
    expect(agreementLevel(-0.5)).toBe("low");
  });
});

describe("formatting", () => {
  it("writes alpha with three decimals in the reader's locale", () => {
    expect(formatAlpha(0.8148, "en")).toBe("0.815");
    expect(formatAlpha(0.8148, "pl")).toBe("0,815");
    expect(formatAlpha(undefined, "pl")).toBe("—");
  });
  it("writes deviations as percentages of the scale", () => {
    expect(formatShare(0.2333, "en")).toBe("23%");
    expect(formatShare(undefined, "en")).toBe("—");
  });
});

describe("rowCells", () => {
  it("shows marks with their outlier flags, or one state", () => {
    const scored = create(DeliberationRowSchema, { state: MarkState.SCORED, marks: [{ value: 0, outlier: true, othersMean: 4 }, { value: 3 }] });
    expect(rowCells(scored)).toEqual({
      kind: "marks",
      marks: [
        { value: 0, outlier: true, othersMean: 4 },
        { value: 3, outlier: false, othersMean: undefined },
      ],
    });
    expect(rowCells(create(DeliberationRowSchema, { state: MarkState.HOME_CITY }))).toEqual({ kind: "state", state: MarkState.HOME_CITY });
  });
});

describe("winnerTitles", () => {
  it("names nominations by practice and city", () => {
    const c = create(DeliberationCategorySchema, {
      nominations: [
        { nominationId: "a", practiceTitle: "Punkt", cityName: "Łódź" },
        { nominationId: "b", practiceTitle: "Strategia", cityName: "Gdańsk" },
      ],
    });
    expect(winnerTitles(c, ["b", "a"])).toBe("Strategia (Gdańsk); Punkt (Łódź)");
    expect(winnerTitles(c, [])).toBeUndefined();
  });
});
