// What an autosave sends: only what changed since the copy the server has, down to the characters
// typed in a long narrative, so that a 30,000-word report saves in requests of a few hundred bytes.
// The server applies the changes to the version they were made on (a stale version or a text that
// drifted apart is a conflict, never a splice in the wrong place).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ReportChangeSchema,
  TextEditSchema,
  type FollowUp,
  type Practice,
  type ReportChange,
  type TextEdit,
} from "../gen/miasta/v1/report_pb.js";

/** The part of the editor's draft that is saved. */
export interface Saved {
  introduction: string;
  practices: Practice[];
  followUps: FollowUp[];
  /** keys[i] names practices[i] in the editor; a practice the server has not seen yet is added by it. */
  keys: string[];
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** codePoints counts s in Unicode code points, as the server's positions do. */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (!isLow(s.charCodeAt(i))) n++;
  return n;
}

/** textEdit is the smallest single splice that turns old into now, or undefined when they are equal. */
export function textEdit(old: string, now: string): TextEdit | undefined {
  if (old === now) return undefined;
  const max = Math.min(old.length, now.length);
  let p = 0;
  while (p < max && old.charCodeAt(p) === now.charCodeAt(p)) p++;
  if (p > 0 && isHigh(old.charCodeAt(p - 1))) p--; // never split a surrogate pair
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === now.charCodeAt(now.length - 1 - s)) s++;
  if (s > 0 && isLow(old.charCodeAt(old.length - s))) s--;
  const start = codePoints(old.slice(0, p));
  return create(TextEditSchema, {
    start,
    end: start + codePoints(old.slice(p, old.length - s)),
    text: now.slice(p, now.length - s),
    oldLength: codePoints(old),
  });
}

/** applyEdit is the server's splice, for tests and for checking a diff round-trips. */
export function applyEdit(old: string, e: TextEdit): string {
  const cps = Array.from(old);
  return cps.slice(0, e.start).join("") + e.text + cps.slice(e.end).join("");
}

/** links are what the links box holds, as sent: trimmed, empty lines dropped. */
export const links = (p: Practice) => p.evidenceLinks.map((l) => l.trim()).filter(Boolean);

const narrative = (p: Practice, criterionId: string) => p.narratives.find((n) => n.criterionId === criterionId)?.text ?? "";

type ChangeInit = MessageInitShape<typeof ReportChangeSchema>;

/**
 * reportChanges lists the changes that turn base (what the server has) into now. A practice whose
 * id the server does not have (new, or brought back after its removal was saved) is added whole,
 * under its key; the server puts added ones last, so an order follows when that is not where they are.
 */
export function reportChanges(base: Saved, now: Saved): ReportChange[] {
  const out: ChangeInit[] = [];
  const intro = textEdit(base.introduction, now.introduction);
  if (intro) out.push({ change: { case: "introduction", value: intro } });
  const baseById = new Map(base.practices.filter((p) => p.id).map((p) => [p.id, p]));
  const kept = new Set<string>();
  const added: string[] = [];
  now.practices.forEach((p, i) => {
    const b = p.id ? baseById.get(p.id) : undefined;
    if (b) kept.add(p.id);
    else added.push(now.keys[i]);
    const from: Practice = b ?? ({ title: "", description: "", partners: "", targetGroups: "", categoryId: "", sinceYear: 0, evidenceLinks: [], narratives: [] } as unknown as Practice);
    const change: NonNullable<Extract<ChangeInit["change"], { case: "practice" }>["value"]> = b ? { id: p.id } : { key: now.keys[i] };
    let any = !b;
    const text = (name: "title" | "description" | "partners" | "targetGroups") => {
      const e = textEdit(from[name], p[name]);
      if (e) {
        change[name] = e;
        any = true;
      }
    };
    text("title");
    text("description");
    text("partners");
    text("targetGroups");
    if (p.categoryId !== from.categoryId) {
      change.categoryId = p.categoryId;
      any = true;
    }
    if (p.sinceYear !== from.sinceYear) {
      change.sinceYear = p.sinceYear;
      any = true;
    }
    if (links(p).join("\n") !== links(from).join("\n")) {
      change.evidenceLinks = { links: links(p) };
      any = true;
    }
    const criteria = new Set([...from.narratives, ...p.narratives].map((n) => n.criterionId));
    for (const c of criteria) {
      const e = textEdit(narrative(from, c), narrative(p, c));
      if (e) {
        (change.narratives ??= []).push({ criterionId: c, text: e });
        any = true;
      }
    }
    if (any) out.push({ change: { case: "practice", value: change } });
  });
  for (const b of base.practices) {
    if (b.id && !kept.has(b.id)) out.push({ change: { case: "removePractice", value: b.id } });
  }
  // Where the server will have them: the kept ones in base's order, then the added ones.
  const server = [...base.practices.filter((b) => kept.has(b.id)).map((b) => b.id), ...added.map((k) => "key:" + k)];
  const wanted = now.practices.map((p, i) => (p.id && kept.has(p.id) ? p.id : "key:" + now.keys[i]));
  if (server.join() !== wanted.join()) {
    out.push({
      change: {
        case: "order",
        value: { practices: wanted.map((w) => (w.startsWith("key:") ? { ref: { case: "key", value: w.slice(4) } } : { ref: { case: "id", value: w } })) },
      },
    });
  }
  const baseFollowUps = new Map(base.followUps.map((f) => [f.previousNominationId, f]));
  for (const f of now.followUps) {
    const b = baseFollowUps.get(f.previousNominationId);
    const e = textEdit(b?.narrative ?? "", f.narrative);
    if (f.outcome !== b?.outcome || e) {
      out.push({
        change: {
          case: "followUp",
          value: { previousNominationId: f.previousNominationId, outcome: f.outcome !== b?.outcome ? f.outcome : undefined, narrative: e },
        },
      });
    }
  }
  return out.map((c) => create(ReportChangeSchema, c));
}
