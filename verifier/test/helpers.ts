// Test helpers: an Ed25519 signer made with WebCrypto, an independent leaf /
// tree implementation (node:crypto, not the library's), and a builder that
// writes an edition's log stage by stage the way the spec describes.

import { createHash } from "node:crypto";
import type { Json, JsonObject } from "../src/canonical.ts";
import { serialize } from "../src/canonical.ts";
import { isObject } from "../src/schema.ts";
import { computeTally, ruleFromJson } from "../src/tally.ts";

export const LOG = "miasta-otwarte/audit-log";

export function sha(data: Uint8Array | string): Buffer {
  return createHash("sha256").update(data).digest();
}

export function hashOf(v: Json): string {
  return "sha256:" + sha(serialize(v)).toString("hex");
}

// ---- signing ----

export interface Signer {
  verifierKey: string;
  keyHash: Buffer;
  sign(text: string): Promise<string>; // returns the signed note
}

export async function makeSigner(name = LOG): Promise<Signer> {
  const kp = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pub = Buffer.from(await crypto.subtle.exportKey("raw", kp.publicKey));
  const keyData = Buffer.concat([Buffer.from([1]), pub]);
  const keyHash = sha(Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([10]), keyData])).subarray(0, 4);
  const verifierKey = `${name}+${keyHash.toString("hex")}+${keyData.toString("base64")}`;
  return {
    verifierKey,
    keyHash,
    async sign(text: string) {
      const sig = Buffer.from(await crypto.subtle.sign({ name: "Ed25519" }, kp.privateKey, Buffer.from(text, "utf8")));
      return `${text}\n\u2014 ${name} ${Buffer.concat([keyHash, sig]).toString("base64")}\n`;
    },
  };
}

// ---- an independent RFC 6962 tree ----

export function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha(Buffer.alloc(0));
  if (leaves.length === 1) return sha(Buffer.concat([Buffer.from([0]), leaves[0]]));
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.concat([Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k))]));
}

export function leafBytes(entry: JsonObject): Buffer {
  const ed = entry.edition_id === null ? "" : (entry.edition_id as string);
  const digest = "digest" in entry ? (entry.digest as string) : sha(serialize(entry)).toString("hex");
  return Buffer.from(`miasta-leaf/2\n${ed}\n${digest}\n`, "utf8");
}

export function checkpointText(log: JsonObject[]): string {
  return `${LOG}\n${log.length}\n${mth(log.map(leafBytes)).toString("base64")}\n`;
}

/** §10: a cast (§8) as a bundle gives it, its marks and recusals keyed by nomination. */
export function castEntry(cast: JsonObject): JsonObject {
  const marks: JsonObject = {};
  for (const m of cast.marks as JsonObject[]) marks[m.nomination_id as string] = m.values;
  const recusals: JsonObject = {};
  for (const r of cast.recusals as JsonObject[]) recusals[r.nomination_id as string] = r.kind;
  return { marks, recusals };
}

/** The bundle's text: its casts, when the test holds them whole (§8, with a format), written as the
 * entries of §10. */
export function bundleText(bundle: JsonObject): string {
  const casts = bundle.casts as JsonObject[] | undefined;
  if (!Array.isArray(casts) || !casts.some((c) => isObject(c) && "format" in c)) return serialize(bundle);
  return serialize({ ...bundle, casts: casts.map((c) => (isObject(c) && "format" in c ? castEntry(c) : c)) });
}

/** Re-signs a bundle object over its current log and returns its canonical text. */
export async function seal(bundle: JsonObject, signer: Signer): Promise<string> {
  bundle.checkpoint = await signer.sign(checkpointText(bundle.log as JsonObject[]));
  return bundleText(bundle);
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

// ---- identifiers ----

let uuidCounter = 0;
/** A fresh uuid; `prefix` (hex, up to 8 digits) controls sort order when it matters. */
export function uuid(prefix?: string): string {
  uuidCounter++;
  const head = (prefix ?? "").padEnd(8, "0").slice(0, 8);
  return `${head}-0000-4000-8000-${uuidCounter.toString(16).padStart(12, "0")}`;
}

export function commitment(text: string): string {
  const salt = createHash("sha256").update("salt" + text + Math.random()).digest();
  return "sha256:" + sha(Buffer.concat([Buffer.from("miasta-commitment/1\n"), salt, Buffer.from(text, "utf8")])).toString("hex");
}

// ---- the edition builder ----

export type Publication = "names" | "pseudonyms" | "aggregates";
const STAGES = ["DRAFT", "REPORTING", "REVIEW", "JURY", "TALLIED", "ANNOUNCED"];

export interface CastSpec {
  marks: Record<string, number[]>; // nomination id -> values
}

export class EditionBuilder {
  readonly editionId = uuid("ed");
  readonly organiser = { role: "organiser", id: uuid("0a") };
  log: JsonObject[] = [];
  stage = "DRAFT";
  private nextId = 100;
  private clock = Date.UTC(2025, 2, 1, 10, 0, 0);
  rule: JsonObject | null = null;
  casts: JsonObject[] = [];
  castPositions: number[] = [];
  categories: { id: string; number: number }[] = [];
  criteria: { id: string; number: number }[] = [];
  shortlist = new Map<string, { category: string; city: string }>();
  practices = new Map<string, string>(); // nomination id -> practice id
  assignments = new Map<string, { role: string; city: string | null; person: string | null }>();
  declared = new Set<string>();
  abstained = new Set<string>();
  /** Each juror's last cast since the last shortlist change. */
  private current = new Map<string, JsonObject>();
  decisions: { category_id: string; nomination_ids: string[] }[] = [];
  lastTally: JsonObject | null = null;
  lastWinners: string[] = [];
  lastMarks: JsonObject[] = [];
  lastCounted = 0;
  ruleHash = "";
  frozen = false;

  constructor(
    readonly publication: Publication = "names",
    readonly year = 2025,
  ) {}

  time(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  }

  other(editionId: string | null = null): void {
    this.log.push({ digest: sha(`other ${this.log.length} ${Math.random()}`).toString("hex"), edition_id: editionId });
  }

  ev(kind: string, payload: JsonObject, actor: JsonObject | null = this.organiser): JsonObject {
    const e: JsonObject = { actor, edition_id: this.editionId, id: this.nextId++, kind, payload, time: this.time() };
    this.log.push(e);
    return e;
  }

  created(name = "Award 2025"): void {
    this.ev("edition.created", { year: this.year, name, publication: this.publication, previous_edition_id: null });
  }

  move(to: string, reason = "", override = false): void {
    const from = this.stage;
    this.ev("edition.stage_changed", { from, to, reason, override });
    this.stage = to;
    if (to === "JURY" && !this.frozen) {
      this.frozen = true;
      this.ev("tally_rule.frozen", { rule_sha256: this.ruleHash }, null);
    }
    if (from === "JURY" && to === "TALLIED") this.close();
    if (to === "ANNOUNCED") this.ev("results.announced", { tally_sha256: hashOf(this.lastTally!), winners: this.lastWinners }, null);
  }

  city(name: string): string {
    const id = uuid("c1");
    this.ev("edition.city_added", { city_id: id, name });
    return id;
  }

  category(number: number, prefix = "ca"): string {
    const id = uuid(prefix);
    this.ev("category.created", { category_id: id, number, name_pl: `Kategoria ${number}`, name_en: `Category ${number}`, description: "" });
    this.categories.push({ id, number });
    return id;
  }

  criterion(number: number): string {
    const id = uuid("c7");
    this.ev("criterion.created", { criterion_id: id, number, name_pl: `Kryterium ${number}`, name_en: "", description: "" });
    this.criteria.push({ id, number });
    return id;
  }

  setRule(rule: JsonObject, version = 1): void {
    this.rule = rule;
    this.ruleHash = hashOf(rule);
    this.ev("tally_rule.set", { version, rule_sha256: this.ruleHash });
  }

  /** Invites and accepts; returns the assignment id. */
  person(role: "expert" | "juror", city: string, person: string, assignment = uuid(role === "juror" ? "d0" : "e0")): string {
    const inv = uuid("1f");
    const hidden = role === "juror" && this.publication === "aggregates";
    this.ev("invitation.created", { invitation_id: inv, role, ...(hidden ? { city_commitment: commitment(city) } : { city_id: city }) });
    this.ev(
      "invitation.accepted",
      {
        invitation_id: inv,
        role,
        ...(hidden
          ? { city_commitment: commitment(city), person_commitment: commitment(person) }
          : { city_id: city, person }),
      },
      { role, id: assignment },
    );
    // A reused assignment keeps the city and person of its first acceptance (§6).
    if (!this.assignments.has(assignment)) this.assignments.set(assignment, { role, city, person });
    return assignment;
  }

  report(expert: string, city: string): void {
    const report_id = uuid("ae");
    const base = { report_id, city_id: city, content_sha256: hashOf("content " + report_id) };
    this.ev("report.saved", { ...base, version: 1, status: "DRAFT" }, { role: "expert", id: expert });
    this.ev("report.submitted", { ...base, version: 2, status: "SUBMITTED" }, { role: "expert", id: expert });
    this.ev("report.accepted", { ...base, version: 2, status: "ACCEPTED" });
  }

  nominate(category: string, city: string, prefix: string): string {
    const id = uuid(prefix);
    const practice = uuid("bb");
    this.ev("shortlist.nominated", { nomination_id: id, practice_id: practice, category_id: category, city_id: city, reason: "" });
    this.shortlist.set(id, { category, city });
    this.practices.set(id, practice);
    this.current.clear();
    return id;
  }

  unnominate(id: string): void {
    // With the practice it was nominated with (§11 E5).
    this.ev("shortlist.unnominated", { nomination_id: id, practice_id: this.practices.get(id)!, reason: "withdrawn" });
    this.shortlist.delete(id);
    this.current.clear();
  }

  conflict(juror: string, nomination: string, kind: "declared" | "abstained" = "declared"): void {
    this.ev(kind === "declared" ? "ballot.conflict_declared" : "ballot.abstained", {
      nomination_id: nomination,
      reason_commitment: commitment("reason"),
    }, { role: "juror", id: juror });
    (kind === "declared" ? this.declared : this.abstained).add(`${juror}|${nomination}`);
  }

  /** The juror's cities: own city plus cities of expert assignments of the same person. */
  private citiesOf(juror: string): Set<string> {
    const a = this.assignments.get(juror)!;
    const out = new Set<string>([a.city!]);
    for (const b of this.assignments.values()) if (b.role === "expert" && b.person === a.person) out.add(b.city!);
    return out;
  }

  /** Casts a ballot: marks given for some nominations, the rest recused as the spec requires. */
  cast(juror: string, marks: Record<string, number[]>, version = 1): JsonObject {
    const cities = this.citiesOf(juror);
    const m: JsonObject[] = [];
    const r: JsonObject[] = [];
    for (const nid of [...this.shortlist.keys()].sort()) {
      const info = this.shortlist.get(nid)!;
      if (cities.has(info.city)) r.push({ kind: "home_city", nomination_id: nid });
      else if (this.declared.has(`${juror}|${nid}`)) r.push({ kind: "declared", nomination_id: nid });
      else if (this.abstained.has(`${juror}|${nid}`)) r.push({ kind: "abstained", nomination_id: nid });
      else {
        if (!marks[nid]) throw new Error(`test scenario: juror ${juror} must mark ${nid}`);
        m.push({ nomination_id: nid, values: marks[nid] });
      }
    }
    const c: JsonObject = {
      format: "miasta-ballot/2",
      edition_id: this.editionId,
      juror_id: juror,
      version,
      request_id: uuid("4e"),
      rule_sha256: this.ruleHash,
      marks: m,
      recusals: r,
    };
    this.casts.push(c);
    this.castPositions.push(this.log.length);
    this.ev(
      "ballot.cast",
      {
        cast_id: uuid("ca57"),
        version,
        request_id: c.request_id,
        rule_sha256: this.ruleHash,
        ballot_sha256: hashOf(c),
      },
      { role: "juror", id: juror },
    );
    this.current.set(juror, c);
    return c;
  }

  private tallyNow(): ReturnType<typeof computeTally> {
    const rule = ruleFromJson(this.rule!);
    const counted = [...this.current.values()];
    return computeTally({
      rule,
      categories: this.categories.map((c) => ({ category_id: c.id, number: c.number })),
      nominations: [...this.shortlist.entries()].map(([nid, info]) => {
        const vectors: number[][] = [];
        const recusals = { abstained: 0, declared: 0, home_city: 0 };
        for (const c of counted) {
          const mk = (c.marks as JsonObject[]).find((x) => x.nomination_id === nid);
          if (mk) vectors.push(mk.values as number[]);
          const rc = (c.recusals as JsonObject[]).find((x) => x.nomination_id === nid);
          if (rc) recusals[rc.kind as "abstained"]++;
        }
        return { nomination_id: nid, category_id: info.category, vectors, recusals };
      }),
      decisions: this.decisions,
    });
  }

  private close(): void {
    this.decisions = [];
    const t = this.tallyNow();
    this.lastTally = t.document;
    this.lastWinners = t.winners;
    this.lastCounted = this.current.size;
    this.lastMarks = [...this.shortlist.keys()].sort().map((nid) => {
      const vectors: number[][] = [];
      const recusals = { abstained: 0, declared: 0, home_city: 0 };
      for (const c of this.current.values()) {
        const mk = (c.marks as JsonObject[]).find((x) => x.nomination_id === nid);
        if (mk) vectors.push(mk.values as number[]);
        const rc = (c.recusals as JsonObject[]).find((x) => x.nomination_id === nid);
        if (rc) recusals[rc.kind as "abstained"]++;
      }
      vectors.sort((a, b) => {
        for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
        return a.length - b.length;
      });
      return { nomination_id: nid, recusals, vectors };
    });
    this.ev("tally.computed", { tally_sha256: hashOf(t.document), rule_sha256: this.ruleHash, ballots: this.current.size }, null);
  }

  /** The unresolved ties of the current tally (for choosing a jury decision). */
  ties(): { category_id: string; members: string[]; rank: number }[] {
    return this.tallyNow().unresolvedTies;
  }

  decide(category: string, order: string[], reason = "The jury voted 4 to 3."): void {
    this.decisions.push({ category_id: category, nomination_ids: order });
    const t = this.tallyNow();
    this.lastTally = t.document;
    this.lastWinners = t.winners;
    this.ev("tally.jury_decision", { category_id: category, nomination_ids: order, reason, tally_sha256: hashOf(t.document) });
  }

  /** The bundle object (not yet sealed) with the optional parts D1 requires for the current stage. */
  bundle(signer: Signer): JsonObject {
    const si = STAGES.indexOf(this.stage);
    const b: JsonObject = {
      format: "miasta-audit-bundle/2",
      edition_id: this.editionId,
      year: this.year,
      publication: this.publication,
      verifier_key: signer.verifierKey,
      checkpoint: "",
      log: clone(this.log),
    };
    if (si >= 3) b.rule = clone(this.rule!);
    if (this.stage === "ANNOUNCED") {
      b.tally = clone(this.lastTally!);
      if (this.publication === "aggregates") b.marks = clone(this.lastMarks);
      else b.casts = clone(this.casts);
    }
    return b;
  }
}

export function ruleJson(over: Partial<Record<string, Json>> & { criteria: JsonObject[] }): JsonObject {
  return {
    format: "miasta-rule/2",
    method: "weighted_mean",
    quorum: 1,
    winners: 1,
    minimum_score: null,
    trim_count: 0,
    tie_breaks: ["more_top_marks", "jury_decision"],
    ...over,
  } as JsonObject;
}

export function criterionRule(id: string, number: number, over: Partial<Record<string, Json>> = {}): JsonObject {
  const min = (over.min as number) ?? 0;
  const max = (over.max as number) ?? 5;
  return {
    criterion_id: id,
    number,
    min,
    max,
    weight: 1,
    non_ranking: false,
    labels: [
      { text: { en: "poor", pl: "słabo" }, value: min },
      { text: { en: "excellent", pl: "świetnie" }, value: max },
    ],
    ...over,
  };
}
