import { Stage } from "../gen/miasta/v1/edition_pb.js";
import type { DashboardPerson, EditionDashboard } from "../gen/miasta/v1/edition_pb.js";

/** The organiser page's sections, each addressable as ?section=…; the dashboard is the landing view. */
export const SECTIONS = ["dashboard", "setup", "reports", "people", "jury", "mail", "log"] as const;
export type Section = (typeof SECTIONS)[number];

/** sectionOf reads the section from a query string, the dashboard when it names none we know. */
export function sectionOf(params: URLSearchParams): Section {
  const s = params.get("section");
  return (SECTIONS as readonly string[]).includes(s ?? "") ? (s as Section) : "dashboard";
}

/** The warning types ChangeStage sends as PreconditionFailure violations (see edition.proto). */
export const WARNING_TYPES = ["JUROR_NOT_CAST", "CATEGORY_WITHOUT_WINNER", "TRANSLATION_MISSING"] as const;

export interface Named {
  type: string;
  subject: string;
  description: string;
}

/** warningsOf keeps the violations that are warnings (an acknowledgement lets the move through). */
export function warningsOf(vs: Named[]): Named[] {
  return vs.filter((v) => (WARNING_TYPES as readonly string[]).includes(v.type));
}

/** late is who a reminder is for now: experts whose city has not submitted while reporting, jurors who have not cast while the jury votes. */
export function late(people: DashboardPerson[], stage: Stage): DashboardPerson[] {
  if (stage === Stage.REPORTING) return people.filter((p) => p.role === "EXPERT" && !["SUBMITTED", "ACCEPTED"].includes(p.progress));
  if (stage === Stage.JURY) return people.filter((p) => p.role === "JUROR" && p.progress !== "CAST");
  return [];
}

/** Count is one figure of the dashboard and the section that lists what it counts. */
export interface Count {
  id: string;
  n: number;
  of?: number;
  section: Section;
}

/** counts are the figures that matter in the edition's stage, each linked to its list. */
export function counts(d: EditionDashboard): Count[] {
  const s = d.edition?.stage ?? Stage.DRAFT;
  const by = (k: string) => d.reportsByStatus[k] ?? 0;
  const out: Count[] = [];
  if (s <= Stage.REPORTING) {
    out.push({ id: "citiesWithoutExpert", n: d.citiesWithoutExpert, of: d.cities, section: "people" });
    out.push({ id: "expertsNotSignedIn", n: d.expertsNotSignedIn, of: d.experts, section: "people" });
  }
  if (s >= Stage.REPORTING) {
    out.push({ id: "reportsSubmitted", n: d.reportsSubmitted, of: d.cities, section: "reports" });
    for (const k of ["NOT_STARTED", "DRAFT", "RETURNED", "SUBMITTED", "ACCEPTED"]) if (by(k) > 0) out.push({ id: "reports." + k, n: by(k), section: "reports" });
  }
  if (s >= Stage.REVIEW) out.push({ id: "nominations", n: d.nominations, section: "reports" });
  if (s >= Stage.REVIEW && s <= Stage.JURY) out.push({ id: "jurorsNotSignedIn", n: d.jurorsNotSignedIn, of: d.jurors, section: "people" });
  if (s >= Stage.JURY) {
    out.push({ id: "jurorsCast", n: d.jurorsCast, of: d.jurors, section: "jury" });
    if (s === Stage.JURY) out.push({ id: "jurorsDrafting", n: d.jurorsDrafting, of: d.jurors, section: "jury" });
  }
  out.push({ id: "mailHeld", n: d.mailHeld, section: "mail" });
  if (d.mailFailed > 0) out.push({ id: "mailFailed", n: d.mailFailed, section: "mail" });
  return out;
}
