// What differs between two versions of a report, field by field, so that an expert choosing between
// them after a conflict sees every difference, not just the titles.
import type { FollowUp, Practice } from "../gen/miasta/v1/report_pb.js";

export interface ReportText {
  introduction: string;
  practices: Practice[];
  followUps: FollowUp[];
}

export type Field =
  | "introduction"
  | "title"
  | "category"
  | "description"
  | "sinceYear"
  | "partners"
  | "targetGroups"
  | "evidenceLinks"
  | "narrative"
  | "practice"
  | "outcome"
  | "followUpNarrative";

export interface Difference {
  /** The practice or follow-up the field belongs to (its title), empty for the introduction. */
  where: string;
  field: Field;
  /** For a narrative, the criterion it is about. */
  criterionId?: string;
  mine: string;
  theirs: string;
}

const practiceFields: [Field, (p: Practice) => string][] = [
  ["title", (p) => p.title],
  ["category", (p) => p.categoryId],
  ["description", (p) => p.description],
  ["sinceYear", (p) => (p.sinceYear ? String(p.sinceYear) : "")],
  ["partners", (p) => p.partners],
  ["targetGroups", (p) => p.targetGroups],
  ["evidenceLinks", (p) => p.evidenceLinks.filter((l) => l.trim()).join("\n")],
];

/**
 * differences lists every field that differs. Practices are matched by id; a practice not yet saved
 * (no id) or removed on one side appears whole, as "practice", with its title on that side.
 */
export function differences(mine: ReportText, theirs: ReportText): Difference[] {
  const out: Difference[] = [];
  if (mine.introduction !== theirs.introduction) {
    out.push({ where: "", field: "introduction", mine: mine.introduction, theirs: theirs.introduction });
  }
  const theirsById = new Map(theirs.practices.filter((p) => p.id).map((p) => [p.id, p]));
  const mineIds = new Set(mine.practices.map((p) => p.id).filter(Boolean));
  for (const m of mine.practices) {
    const t = m.id ? theirsById.get(m.id) : undefined;
    if (!t) {
      out.push({ where: m.title, field: "practice", mine: m.title, theirs: "" });
      continue;
    }
    for (const [field, get] of practiceFields) {
      if (get(m) !== get(t)) out.push({ where: t.title || m.title, field, mine: get(m), theirs: get(t) });
    }
    const criteria = new Set([...m.narratives, ...t.narratives].map((n) => n.criterionId));
    for (const c of criteria) {
      const a = m.narratives.find((n) => n.criterionId === c)?.text ?? "";
      const b = t.narratives.find((n) => n.criterionId === c)?.text ?? "";
      if (a !== b) out.push({ where: t.title || m.title, field: "narrative", criterionId: c, mine: a, theirs: b });
    }
  }
  for (const t of theirs.practices) {
    if (!t.id || !mineIds.has(t.id)) out.push({ where: t.title, field: "practice", mine: "", theirs: t.title });
  }
  const theirsFollowUps = new Map(theirs.followUps.map((f) => [f.previousNominationId, f]));
  for (const m of mine.followUps) {
    const t = theirsFollowUps.get(m.previousNominationId);
    if (!t) continue;
    if (m.outcome !== t.outcome) out.push({ where: m.previousTitle, field: "outcome", mine: String(m.outcome), theirs: String(t.outcome) });
    if (m.narrative !== t.narrative) out.push({ where: m.previousTitle, field: "followUpNarrative", mine: m.narrative, theirs: t.narrative });
  }
  return out;
}
