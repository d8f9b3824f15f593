// The test-vector manifest of spec §13 (spec/vectors/manifest.json): its
// members, and running one vector — its verdict, and for a vector with
// `only`, that it verifies with the expected check turned off.
// No Node-only APIs: the caller reads the files.

import { parseVerifierKey, parseWitnessKey } from "./note.ts";
import { CHECK_ORDER, type CheckId, verify, type VerifyOptions } from "./verify.ts";

export interface Vector {
  name: string;
  description: string;
  /** A bundle file beside the manifest. */
  file: string;
  /** The verifier key to trust; empty when trust_bundle_key is true. */
  key: string;
  /** A receipt to check (P1), when present. */
  receipt?: string;
  /** Files beside the manifest, each a signed checkpoint to give as pinned (K4), in order. */
  checkpoints?: string[];
  /** Witness keys to give the verifier (K5), when present. */
  witnesses?: string[];
  /** How many of `witnesses` must have cosigned; absent: all of them. */
  witness_threshold?: number;
  /** Trust the bundle's own key (§11); present only as true. */
  trust_bundle_key?: true;
  /** "ok" or the check that must fail first. */
  expect: "ok" | CheckId;
  /** The bundle fails no other check: with `expect` turned off, it verifies. Present only as true. */
  only?: true;
}

export interface Manifest {
  spec: "miasta-audit/2";
  test_verifier_key: string;
  test_signer_key: string;
  /** The vectors' witness keys (K5), each with its private half. */
  test_witnesses: { signer_key: string; verifier_key: string }[];
  vectors: Vector[];
}

const MANIFEST_MEMBERS = ["spec", "test_signer_key", "test_verifier_key", "test_witnesses", "vectors"];
const VECTOR_REQUIRED = ["name", "description", "file", "key", "expect"];
const VECTOR_OPTIONAL = ["receipt", "trust_bundle_key", "checkpoints", "witnesses", "witness_threshold", "only"];

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a manifest against §13 (empty when nothing). */
export function manifestProblems(m: unknown): string[] {
  const out: string[] = [];
  if (!isPlainObject(m)) return ["the manifest is not a JSON object"];
  for (const k of MANIFEST_MEMBERS) if (!(k in m)) out.push(`the manifest has no ${JSON.stringify(k)}`);
  for (const k of Object.keys(m)) if (!MANIFEST_MEMBERS.includes(k)) out.push(`the manifest has a member §13 does not list: ${JSON.stringify(k)}`);
  if ("spec" in m && m.spec !== "miasta-audit/2") out.push(`spec is ${JSON.stringify(m.spec)}, not "miasta-audit/2"`);
  if (typeof m.test_verifier_key === "string") {
    try {
      parseVerifierKey(m.test_verifier_key);
    } catch (e) {
      out.push(`test_verifier_key is not a well-formed verifier key: ${(e as Error).message}`);
    }
  } else if ("test_verifier_key" in m) out.push("test_verifier_key is not a string");
  if ("test_signer_key" in m && typeof m.test_signer_key !== "string") out.push("test_signer_key is not a string");
  if (!(Array.isArray(m.test_witnesses) && m.test_witnesses.every((w) => isPlainObject(w) && Object.keys(w).sort().join() === "signer_key,verifier_key" && typeof w.signer_key === "string" && typeof w.verifier_key === "string"))) {
    if ("test_witnesses" in m) out.push("test_witnesses is not an array of {signer_key, verifier_key} strings");
  } else {
    m.test_witnesses.forEach((w: { verifier_key: string }, i: number) => {
      try {
        parseWitnessKey(w.verifier_key);
      } catch (e) {
        out.push(`test_witnesses[${i}].verifier_key is not a well-formed witness key: ${(e as Error).message}`);
      }
    });
  }
  if (!Array.isArray(m.vectors)) {
    out.push("vectors is not an array");
    return out;
  }
  const names = new Set<string>();
  m.vectors.forEach((v: unknown, i: number) => {
    const at = `vectors[${i}]`;
    if (!isPlainObject(v)) {
      out.push(`${at} is not an object`);
      return;
    }
    const label = typeof v.name === "string" ? `${at} (${v.name})` : at;
    for (const k of VECTOR_REQUIRED) {
      if (!(k in v)) out.push(`${label} has no ${JSON.stringify(k)}`);
      else if (typeof v[k] !== "string") out.push(`${label}.${k} is not a string`);
    }
    for (const k of Object.keys(v)) {
      if (!VECTOR_REQUIRED.includes(k) && !VECTOR_OPTIONAL.includes(k)) out.push(`${label} has a member §13 does not list: ${JSON.stringify(k)}`);
    }
    if (typeof v.name === "string") {
      if (names.has(v.name)) out.push(`${label}: the name is used twice`);
      names.add(v.name);
    }
    if (typeof v.expect === "string" && v.expect !== "ok" && !(CHECK_ORDER as readonly string[]).includes(v.expect)) {
      out.push(`${label}.expect ${JSON.stringify(v.expect)} is neither "ok" nor a check of §11`);
    }
    if ("receipt" in v && typeof v.receipt !== "string") out.push(`${label}.receipt is not a string`);
    if ("checkpoints" in v && !(Array.isArray(v.checkpoints) && v.checkpoints.length > 0 && v.checkpoints.every((f) => typeof f === "string"))) {
      out.push(`${label}.checkpoints is not a non-empty array of file names`);
    }
    if ("witnesses" in v && !(Array.isArray(v.witnesses) && v.witnesses.length > 0 && v.witnesses.every((k) => typeof k === "string"))) {
      out.push(`${label}.witnesses is not a non-empty array of keys`);
    }
    if ("witness_threshold" in v && !(Number.isSafeInteger(v.witness_threshold) && (v.witness_threshold as number) >= 1)) {
      out.push(`${label}.witness_threshold is not an integer of at least 1`);
    }
    // "omitted when they do not apply": present only as true.
    if ("trust_bundle_key" in v && v.trust_bundle_key !== true) out.push(`${label}.trust_bundle_key is present but not true`);
    if ("only" in v && v.only !== true) out.push(`${label}.only is present but not true`);
    if (v.only === true && v.expect === "ok") out.push(`${label}: only for a vector that verifies`);
    if (v.trust_bundle_key === true && v.key !== "") out.push(`${label}: key must be empty when trust_bundle_key is true`);
    if (v.trust_bundle_key !== true && v.key === "") out.push(`${label}: an empty key without trust_bundle_key`);
  });
  return out;
}

export interface VectorOutcome {
  /** The verdict and, for `only`, the turned-off run agree with the manifest. */
  pass: boolean;
  /** "ok", a check id, or "error" (an exception: a bug in this verifier). */
  got: string;
  detail: string;
  /** For a vector with `only`: whether it verified with the expected check turned off. */
  only?: { pass: boolean; detail: string };
}

/** The verify options a vector calls for; `checkpoints` are the contents of its checkpoint files, in order. */
export function vectorOptions(v: Vector, checkpoints: string[] = []): VerifyOptions {
  const opts: VerifyOptions = v.trust_bundle_key ? { trustEmbeddedKey: true, receipt: v.receipt } : { key: v.key, receipt: v.receipt };
  if (checkpoints.length > 0) opts.checkpoints = checkpoints;
  if (v.witnesses !== undefined) opts.witnesses = v.witnesses;
  if (v.witness_threshold !== undefined) opts.witnessThreshold = v.witness_threshold;
  return opts;
}

/** Runs one vector over its bundle's bytes and the contents of its checkpoint files (in the manifest's order). */
export async function runVector(v: Vector, bundle: Uint8Array, checkpoints: string[] = []): Promise<VectorOutcome> {
  if ((v.checkpoints?.length ?? 0) !== checkpoints.length) {
    throw new Error(`vector ${v.name} names ${v.checkpoints?.length ?? 0} checkpoint files, ${checkpoints.length} given`);
  }
  const opts = vectorOptions(v, checkpoints);
  let got: string;
  let detail = "";
  try {
    const r = await verify(bundle, opts);
    got = r.ok ? "ok" : r.check;
    if (!r.ok) detail = r.message;
  } catch (e) {
    got = "error";
    detail = (e as Error).message;
  }
  const outcome: VectorOutcome = { pass: got === v.expect, got, detail };
  if (v.only === true && v.expect !== "ok") {
    try {
      const r = await verify(bundle, { ...opts, turnOff: v.expect });
      if (!r.ok) outcome.only = { pass: false, detail: `with ${v.expect} turned off, ${r.check} fails: ${r.message}` };
      else if (r.summary.turned_off!.failures.length === 0) outcome.only = { pass: false, detail: `with ${v.expect} turned off it verifies, but ${v.expect} found nothing` };
      else outcome.only = { pass: true, detail: `verifies with ${v.expect} turned off` };
    } catch (e) {
      outcome.only = { pass: false, detail: `with ${v.expect} turned off: error ${(e as Error).message}` };
    }
    if (!outcome.only.pass) outcome.pass = false;
  }
  return outcome;
}
