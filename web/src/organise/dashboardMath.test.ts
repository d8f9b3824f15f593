import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DashboardPersonSchema, EditionDashboardSchema, EditionSchema, Stage } from "../gen/miasta/v1/edition_pb.js";
import { counts, late, sectionOf, warningsOf } from "./dashboardMath";

const person = (role: string, progress: string, name = role + progress) => create(DashboardPersonSchema, { role, progress, displayName: name });

describe("sectionOf", () => {
  it("reads a known section and lands on the dashboard otherwise", () => {
    expect(sectionOf(new URLSearchParams("section=reports"))).toBe("reports");
    expect(sectionOf(new URLSearchParams(""))).toBe("dashboard");
    expect(sectionOf(new URLSearchParams("section=../admin"))).toBe("dashboard");
  });
});

describe("late", () => {
  const people = [person("EXPERT", "DRAFT"), person("EXPERT", "SUBMITTED"), person("EXPERT", "RETURNED"), person("JUROR", "CAST"), person("JUROR", "DRAFT"), person("JUROR", "NOT_STARTED")];
  it("names experts whose report is not submitted while reporting", () => {
    expect(late(people, Stage.REPORTING).map((p) => p.displayName)).toEqual(["EXPERTDRAFT", "EXPERTRETURNED"]);
  });
  it("names jurors who have not cast while the jury votes", () => {
    expect(late(people, Stage.JURY).map((p) => p.displayName)).toEqual(["JURORDRAFT", "JURORNOT_STARTED"]);
  });
  it("names nobody in other stages", () => {
    expect(late(people, Stage.REVIEW)).toEqual([]);
  });
});

describe("warningsOf", () => {
  it("keeps only what an acknowledgement lets through", () => {
    const vs = [
      { type: "TEXT_MISSING", subject: "a/name/en", description: "" },
      { type: "JUROR_NOT_CAST", subject: "b", description: "Kwame Mensah" },
    ];
    expect(warningsOf(vs).map((v) => v.description)).toEqual(["Kwame Mensah"]);
  });
});

describe("counts", () => {
  it("counts casts of jurors while the jury votes, each linked to its list", () => {
    const d = create(EditionDashboardSchema, {
      edition: create(EditionSchema, { stage: Stage.JURY }),
      cities: 6,
      reportsSubmitted: 3,
      reportsByStatus: { ACCEPTED: 3, NOT_STARTED: 3 },
      jurors: 5,
      jurorsCast: 4,
      mailHeld: 2,
    });
    const c = counts(d);
    expect(c.find((x) => x.id === "jurorsCast")).toEqual({ id: "jurorsCast", n: 4, of: 5, section: "jury" });
    expect(c.find((x) => x.id === "reportsSubmitted")).toEqual({ id: "reportsSubmitted", n: 3, of: 6, section: "reports" });
    expect(c.find((x) => x.id === "mailHeld")?.section).toBe("mail");
    expect(c.some((x) => x.id === "mailFailed")).toBe(false);
    expect(c.some((x) => x.id === "citiesWithoutExpert")).toBe(false);
  });
});
