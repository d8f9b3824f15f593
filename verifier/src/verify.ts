// The verification of spec §11: the numbered checks in their order, stopping
// at the first that fails.

import { hashString, sha256, toBase64, toHex } from "./bytes.ts";
import { sha256Of } from "./sha256.ts";
import { CanonicalError, canonicalBytes, type Json, type JsonObject, parseCanonicalBytes, serialize, utf8 } from "./canonical.ts";
import { inclusionProof, leafHash, rootFromLeafHashes, verifyInclusion } from "./merkle.ts";
import { checkCosignature, checkRotation, checkSignature, type Checkpoint, parseCheckpoint, parseSignedNote, parseVerifierKey, parseWitnessKey, type VerifierKey } from "./note.ts";
import {
  bundleTop,
  completeCast,
  digestEntry,
  eventEnvelope,
  payloadSchemas,
  type Publication,
  type Stage,
  STAGES,
} from "./schema.ts";
import { computeTally, type NominationInput, type Rule, ruleFromJson, type TallyResult } from "./tally.ts";

export type CheckId =
  | "S1" | "S2" | "S3" | "K1" | "K2" | "K3" | "K4" | "K5" | "E1" | "E2" | "E3" | "E4" | "E5" | "D1" | "R1"
  | "C1" | "C2" | "C3" | "M1" | "T1" | "T2" | "T3" | "T4" | "P1";

/** The checks of §11, in the order they run. */
export const CHECK_ORDER: readonly CheckId[] = [
  "S1", "S2", "S3", "K1", "K2", "K3", "K4", "K5", "E1", "E2", "E3", "E4", "E5", "D1", "R1",
  "C1", "C2", "C3", "M1", "T1", "T2", "T3", "T4", "P1",
];

export interface VerifyOptions {
  /** The trusted note verifier key, obtained independently. */
  key?: string;
  /** Trust the bundle's own `verifier_key` instead (the result says so). */
  trustEmbeddedKey?: boolean;
  /** A receipt (hash string) to look up (check P1). */
  receipt?: string;
  /**
   * Signed checkpoints saved earlier (printed at the ceremony, published, saved
   * from the results page): the bundle's log must extend each (check K4).
   */
  checkpoints?: string[];
  /**
   * Witnesses' verifier keys (Ed25519 cosignature/v1, §4.3), obtained
   * independently: the checkpoint must carry valid cosignatures by at least
   * `witnessThreshold` of them (check K5).
   */
  witnesses?: string[];
  /** How many of `witnesses` must have cosigned (1 to their number); default all of them. */
  witnessThreshold?: number;
  /**
   * Called as each check of §11 begins, in CHECK_ORDER (T1–T4 start together), so that a caller can
   * show progress (the web app's results page runs the verifier in a Web Worker).
   */
  onCheck?: (check: CheckId) => void;
  /**
   * For testing the §13 `only` claim of a vector: this check is turned off.
   * Its failures are recorded in the summary (`turned_off`) instead of
   * stopping verification, and the later checks run on data it would have
   * refused. Never use it to judge a bundle.
   */
  turnOff?: CheckId;
}

export interface StageMove {
  leaf_index: number;
  event_id: number;
  from: Stage;
  to: Stage;
  time: string;
  actor: Json;
  reason: string;
}

export interface JuryDecisionReport {
  leaf_index: number;
  event_id: number;
  time: string;
  category_id: string;
  nomination_ids: string[];
  reason: string;
  in_force: boolean;
}

/** A replacement of the key that signs the log's checkpoints (§4.4). */
export interface RotationReport {
  leaf_index: number;
  event_id: number;
  time: string;
  /** The new key, which signs every checkpoint whose tree holds this leaf. */
  verifier_key: string;
}

/** A checkpoint saved earlier that the bundle's log extends (K4). */
export interface PinnedReport {
  size: number;
  root_hash: string; // base64, as in the checkpoint
}

/** A witness given to the verifier, and whether it cosigned the checkpoint (K5). */
export interface WitnessReport {
  key: string;
  cosigned: boolean;
  /** The cosignature's timestamp in seconds since the Unix epoch, in decimal (when cosigned). */
  timestamp?: string;
  /** The timestamp as UTC, YYYY-MM-DDTHH:MM:SSZ (when cosigned and not after the year 9999). */
  time?: string;
}

export type ReceiptStatus = "counted" | "superseded" | "shortlist_changed" | "not_yet_counted";

export interface ReceiptReport {
  receipt: string;
  leaf_index: number;
  event_id: number;
  cast_id: string;
  juror_id: string;
  time: string;
  /** The RFC 6962 inclusion proof of the leaf in the checkpoint's tree (hex node hashes, leaf to root); it verified. */
  inclusion_proof: string[];
  included: true;
  status: ReceiptStatus;
  status_text: string;
}

export interface Summary {
  verified: true;
  edition_id: string;
  year: number;
  publication: Publication;
  checkpoint_size: number;
  root_hash: string; // base64, as in the checkpoint
  final_stage: Stage;
  /** Counted casts of the last close, when the final stage is TALLIED or ANNOUNCED; otherwise null. */
  counted_casts: number | null;
  /** The announced winners (final stage ANNOUNCED); otherwise null. */
  winners: string[] | null;
  moves_back: StageMove[];
  overrides: StageMove[];
  jury_decisions: JuryDecisionReport[];
  /** True when the verifier was told to trust the bundle's own key instead of an independent one. */
  trusted_embedded_key: boolean;
  /** The trusted key: the log's key (§4.4). */
  key: string;
  /** Every key rotation of the log, in leaf order; the last one's key signed the checkpoint. */
  rotations: RotationReport[];
  /** Every pinned checkpoint the log was checked to extend (K4), in the order given. */
  pinned_checkpoints: PinnedReport[];
  /** Every witness given, in the order given, cosigned or not (K5); empty when none was given. */
  witnesses: WitnessReport[];
  /** How many of the witnesses had to cosign; null when none was given. */
  witness_threshold: number | null;
  /**
   * The jury's justifications as the announcement recorded them (§6), for a
   * reader to compare with the published results; null before the
   * announcement or when the announcement records none.
   */
  justifications: { nomination_id: string; text: Record<string, string> }[] | null;
  /** The jury's recommendations as the announcement recorded them; null when absent. */
  recommendations: Record<string, string> | null;
  notes: string[];
  receipt?: ReceiptReport;
  /** Present only when a check was turned off (VerifyOptions.turnOff): what it would have reported. */
  turned_off?: { check: CheckId; failures: string[] };
}

export type Result = { ok: true; summary: Summary } | { ok: false; check: CheckId; message: string };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

class CheckFailure extends Error {
  constructor(
    readonly check: CheckId,
    message: string,
  ) {
    super(message);
  }
}


const STAGE_INDEX: Record<string, number> = Object.fromEntries(STAGES.map((s, i) => [s, i]));

interface Ev {
  pos: number; // leaf index in the log
  n: number; // index among the edition's events
  id: number;
  kind: string;
  time: string;
  actor: JsonObject | null;
  payload: JsonObject;
  raw: JsonObject;
}

const p = (e: Ev) => `log[${e.pos}] (event id ${e.id}, ${e.kind})`;
/** The id of an event's actor ("" for the platform): for a juror's events, the juror's assignment. */
const actorId = (e: Ev): string => (e.actor === null ? "" : String(e.actor.id));
const str = (v: Json | undefined) => v as string;

/** Verifies a bundle. Throws UsageError only for bad options (no key, both a key and trust). */
export async function verify(bundleText: string | Uint8Array, opts: VerifyOptions = {}): Promise<Result> {
  if (opts.key !== undefined && opts.trustEmbeddedKey) throw new UsageError("give either a key or trustEmbeddedKey, not both");
  if (opts.key === undefined && !opts.trustEmbeddedKey) throw new UsageError("a trusted key is required (or trustEmbeddedKey)");
  if (opts.turnOff !== undefined && !CHECK_ORDER.includes(opts.turnOff)) throw new UsageError(`turnOff: ${JSON.stringify(opts.turnOff)} is not a check of §11`);
  try {
    return { ok: true, summary: await run(bundleText, opts) };
  } catch (e) {
    if (e instanceof CheckFailure) return { ok: false, check: e.check, message: e.message };
    throw e;
  }
}

async function run(input: string | Uint8Array, opts: VerifyOptions): Promise<Summary> {
  const notes: string[] = [];
  const turnedOff: string[] = [];
  /**
   * Stops verification at a failed check. For a check turned off (testing
   * only, VerifyOptions.turnOff) it records the failure and returns instead:
   * the type says `never` for the ordinary case, on which every caller relies.
   */
  const fail: (check: CheckId, message: string) => never = (check, message) => {
    if (check === opts.turnOff) {
      turnedOff.push(message);
      return undefined as never;
    }
    throw new CheckFailure(check, message);
  };

  // ---------------- S1 canonical ----------------
  opts.onCheck?.("S1");
  let bundleValue: Json;
  /** Each log entry's canonical bytes, kept from S1 so that K3 need not serialise it again. */
  let logEntryBytes: Uint8Array[] | undefined;
  try {
    const parsed = parseCanonicalBytes(input);
    bundleValue = parsed.value;
    logEntryBytes = parsed.logEntryBytes;
  } catch (e) {
    if (e instanceof CanonicalError) fail("S1", `the bundle is not canonical JSON: ${e.message}`);
    throw e;
  }

  // ---------------- S2 bundle ----------------
  opts.onCheck?.("S2");
  {
    const err = bundleTop(bundleValue, "bundle");
    if (err) fail("S2", err);
  }
  const bundle = bundleValue as JsonObject;
  const log = bundle.log as JsonObject[];
  const publication = bundle.publication as Publication;
  const editionId = str(bundle.edition_id);
  log.forEach((entry, i) => {
    if (Object.prototype.hasOwnProperty.call(entry, "digest")) {
      const err = digestEntry(entry, `log[${i}]`);
      if (err) fail("S2", `digest entry ${err}`);
    }
  });

  // ---------------- S3 events ----------------
  opts.onCheck?.("S3");
  const payloads = payloadSchemas();
  const evs: Ev[] = [];
  log.forEach((entry, i) => {
    if (Object.prototype.hasOwnProperty.call(entry, "digest")) return;
    const err = eventEnvelope(entry, `log[${i}]`);
    if (err) fail("S3", err);
    const kind = str(entry.kind);
    const schema = payloads[kind];
    if (!Object.prototype.hasOwnProperty.call(payloads, kind)) fail("S3", `log[${i}].kind: unknown event kind ${JSON.stringify(kind)}`);
    const perr = schema(entry.payload, `log[${i}].payload`);
    if (perr) fail("S3", `${perr} (${kind})`);
    if (kind === "log.key_rotated" && (entry.actor !== null || entry.edition_id !== null)) {
      fail("S3", `log[${i}]: a log.key_rotated is the platform's (actor and edition_id null)`);
    }
    // The edition's events: E1 makes every event entry one; should E1 be
    // turned off (testing only), another edition's event is not taken for one.
    if (entry.edition_id !== editionId) return;
    evs.push({
      pos: i,
      n: evs.length,
      id: entry.id as number,
      kind,
      time: str(entry.time),
      actor: entry.actor as JsonObject | null,
      payload: entry.payload as JsonObject,
      raw: entry,
    });
  });

  // ---------------- K1 key ----------------
  opts.onCheck?.("K1");
  const trustedText = opts.trustEmbeddedKey ? str(bundle.verifier_key) : opts.key!;
  let key: VerifierKey;
  try {
    key = parseVerifierKey(trustedText);
  } catch (e) {
    fail("K1", `the trusted key is not a well-formed Ed25519 note verifier key: ${(e as Error).message}`);
  }
  if (bundle.verifier_key !== trustedText) {
    fail("K1", `the bundle's verifier_key ${JSON.stringify(bundle.verifier_key)} differs from the trusted key ${JSON.stringify(trustedText)}`);
  }
  if (opts.trustEmbeddedKey) {
    notes.push("The key was taken from the bundle itself, not obtained independently: the result holds only for whoever published that key.");
  }

  // ---------------- K2 checkpoint ----------------
  opts.onCheck?.("K2");
  // The trusted key is the log's key; every rotation in the log, signed by the
  // key in force before it, replaces it (§4.4).
  const rotations: RotationReport[] = [];
  const keys: { from: number; key: VerifierKey }[] = [{ from: 0, key }]; // the key in force from leaf `from` + 1 on
  for (let i = 0; i < log.length; i++) {
    const entry = log[i];
    if (entry.kind !== "log.key_rotated" || Object.prototype.hasOwnProperty.call(entry, "digest")) continue;
    const payload = entry.payload as JsonObject;
    const current = keys[keys.length - 1].key;
    let next: VerifierKey;
    try {
      next = await checkRotation(current, str(payload.verifier_key), str(payload.signature));
    } catch (e) {
      fail("K2", `the key rotation at log[${i}]: ${(e as Error).message}`);
      continue; // K2 turned off (testing only): the rotation is not followed
    }
    keys.push({ from: i + 1, key: next });
    rotations.push({ leaf_index: i, event_id: entry.id as number, time: str(entry.time), verifier_key: next.text });
  }
  /** The key in force at size n (§4.4): replaced by every rotation among the first n leaves. */
  const keyAt = (n: number): VerifierKey => {
    let k = keys[0].key;
    for (const r of keys) if (r.from <= n) k = r.key;
    return k;
  };
  /** Reads a signed checkpoint and checks it is signed by the key in force at its size; throws with a reason. */
  const openCheckpoint = async (signed: string, keyFor: (size: number) => VerifierKey): Promise<Checkpoint> => {
    let note;
    try {
      note = parseSignedNote(signed);
    } catch (e) {
      throw new Error(`not a signed note: ${(e as Error).message}`);
    }
    let cp: Checkpoint;
    try {
      cp = parseCheckpoint(note.text);
    } catch (e) {
      throw new Error(`the signed note is not a checkpoint: ${(e as Error).message}`);
    }
    const k = keyFor(cp.size);
    const followed = rotations.length === 0 ? "the trusted key" : `the key in force at size ${cp.size} (the trusted key followed through the log's key rotations; a rotation given only as a digest is not followed)`;
    const sig = await checkSignature(note, k);
    if (sig === "absent") throw new Error(`no signature line by ${followed} (name and key hash)`);
    if (sig === "bad") throw new Error(`the first signature line by ${followed} does not verify`);
    return cp;
  };
  let checkpoint: Checkpoint;
  try {
    checkpoint = await openCheckpoint(str(bundle.checkpoint), () => keyAt(log.length));
  } catch (e) {
    fail("K2", `the checkpoint: ${(e as Error).message}`);
  }

  // ---------------- K3 tree ----------------
  opts.onCheck?.("K3");
  if (log.length !== checkpoint.size) fail("K3", `the log has ${log.length} entries but the checkpoint's size is ${checkpoint.size}`);
  const editionBytes = new Map<string, Uint8Array>();
  const leafHashes = log.map((entry, i) => leafHashOf(entry, logEntryBytes?.[i], editionBytes));
  {
    const root = rootFromLeafHashes(leafHashes);
    if (toBase64(root) !== toBase64(checkpoint.root)) {
      fail("K3", `the tree of the log's leaves has root ${toBase64(root)}, the checkpoint says ${toBase64(checkpoint.root)}`);
    }
  }

  // ---------------- K4 pinned checkpoints ----------------
  opts.onCheck?.("K4");
  const pinned: PinnedReport[] = [];
  for (const [i, signed] of (opts.checkpoints ?? []).entries()) {
    let cp: Checkpoint;
    try {
      // The size decides the key; a checkpoint beyond the log has no key in force to check.
      cp = await openCheckpoint(signed, (size) => {
        if (size > log.length) {
          throw new Error(`it has ${size} leaves, more than the bundle's ${log.length}: the bundle is older than it, or not of its log`);
        }
        return keyAt(size);
      });
    } catch (e) {
      fail("K4", `pinned checkpoint ${i + 1}: ${(e as Error).message}`);
      continue; // K4 turned off (testing only)
    }
    const root = rootFromLeafHashes(leafHashes.slice(0, cp.size));
    if (toBase64(root) !== toBase64(cp.root)) {
      fail("K4", `the bundle's first ${cp.size} leaves do not rebuild pinned checkpoint ${i + 1}'s root: the log was rewritten after that checkpoint, or is another log`);
      continue; // K4 turned off (testing only)
    }
    pinned.push({ size: cp.size, root_hash: toBase64(cp.root) });
  }

  // ---------------- K5 witnesses ----------------
  opts.onCheck?.("K5");
  const witnesses: WitnessReport[] = [];
  let witnessThreshold: number | null = null;
  const witnessKeys = opts.witnesses ?? [];
  if (witnessKeys.length === 0) {
    if (opts.witnessThreshold !== undefined) fail("K5", `a threshold of ${opts.witnessThreshold} witnesses was given without any witness key`);
  } else {
    const k = opts.witnessThreshold ?? witnessKeys.length;
    if (!Number.isSafeInteger(k) || k < 1 || k > witnessKeys.length) {
      fail("K5", `the threshold ${k} is not between 1 and the ${witnessKeys.length} witness keys given`);
    }
    witnessThreshold = k;
    const parsed: VerifierKey[] = [];
    witnessKeys.forEach((text, i) => {
      let w: VerifierKey;
      try {
        w = parseWitnessKey(text);
      } catch (e) {
        fail("K5", `witness key ${i + 1} (${JSON.stringify(text)}): ${(e as Error).message}`);
        return; // K5 turned off (testing only)
      }
      if (parsed.some((p) => p.name === w.name && p.keyHash === w.keyHash)) {
        fail("K5", `witness key ${i + 1} has the name and key hash of another given witness key: the keys must be distinct`);
      }
      parsed.push(w);
    });
    // K2 read the note: its signature lines are well formed.
    const note = parseSignedNote(str(bundle.checkpoint));
    let cosigned = 0;
    for (const w of parsed) {
      const c = await checkCosignature(note, w);
      if (c === "bad") {
        fail("K5", `the cosignature of the witness ${w.text} does not verify`);
        continue; // K5 turned off (testing only)
      }
      if (c === "absent") {
        witnesses.push({ key: w.text, cosigned: false });
        continue;
      }
      cosigned++;
      const report: WitnessReport = { key: w.text, cosigned: true, timestamp: c.timestamp.toString() };
      if (c.timestamp <= 253402300799n) report.time = new Date(Number(c.timestamp) * 1000).toISOString().replace(".000Z", "Z");
      witnesses.push(report);
    }
    if (cosigned < k) fail("K5", `the checkpoint is cosigned by ${cosigned} of the ${witnessKeys.length} witnesses given, fewer than the ${k} required`);
  }

  // ---------------- E1 edition ----------------
  opts.onCheck?.("E1");
  log.forEach((entry, i) => {
    if (Object.prototype.hasOwnProperty.call(entry, "digest")) {
      if (entry.edition_id === editionId) fail("E1", `log[${i}] is a digest entry of the bundle's own edition`);
    } else if (entry.kind === "log.key_rotated") {
      // The platform's key rotations are given in full (§10) and were checked by K2.
    } else if (entry.edition_id !== editionId) {
      fail("E1", `log[${i}] is an event of ${entry.edition_id === null ? "no edition" : `edition ${entry.edition_id}`}, not of the bundle's edition`);
    }
  });
  if (evs.length === 0) fail("E1", "the log has no event of the edition");
  {
    const first = evs[0];
    if (first.kind !== "edition.created") fail("E1", `the edition's first event ${p(first)} is not edition.created`);
    if (first.payload.year !== bundle.year) fail("E1", `edition.created has year ${first.payload.year}, the bundle says ${bundle.year}`);
    if (first.payload.publication !== publication) {
      fail("E1", `edition.created has publication ${first.payload.publication}, the bundle says ${publication}`);
    }
    for (const e of evs.slice(1)) if (e.kind === "edition.created") fail("E1", `${p(e)}: a second edition.created`);
  }

  // ---------------- E2 replay ----------------
  opts.onCheck?.("E2");
  {
    const seen = new Map<number, Ev>();
    for (const e of evs) {
      const prev = seen.get(e.id);
      if (prev) fail("E2", `${p(e)} has the same id as log[${prev.pos}]`);
      seen.set(e.id, e);
    }
  }

  // ---------------- E3 stages ----------------
  opts.onCheck?.("E3");
  const stageBefore: Stage[] = []; // stage at each edition event's position
  const movesBack: StageMove[] = [];
  const overrides: StageMove[] = [];
  {
    let cur = 0;
    for (const e of evs) {
      stageBefore.push(STAGES[cur]);
      if (e.kind !== "edition.stage_changed") continue;
      const from = str(e.payload.from);
      const to = str(e.payload.to);
      const reason = str(e.payload.reason);
      const override = e.payload.override as boolean;
      if (from !== STAGES[cur]) fail("E3", `${p(e)}: from ${from}, but the edition is in ${STAGES[cur]}`);
      const ti = STAGE_INDEX[to];
      const move: StageMove = { leaf_index: e.pos, event_id: e.id, from: from as Stage, to: to as Stage, time: e.time, actor: e.actor, reason };
      if (ti === cur + 1) {
        if (override && reason === "") fail("E3", `${p(e)}: an override needs a reason`);
        if (!override && reason !== "") fail("E3", `${p(e)}: a forward move without override must have an empty reason`);
        if (override) overrides.push(move);
      } else if (ti === cur - 1) {
        if (from === "ANNOUNCED") fail("E3", `${p(e)}: no move back out of ANNOUNCED`);
        if (reason === "") fail("E3", `${p(e)}: a move back needs a reason`);
        if (override) fail("E3", `${p(e)}: a move back cannot be an override`);
        movesBack.push(move);
      } else {
        fail("E3", `${p(e)}: ${from} → ${to} is not a move to the next or previous stage`);
      }
      cur = ti;
    }
    stageBefore.push(STAGES[cur]); // after the last event
  }
  const finalStage = stageBefore[evs.length];
  const isClose = (e: Ev) => e.kind === "edition.stage_changed" && e.payload.from === "JURY" && e.payload.to === "TALLIED";

  // ---------------- E4 timing ----------------
  opts.onCheck?.("E4");
  {
    const ALL = STAGES as readonly string[];
    const allowed: Record<string, readonly string[]> = {
      "edition.timeline_set": ALL.filter((s) => s !== "ANNOUNCED"),
      "edition.city_added": ["DRAFT"],
      "edition.city_removed": ["DRAFT"],
      "category.created": ["DRAFT"],
      "criterion.created": ["DRAFT"],
      "invitation.created": ["DRAFT", "REPORTING", "REVIEW", "JURY"],
      "invitation.revoked": ["DRAFT", "REPORTING", "REVIEW", "JURY"],
      "assignment.revoked": ["DRAFT", "REPORTING", "REVIEW", "JURY"],
      "invitation.accepted": ALL,
      "mail.edited": ALL,
      "mail.released": ALL,
      "mail.discarded": ALL,
      "mail.policy_set": ALL,
      "edition.stage_changed": ALL,
      "report.saved": ["REPORTING", "REVIEW"],
      "report.submitted": ["REPORTING", "REVIEW"],
      "report.returned": ["REPORTING", "REVIEW"],
      "report.accepted": ["REPORTING", "REVIEW"],
      "shortlist.nominated": ["REVIEW"],
      "shortlist.unnominated": ["REVIEW"],
      "tally_rule.set": ["DRAFT", "REPORTING", "REVIEW"],
      "ballot.cast": ["JURY"],
      "ballot.conflict_declared": ["JURY"],
      "ballot.abstained": ["JURY"],
      "tally.jury_decision": ["TALLIED"],
    };
    const placed = new Set(["tally_rule.frozen", "tally.computed", "results.announced"]);
    let frozenSeen = false;
    let firstIntoJury = -1;
    for (const e of evs) {
      if (e.n === 0 || e.kind === "edition.created") continue; // E1's matter: the first event, and only there
      const st = stageBefore[e.n];
      const prev = evs[e.n - 1];
      if (placed.has(e.kind)) {
        if (e.kind === "tally_rule.frozen") {
          if (frozenSeen) fail("E4", `${p(e)}: a second tally_rule.frozen`);
          if (!(prev.kind === "edition.stage_changed" && prev.payload.to === "JURY" && prev.n === firstIntoJury)) {
            fail("E4", `${p(e)}: tally_rule.frozen is not right after the first stage change into JURY`);
          }
          frozenSeen = true;
        } else if (e.kind === "tally.computed") {
          if (!isClose(prev)) fail("E4", `${p(e)}: tally.computed is not right after a close (JURY → TALLIED)`);
        } else if (!(prev.kind === "edition.stage_changed" && prev.payload.to === "ANNOUNCED")) {
          fail("E4", `${p(e)}: results.announced is not right after the stage change into ANNOUNCED`);
        }
        continue;
      }
      const ok = allowed[e.kind];
      if (!ok) fail("E4", `${p(e)}: a ${e.kind} event has no place in an edition's log`);
      else if (!ok.includes(st)) fail("E4", `${p(e)}: ${e.kind} is not allowed in stage ${st}`);
      if (e.kind === "tally_rule.set" && frozenSeen) fail("E4", `${p(e)}: tally_rule.set after tally_rule.frozen`);
      if (e.kind === "edition.stage_changed") {
        const next = evs[e.n + 1];
        if (e.payload.to === "JURY" && firstIntoJury < 0) {
          firstIntoJury = e.n;
          if (!next || next.kind !== "tally_rule.frozen") fail("E4", `${p(e)}: the first stage change into JURY is not followed by tally_rule.frozen`);
        }
        if (isClose(e) && (!next || next.kind !== "tally.computed")) fail("E4", `${p(e)}: a close is not followed by tally.computed`);
        if (e.payload.to === "ANNOUNCED" && (!next || next.kind !== "results.announced")) {
          fail("E4", `${p(e)}: the stage change into ANNOUNCED is not followed by results.announced`);
        }
      }
    }
  }

  // ---------------- E5 references ----------------
  opts.onCheck?.("E5");
  interface Assignment {
    role: string;
    city_id: string | null;
    person: string | null;
    n: number; // first acceptance
    revoked: boolean; // an assignment.revoked named it: it acts no more
  }
  const assignments = new Map<string, Assignment>();
  const categories = new Map<string, { number: number }>();
  const criteria = new Map<string, { number: number }>();
  /** Nominations ever made, with their category, city and practice. */
  const nominationInfo = new Map<string, { category_id: string; city_id: string; practice_id: string }>();
  /** The shortlist at each edition event's position (ids), computed while walking. */
  const shortlistBefore: Set<string>[] = [];
  const hidden = publication === "aggregates";

  /**
   * The juror's cities at a position (§8 condition 4): the juror assignment's
   * own city, plus the city of every expert assignment of the same person
   * accepted before n. An assignment keeps the city and person of its first
   * acceptance (§6), so a reused assignment's later acceptances add nothing.
   */
  const jurorCities = (jurorId: string, n: number): Set<string> => {
    const a = assignments.get(jurorId)!;
    const out = new Set<string>();
    if (a.city_id !== null) out.add(a.city_id);
    if (a.person === null) return out;
    for (const x of assignments.values()) {
      if (x.role === "expert" && x.n < n && x.person === a.person && x.city_id !== null) out.add(x.city_id);
    }
    return out;
  };
  {
    const ORGANISER_KINDS = new Set([
      "city.created", "mail.policy_set", "edition.created", "edition.timeline_set", "edition.stage_changed",
      "edition.city_added", "edition.city_removed", "category.created", "criterion.created", "invitation.created",
      "invitation.revoked", "assignment.revoked", "report.returned", "report.accepted", "shortlist.nominated", "shortlist.unnominated",
      "tally_rule.set", "tally.jury_decision", "mail.edited", "mail.released", "mail.discarded",
    ]);
    const NULL_KINDS = new Set(["tally_rule.frozen", "tally.computed", "results.announced"]);
    const categoryNumbers = new Set<number>();
    const criterionNumbers = new Set<number>();
    const reportingCities = new Set<string>();
    const shortlist = new Set<string>();
    const invitations = new Map<string, { role: string; city_id: string | null; state: "pending" | "revoked" | "accepted" }>();
    const reportCities = new Map<string, string>(); // report_id -> the city_id of its first event
    const recused = new Set<string>(); // juror|nomination with a conflict or abstention

    /** Cities and persons in the clear, except a juror's under aggregates, which are commitments (§6, §12). */
    const checkForm = (e: Ev) => {
      const pl = e.payload;
      const wantHidden = pl.role === "juror" && hidden;
      const pairs = e.kind === "invitation.accepted" ? [["city_id", "city_commitment"], ["person", "person_commitment"]] : [["city_id", "city_commitment"]];
      for (const [plain, committed] of pairs) {
        if (wantHidden && pl[plain] !== undefined) fail("E5", `${p(e)}: a juror's ${plain} in the clear under aggregates (must be ${committed})`);
        if (!wantHidden && pl[committed] !== undefined) {
          fail("E5", `${p(e)}: ${committed} for ${pl.role === "juror" ? `a juror under ${publication}` : "an expert"} (must be ${plain} in the clear)`);
        }
      }
    };
    // shortlistBefore shares one copy of the shortlist among the positions
    // where it did not change (the copies are only read).
    let snapshot: Set<string> | null = null;
    for (const e of evs) {
      if (snapshot === null) snapshot = new Set(shortlist);
      shortlistBefore.push(snapshot);
      const pl = e.payload;
      const a = e.actor;
      // Actors.
      if (NULL_KINDS.has(e.kind) && a !== null) fail("E5", `${p(e)}: the actor must be null (the platform)`);
      if (ORGANISER_KINDS.has(e.kind) && (a === null || a.role !== "organiser")) fail("E5", `${p(e)}: the actor must be an organiser`);
      if (a !== null && (a.role === "expert" || a.role === "juror")) {
        const self = e.kind === "invitation.accepted" && a.role === pl.role;
        const as = assignments.get(str(a.id));
        if (!self && !(as && as.role === a.role)) {
          fail("E5", `${p(e)}: actor ${a.role} ${a.id} is not a ${a.role} assignment accepted earlier`);
        }
        if (as && as.revoked) fail("E5", `${p(e)}: actor ${a.role} ${a.id} is an assignment revoked earlier`);
      }
      switch (e.kind) {
        case "results.announced": {
          const winners = new Set(pl.winners as string[]);
          for (const j of (pl.justifications ?? []) as JsonObject[]) {
            if (!winners.has(str(j.nomination_id))) fail("E5", `${p(e)}: justifies nomination ${j.nomination_id}, which is not among its winners`);
          }
          break;
        }
        case "category.created":
        case "criterion.created": {
          const isCat = e.kind === "category.created";
          const id = str(isCat ? pl.category_id : pl.criterion_id);
          const map = isCat ? categories : criteria;
          const nums = isCat ? categoryNumbers : criterionNumbers;
          if (map.has(id)) fail("E5", `${p(e)}: ${isCat ? "category" : "criterion"} ${id} already exists`);
          if (nums.has(pl.number as number)) fail("E5", `${p(e)}: number ${pl.number} is already used by another ${isCat ? "category" : "criterion"}`);
          map.set(id, { number: pl.number as number });
          nums.add(pl.number as number);
          break;
        }
        case "edition.city_added":
          if (reportingCities.has(str(pl.city_id))) fail("E5", `${p(e)}: city ${pl.city_id} already reports in the edition`);
          reportingCities.add(str(pl.city_id));
          break;
        case "edition.city_removed":
          if (!reportingCities.has(str(pl.city_id))) fail("E5", `${p(e)}: city ${pl.city_id} does not report in the edition`);
          reportingCities.delete(str(pl.city_id));
          break;
        case "shortlist.nominated": {
          const id = str(pl.nomination_id);
          if (nominationInfo.has(id)) fail("E5", `${p(e)}: nomination ${id} is not new`);
          if (!categories.has(str(pl.category_id))) fail("E5", `${p(e)}: ${pl.category_id} is not a category of the edition`);
          if (!reportingCities.has(str(pl.city_id))) fail("E5", `${p(e)}: ${pl.city_id} is not a reporting city of the edition`);
          nominationInfo.set(id, { category_id: str(pl.category_id), city_id: str(pl.city_id), practice_id: str(pl.practice_id) });
          shortlist.add(id);
          snapshot = null;
          break;
        }
        case "shortlist.unnominated": {
          const id = str(pl.nomination_id);
          if (!shortlist.has(id)) fail("E5", `${p(e)}: nomination ${id} is not on the shortlist`);
          const practice = nominationInfo.get(id)!.practice_id;
          if (pl.practice_id !== practice) fail("E5", `${p(e)}: practice ${pl.practice_id}, but nomination ${id} was made for practice ${practice}`);
          shortlist.delete(id);
          snapshot = null;
          break;
        }
        case "assignment.revoked": {
          const as = assignments.get(str(pl.assignment_id));
          if (!as || as.role !== pl.role) fail("E5", `${p(e)}: ${pl.assignment_id} is not a ${pl.role} assignment of the edition`);
          if (as?.revoked) fail("E5", `${p(e)}: assignment ${pl.assignment_id} was revoked earlier`);
          if (as) as.revoked = true;
          break;
        }
        case "invitation.created":
          if (invitations.has(str(pl.invitation_id))) fail("E5", `${p(e)}: invitation ${pl.invitation_id} is not new`);
          checkForm(e);
          invitations.set(str(pl.invitation_id), {
            role: str(pl.role),
            city_id: pl.city_id === undefined ? null : str(pl.city_id),
            state: "pending",
          });
          break;
        case "invitation.revoked":
        case "invitation.accepted": {
          const inv = invitations.get(str(pl.invitation_id));
          if (!inv) fail("E5", `${p(e)}: invitation ${pl.invitation_id} was not created earlier`);
          if (inv.state !== "pending") fail("E5", `${p(e)}: invitation ${pl.invitation_id} was already ${inv.state}`);
          if (e.kind === "invitation.revoked") {
            inv.state = "revoked";
            break;
          }
          inv.state = "accepted";
          checkForm(e);
          if (pl.role !== inv.role) fail("E5", `${p(e)}: role ${pl.role}, but the invitation is for ${inv.role}`);
          const city = pl.city_id === undefined ? null : str(pl.city_id);
          if (city !== null && inv.city_id !== null && city !== inv.city_id) {
            fail("E5", `${p(e)}: city ${city}, but the invitation names ${inv.city_id}`);
          }
          if (a === null || a.role !== pl.role) {
            fail("E5", `${p(e)}: the actor must be an assignment of the invitation's role ${JSON.stringify(pl.role)}`);
          }
          const aid = str(a.id);
          const prev = assignments.get(aid);
          if (prev) {
            // A reused assignment keeps the city and person of its first acceptance (§6): only the role must agree.
            if (prev.role !== pl.role) fail("E5", `${p(e)}: assignment ${aid} was created with role ${prev.role}`);
          } else {
            assignments.set(aid, {
              role: str(pl.role),
              city_id: city,
              person: pl.person === undefined ? null : str(pl.person),
              n: e.n,
              revoked: false,
            });
          }
          break;
        }
        case "report.saved":
        case "report.submitted":
        case "report.returned":
        case "report.accepted": {
          const rid = str(pl.report_id);
          const first = reportCities.get(rid);
          if (first === undefined) reportCities.set(rid, str(pl.city_id));
          else if (first !== pl.city_id) fail("E5", `${p(e)}: report ${rid} is of city ${first} (its first event), not ${pl.city_id}`);
          if (e.kind === "report.saved" || e.kind === "report.submitted") {
            if (a === null || a.role !== "expert") fail("E5", `${p(e)}: must be by an expert assignment`);
            const as = assignments.get(str(a.id))!;
            if (as.city_id !== pl.city_id) fail("E5", `${p(e)}: the expert's city is ${as.city_id}, the report's ${pl.city_id}`);
          }
          break;
        }
        case "ballot.conflict_declared":
        case "ballot.abstained": {
          if (a === null || a.role !== "juror") fail("E5", `${p(e)}: must be by a juror assignment`);
          const jid = str(a.id);
          const nid = str(pl.nomination_id);
          if (!shortlist.has(nid)) fail("E5", `${p(e)}: nomination ${nid} is not on the shortlist`);
          const k = `${jid}|${nid}`;
          if (recused.has(k)) fail("E5", `${p(e)}: the juror already declared a conflict or abstained on ${nid}`);
          recused.add(k);
          if (!hidden) {
            const cities = jurorCities(jid, e.n);
            const city = nominationInfo.get(nid)!.city_id;
            if (cities.has(city)) fail("E5", `${p(e)}: nomination ${nid} is of the juror's own city ${city} (a home_city recusal, not a conflict)`);
          }
          break;
        }
      }
    }
    shortlistBefore.push(new Set(shortlist));
  }

  // ---------------- D1 disclosure ----------------
  opts.onCheck?.("D1");
  {
    const si = STAGE_INDEX[finalStage];
    const want = {
      rule: si >= STAGE_INDEX.JURY,
      tally: finalStage === "ANNOUNCED",
      casts: finalStage === "ANNOUNCED" && !hidden,
      marks: finalStage === "ANNOUNCED" && hidden,
    };
    for (const [name, needed] of Object.entries(want)) {
      const has = Object.prototype.hasOwnProperty.call(bundle, name);
      if (needed && !has) fail("D1", `the bundle lacks ${name}, required when the final stage is ${finalStage} (publication ${publication})`);
      if (!needed && has) fail("D1", `the bundle has ${name}, which must be absent when the final stage is ${finalStage} (publication ${publication})`);
    }
  }

  // ---------------- R1 rule ----------------
  opts.onCheck?.("R1");
  let rule: Rule | null = null;
  let frozenHash: string | null = null;
  if (STAGE_INDEX[finalStage] >= STAGE_INDEX.JURY) {
    const ruleJson = bundle.rule as JsonObject;
    const h = hashString(canonicalBytes(ruleJson));
    const frozen = evs.find((e) => e.kind === "tally_rule.frozen")!;
    frozenHash = str(frozen.payload.rule_sha256);
    if (h !== frozenHash) fail("R1", `the rule hashes to ${h}, tally_rule.frozen (${p(frozen)}) says ${frozenHash}`);
    const sets = evs.filter((e) => e.kind === "tally_rule.set");
    if (sets.length === 0) fail("R1", "there is no tally_rule.set");
    const last = sets[sets.length - 1];
    if (last.payload.rule_sha256 !== h) fail("R1", `the rule hashes to ${h}, the last tally_rule.set (${p(last)}) says ${last.payload.rule_sha256}`);
    const err = ruleValidity(ruleJson, criteria);
    if (err) fail("R1", `the rule is not valid for the edition: ${err}`);
    rule = ruleFromJson(ruleJson);
  } else {
    const frozen = evs.find((e) => e.kind === "tally_rule.frozen");
    if (frozen) frozenHash = str(frozen.payload.rule_sha256);
  }

  // ---------------- C1 casts in the log ----------------
  opts.onCheck?.("C1");
  const castEvs = evs.filter((e) => e.kind === "ballot.cast");
  {
    const castIds = new Set<string>();
    const requests = new Set<string>();
    let deadline: string | null = null;
    for (const e of evs) {
      if (e.kind === "edition.timeline_set") deadline = e.payload.jury_deadline as string | null;
      if (e.kind !== "ballot.cast") continue;
      const pl = e.payload;
      const jid = actorId(e);
      const as = assignments.get(jid);
      if (e.actor === null || e.actor.role !== "juror" || !as || as.role !== "juror" || as.n >= e.n) {
        fail("C1", `${p(e)}: the actor must be a juror assignment`);
      }
      if (stageBefore[e.n] !== "JURY") fail("C1", `${p(e)}: cast in stage ${stageBefore[e.n]}`);
      if (deadline !== null && !(e.time < deadline)) fail("C1", `${p(e)}: cast at ${e.time}, not before the jury deadline ${deadline}`);
      if (pl.rule_sha256 !== frozenHash) fail("C1", `${p(e)}: rule_sha256 ${pl.rule_sha256} is not the frozen rule's ${frozenHash}`);
      if (castIds.has(str(pl.cast_id))) fail("C1", `${p(e)}: cast_id ${pl.cast_id} occurs in another cast`);
      castIds.add(str(pl.cast_id));
      const rk = `${jid}|${pl.request_id}`;
      if (requests.has(rk)) fail("C1", `${p(e)}: the juror already has a cast with request_id ${pl.request_id}`);
      requests.add(rk);
    }
  }

  const announced = finalStage === "ANNOUNCED";
  const entries = (bundle.casts ?? []) as JsonObject[];
  // §10: the i-th entry completed into its cast from the i-th ballot.cast event.
  const casts = entries.slice(0, castEvs.length).map((en, i) => completeCast(en, editionId, actorId(castEvs[i]), castEvs[i].payload));

  // ---------------- C2 cast contents ----------------
  opts.onCheck?.("C2");
  if (!hidden && announced) {
    if (entries.length !== castEvs.length) fail("C2", `casts has ${entries.length} entries, the log has ${castEvs.length} ballot.cast events`);
    castEvs.forEach((e, i) => {
      if (i >= casts.length) return;
      const h = hashString(canonicalBytes(casts[i]));
      if (h !== e.payload.ballot_sha256) fail("C2", `casts[${i}], completed from ${p(e)}, hashes to ${h}, but the event has ballot_sha256 ${e.payload.ballot_sha256}`);
    });
  }

  // ---------------- C3 ballots ----------------
  opts.onCheck?.("C3");
  if (!hidden && announced) {
    castEvs.forEach((e, i) => {
      const err = castWellFormed(casts[i], e, i);
      if (err) fail("C3", err);
    });
  }

  function castWellFormed(c: JsonObject, e: Ev, i: number): string | null {
    const S = shortlistBefore[e.n];
    const marks = c.marks as JsonObject[];
    const recusals = c.recusals as JsonObject[];
    const at = `casts[${i}] (${p(e)})`;
    const seen = new Set<string>();
    for (const x of [...marks, ...recusals]) {
      const nid = str(x.nomination_id);
      if (!S.has(nid)) return `${at}: nomination ${nid} is not on the shortlist at the cast`;
      if (seen.has(nid)) return `${at}: nomination ${nid} appears twice`;
      seen.add(nid);
    }
    for (const nid of S) if (!seen.has(nid)) return `${at}: nomination ${nid} of the shortlist is neither marked nor recused`;
    for (const m of marks) {
      const vals = m.values as number[];
      if (vals.length !== rule!.criteria.length) return `${at}: nomination ${m.nomination_id} has ${vals.length} marks, the rule has ${rule!.criteria.length} criteria`;
      for (let j = 0; j < vals.length; j++) {
        const cr = rule!.criteria[j];
        if (vals[j] < cr.min || vals[j] > cr.max) return `${at}: mark ${vals[j]} for criterion ${cr.number} is outside ${cr.min}–${cr.max}`;
      }
    }
    // Condition 4 (cities are known under names and pseudonyms).
    const jid = str(c.juror_id);
    const cities = jurorCities(jid, e.n);
    const kindOf = new Map<string, string>();
    for (const r of recusals) kindOf.set(str(r.nomination_id), str(r.kind));
    for (const nid of S) {
      const city = nominationInfo.get(nid)!.city_id;
      const isHome = cities.has(city);
      const got = kindOf.get(nid) ?? "marked";
      let want: string;
      if (isHome) want = "home_city";
      else if (evs.some((x) => x.n < e.n && x.kind === "ballot.conflict_declared" && actorId(x) === jid && x.payload.nomination_id === nid)) want = "declared";
      else if (evs.some((x) => x.n < e.n && x.kind === "ballot.abstained" && actorId(x) === jid && x.payload.nomination_id === nid)) want = "abstained";
      else want = "marked";
      if (got !== want) return `${at}: nomination ${nid} is ${got === "marked" ? "marked" : `recused ${got}`}, but must be ${want === "marked" ? "marked" : `recused ${want}`}`;
    }
    return null;
  }

  // ---------------- counted casts (§9.1) ----------------
  const closes = evs.filter(isClose);
  const lastClose = closes.length > 0 ? closes[closes.length - 1] : null;
  /** Indexes (into castEvs) of the counted casts of the close at edition position n. */
  const countedCasts = (close: Ev): number[] => {
    let q = -1;
    for (const e of evs) {
      if (e.n >= close.n) break;
      if (e.kind === "shortlist.nominated" || e.kind === "shortlist.unnominated") q = e.n;
    }
    // A juror revoked before the close has no counted cast (§9.1).
    const revoked = new Set<string>();
    for (const e of evs) {
      if (e.n >= close.n) break;
      if (e.kind === "assignment.revoked") revoked.add(str(e.payload.assignment_id));
    }
    const lastOf = new Map<string, number>();
    castEvs.forEach((e, i) => {
      if (e.n > q && e.n < close.n && !revoked.has(actorId(e))) lastOf.set(actorId(e), i);
    });
    return [...lastOf.values()].sort((a, b) => a - b);
  };

  // ---------------- M1 marks ----------------
  opts.onCheck?.("M1");
  const marksBundle = (bundle.marks ?? []) as JsonObject[];
  if (hidden && announced) {
    const close = lastClose!;
    const S = [...shortlistBefore[close.n]].sort();
    const N = countedCasts(close).length;
    if (marksBundle.length !== S.length) fail("M1", `marks has ${marksBundle.length} entries, the final shortlist has ${S.length} nominations`);
    marksBundle.forEach((m, i) => {
      if (m.nomination_id !== S[i]) fail("M1", `marks[${i}] is for ${m.nomination_id}, expected ${S[i]} (the final shortlist in increasing nomination id)`);
      const vectors = m.vectors as number[][];
      vectors.forEach((v, j) => {
        if (v.length !== rule!.criteria.length) fail("M1", `marks[${i}].vectors[${j}] has ${v.length} marks, the rule has ${rule!.criteria.length} criteria`);
        v.forEach((x, c) => {
          const cr = rule!.criteria[c];
          if (x < cr.min || x > cr.max) fail("M1", `marks[${i}].vectors[${j}][${c}] = ${x} is outside ${cr.min}–${cr.max}`);
        });
        if (j > 0 && compareVectors(vectors[j - 1], v) > 0) fail("M1", `marks[${i}].vectors are not in increasing lexicographic order at ${j}`);
      });
      const r = m.recusals as JsonObject; // counts ≥ 0 (S2)
      const total = vectors.length + (r.abstained as number) + (r.declared as number) + (r.home_city as number);
      if (total !== N) fail("M1", `marks[${i}]: ${vectors.length} vectors and ${total - vectors.length} recusals make ${total}, the last close counted ${N} casts`);
    });
  }

  // ---------------- T1–T4 tallies and results ----------------
  opts.onCheck?.("T1");
  let winners: string[] | null = null;
  const decisionEvs = evs.filter((e) => e.kind === "tally.jury_decision");
  const lastCloseBefore = (n: number): Ev | null => {
    let c: Ev | null = null;
    for (const x of closes) if (x.n < n) c = x;
    return c;
  };
  const juryDecisions: JuryDecisionReport[] = decisionEvs.map((e) => ({
    leaf_index: e.pos,
    event_id: e.id,
    time: e.time,
    category_id: str(e.payload.category_id),
    nomination_ids: e.payload.nomination_ids as string[],
    reason: str(e.payload.reason),
    in_force: lastCloseBefore(e.n) === lastClose,
  }));

  if (announced) {
    const r = rule!;
    const categoryList = [...categories.entries()].map(([category_id, v]) => ({ category_id, number: v.number }));
    const tallyInputFor = (close: Ev): NominationInput[] => {
      const S = [...shortlistBefore[close.n]];
      if (hidden) {
        const byId = new Map(marksBundle.map((m) => [str(m.nomination_id), m]));
        return S.map((nid) => {
          const m = byId.get(nid)!;
          const rc = m.recusals as JsonObject;
          return {
            nomination_id: nid,
            category_id: nominationInfo.get(nid)!.category_id,
            vectors: m.vectors as number[][],
            recusals: { abstained: rc.abstained as number, declared: rc.declared as number, home_city: rc.home_city as number },
          };
        });
      }
      const counted = countedCasts(close).map((i) => casts[i]);
      return S.map((nid) => {
        const vectors: number[][] = [];
        const rec = { abstained: 0, declared: 0, home_city: 0 };
        for (const c of counted) {
          const m = (c.marks as JsonObject[]).find((x) => x.nomination_id === nid);
          if (m) vectors.push(m.values as number[]);
          const rr = (c.recusals as JsonObject[]).find((x) => x.nomination_id === nid);
          if (rr) rec[str(rr.kind) as keyof typeof rec]++;
        }
        return { nomination_id: nid, category_id: nominationInfo.get(nid)!.category_id, vectors, recusals: rec };
      });
    };
    const decisionsOf = (list: Ev[]) =>
      list.map((d) => ({ category_id: str(d.payload.category_id), nomination_ids: d.payload.nomination_ids as string[] }));
    const tallyOf = (close: Ev, decisions: Ev[]): TallyResult =>
      computeTally({ rule: r, categories: categoryList, nominations: tallyInputFor(close), decisions: decisionsOf(decisions) });
    const hashOf = (t: TallyResult) => hashString(canonicalBytes(t.document));

    // T1
    for (const close of closes) {
      const tc = evs[close.n + 1];
      if (tc.payload.rule_sha256 !== frozenHash) fail("T1", `${p(tc)}: rule_sha256 is not the frozen rule's`);
      const N = countedCasts(close).length;
      if (tc.payload.ballots !== N) fail("T1", `${p(tc)}: ballots is ${tc.payload.ballots}, the close counted ${N} casts`);
      if (hidden && close !== lastClose) continue;
      const h = hashOf(tallyOf(close, []));
      if (tc.payload.tally_sha256 !== h) fail("T1", `${p(tc)}: tally_sha256 is ${tc.payload.tally_sha256}, the recomputed tally hashes to ${h}`);
    }

    // T2
    for (const d of decisionEvs) {
      const close = lastCloseBefore(d.n)!; // its close: a decision is in TALLIED (E4)
      if (!r.tie_breaks.includes("jury_decision")) fail("T2", `${p(d)}: the rule's tie_breaks do not include jury_decision`);
      const cat = str(d.payload.category_id);
      if (!categories.has(cat)) fail("T2", `${p(d)}: ${cat} is not a category of the edition`);
      // Under aggregates only the last close's tally can be recomputed (from marks).
      if (hidden && close !== lastClose) continue;
      const before = decisionEvs.filter((x) => x.n > close.n && x.n < d.n);
      const t0 = tallyOf(close, before);
      const ids = new Set(d.payload.nomination_ids as string[]);
      const tie = t0.unresolvedTies.find((t) => t.category_id === cat && t.members.length === ids.size && t.members.every((m) => ids.has(m)));
      if (!tie) fail("T2", `${p(d)}: in the tally in force before it, category ${cat} has no unresolved tie of exactly ${[...ids].join(", ")}`);
      const h = hashOf(tallyOf(close, [...before, d]));
      if (d.payload.tally_sha256 !== h) fail("T2", `${p(d)}: tally_sha256 is ${d.payload.tally_sha256}, the recomputed tally hashes to ${h}`);
    }

    // T3
    const inForce = decisionEvs.filter((x) => x.n > lastClose!.n);
    const last = tallyOf(lastClose!, inForce);
    {
      const ra = evs.find((e) => e.kind === "results.announced")!;
      const h = hashOf(last);
      if (ra.payload.tally_sha256 !== h) fail("T3", `${p(ra)}: tally_sha256 is ${ra.payload.tally_sha256}, the last tally hashes to ${h}`);
      const w = ra.payload.winners as string[];
      if (w.length !== last.winners.length || w.some((x, i) => x !== last.winners[i])) {
        fail("T3", `${p(ra)}: winners ${JSON.stringify(w)} differ from the tally's ${JSON.stringify(last.winners)}`);
      }
      if (r.tie_breaks.includes("jury_decision")) {
        const t = last.unresolvedTies.find((t) => t.rank <= r.winners);
        if (t) fail("T3", `${p(ra)}: category ${t.category_id} has an unresolved tie at rank ${t.rank} (${t.members.join(", ")}) within the ${r.winners} winning places`);
      }
      winners = w;
    }

    // T4
    {
      const mine = serialize(last.document);
      const theirs = serialize(bundle.tally as JsonObject);
      if (mine !== theirs) fail("T4", `the bundle's tally differs from the recomputed last tally${firstDifference(theirs, mine)}`);
    }
  }

  // ---------------- P1 receipt ----------------
  opts.onCheck?.("P1");
  let receiptReport: ReceiptReport | undefined;
  if (opts.receipt !== undefined) {
    const receipt = opts.receipt;
    const i = castEvs.findIndex((e) => e.payload.ballot_sha256 === receipt);
    if (i < 0) fail("P1", `no ballot.cast of the edition has ballot_sha256 ${receipt}`);
    const e = castEvs[i];
    const proof = inclusionProof(leafHashes, e.pos, checkpoint.size);
    if (!verifyInclusion(leafHashes[e.pos], e.pos, checkpoint.size, proof, checkpoint.root)) {
      fail("P1", `the inclusion proof of log[${e.pos}] does not verify`); // cannot happen after K3
    }
    let status: ReceiptStatus;
    let statusText: string;
    const jid = actorId(e);
    if (STAGE_INDEX[finalStage] < STAGE_INDEX.TALLIED || lastClose === null) {
      status = "not_yet_counted";
      statusText = `not yet counted: the edition is in ${finalStage}`;
    } else if (countedCasts(lastClose).includes(i)) {
      status = "counted";
      statusText = "counted at the last close";
    } else {
      let q = -1;
      for (const x of evs) {
        if (x.n >= lastClose.n) break;
        if (x.kind === "shortlist.nominated" || x.kind === "shortlist.unnominated") q = x.n;
      }
      if (e.n < q) {
        status = "shortlist_changed";
        statusText = `not counted: the shortlist changed after it (log[${evs[q].pos}])`;
      } else {
        const later = castEvs.find((x) => x.n > e.n && actorId(x) === jid)!;
        status = "superseded";
        statusText = `superseded by a later cast of the same juror (log[${later.pos}])`;
      }
    }
    receiptReport = {
      receipt,
      leaf_index: e.pos,
      event_id: e.id,
      cast_id: str(e.payload.cast_id),
      juror_id: jid,
      time: e.time,
      inclusion_proof: proof.map(toHex),
      included: true,
      status,
      status_text: statusText,
    };
  }

  const summary: Summary = {
    verified: true,
    edition_id: editionId,
    year: bundle.year as number,
    publication,
    checkpoint_size: checkpoint.size,
    root_hash: toBase64(checkpoint.root),
    final_stage: finalStage,
    counted_casts: STAGE_INDEX[finalStage] >= STAGE_INDEX.TALLIED && lastClose ? countedCasts(lastClose).length : null,
    winners,
    moves_back: movesBack,
    overrides,
    jury_decisions: juryDecisions,
    trusted_embedded_key: !!opts.trustEmbeddedKey,
    key: trustedText,
    rotations,
    pinned_checkpoints: pinned,
    witnesses,
    witness_threshold: witnessThreshold,
    justifications: null,
    recommendations: null,
    notes,
  };
  const announcement = evs.filter((e) => e.kind === "results.announced").pop();
  if (announcement?.payload.justifications !== undefined) {
    summary.justifications = (announcement.payload.justifications as JsonObject[]).map((j) => ({
      nomination_id: str(j.nomination_id),
      text: { ...(j.text as Record<string, string>) },
    }));
  }
  if (announcement?.payload.recommendations !== undefined) summary.recommendations = { ...(announcement.payload.recommendations as Record<string, string>) };
  if (receiptReport) summary.receipt = receiptReport;
  if (opts.turnOff !== undefined) {
    summary.turned_off = { check: opts.turnOff, failures: turnedOff };
    notes.push(`Check ${opts.turnOff} was turned off (testing only): this is not a verdict on the bundle.`);
  }
  return summary;
}

/**
 * The leaf of a log entry (§4.1, §10). `canonical`, when given, must be the
 * entry's canonical bytes (as parseCanonicalBytes() keeps them for a bundle's
 * log), saving their computation.
 */
export function leafOf(entry: JsonObject, canonical?: Uint8Array): Uint8Array {
  if (Object.prototype.hasOwnProperty.call(entry, "digest")) {
    return utf8(`miasta-leaf/2\n${entry.edition_id ?? ""}\n${entry.digest}\n`);
  }
  const digest = toHex(sha256(canonical ?? canonicalBytes(entry)));
  return utf8(`miasta-leaf/2\n${entry.edition_id ?? ""}\n${digest}\n`);
}

const LEAF_ZERO = new Uint8Array([0]); // RFC 6962's leaf prefix
const LEAF_HEAD = utf8("miasta-leaf/2\n");
const NEWLINE = utf8("\n");
const HEX_DIGITS = utf8("0123456789abcdef");

/**
 * leafHash(leafOf(entry, canonical)), computed without building the leaf (the
 * hot loop of K3). `editionBytes` caches the UTF-8 of the edition ids met.
 */
export function leafHashOf(entry: JsonObject, canonical: Uint8Array | undefined, editionBytes: Map<string, Uint8Array>): Uint8Array {
  if (Object.prototype.hasOwnProperty.call(entry, "digest")) return leafHash(leafOf(entry));
  const edition = `${entry.edition_id ?? ""}`;
  let ed = editionBytes.get(edition);
  if (ed === undefined) {
    ed = utf8(edition);
    editionBytes.set(edition, ed);
  }
  const d = sha256(canonical ?? canonicalBytes(entry));
  const hex = new Uint8Array(65); // the digest in lowercase hex, and the leaf's last newline
  for (let i = 0; i < 32; i++) {
    hex[2 * i] = HEX_DIGITS[d[i] >> 4];
    hex[2 * i + 1] = HEX_DIGITS[d[i] & 15];
  }
  hex[64] = 0x0a;
  return sha256Of(LEAF_ZERO, LEAF_HEAD, ed, NEWLINE, hex);
}

function compareVectors(a: number[], b: number[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return ` (first difference at character ${i}: …${a.slice(Math.max(0, i - 40), i + 40)}… vs …${b.slice(Math.max(0, i - 40), i + 40)}…)`;
}

/** §7 "valid for an edition"; returns a reason or null. */
function ruleValidity(rule: JsonObject, editionCriteria: Map<string, { number: number }>): string | null {
  const crs = rule.criteria as JsonObject[];
  const seen = new Set<string>();
  for (let i = 0; i < crs.length; i++) {
    const c = crs[i];
    const id = str(c.criterion_id);
    const ec = editionCriteria.get(id);
    if (!ec) return `criteria[${i}]: ${id} is not a criterion of the edition`;
    if (seen.has(id)) return `criteria[${i}]: criterion ${id} appears twice`;
    seen.add(id);
    if (c.number !== ec.number) return `criteria[${i}]: number ${c.number}, but the criterion's number is ${ec.number}`;
    if (i > 0 && !((crs[i - 1].number as number) < (c.number as number))) return `criteria[${i}]: not in increasing number`;
  }
  for (const id of editionCriteria.keys()) if (!seen.has(id)) return `criterion ${id} of the edition has no criterion rule`;
  if (!crs.some((c) => c.non_ranking === false)) return "no criterion is ranking";
  for (let i = 0; i < crs.length; i++) {
    const c = crs[i];
    const min = c.min as number;
    const max = c.max as number;
    if (!(min < max)) return `criteria[${i}]: min ${min} is not below max ${max}`;
    const labels = c.labels as JsonObject[];
    for (let j = 0; j < labels.length; j++) {
      const v = labels[j].value as number;
      if (v < min || v > max) return `criteria[${i}].labels[${j}]: value ${v} is outside ${min}–${max}`;
      if (j > 0 && !((labels[j - 1].value as number) < v)) return `criteria[${i}].labels[${j}]: values not distinct and increasing`;
      if (Object.keys(labels[j].text as JsonObject).length === 0) return `criteria[${i}].labels[${j}]: no text`;
    }
  }
  const method = str(rule.method);
  const t = rule.trim_count as number;
  if (method === "trimmed_mean" && t < 1) return "trim_count must be at least 1 for trimmed_mean";
  if (method !== "trimmed_mean" && t !== 0) return `trim_count must be 0 for ${method}`;
  const tbs = rule.tie_breaks as string[];
  if (new Set(tbs).size !== tbs.length) return "tie_breaks repeats an entry";
  const jd = tbs.indexOf("jury_decision");
  if (jd >= 0 && jd !== tbs.length - 1) return "jury_decision must be the last tie-break";
  return null;
}
