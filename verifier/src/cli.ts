// miasta-verify: the command-line verifier.
//
//   node dist/miasta-verify.mjs [-key KEY | -trust-bundle-key] [-checkpoint FILE]... [-witness VKEY]... [-witnesses K] [-receipt HASH] [-json] BUNDLE.json
//   node dist/miasta-verify.mjs -vectors DIR
//
// Exit status: 0 verified (or every vector agrees), 1 a check failed (or a
// vector disagrees), 2 usage error, 3 internal error (a bug in this verifier).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Manifest, manifestProblems, runVector } from "./manifest.ts";
import { type Result, UsageError, verify } from "./verify.ts";

const USAGE = `usage:
  miasta-verify [-key KEY | -trust-bundle-key] [-checkpoint FILE]... [-witness VKEY]... [-witnesses K]
                [-receipt HASH] [-json] BUNDLE.json
  miasta-verify -vectors DIR

  -key KEY            the platform's note verifier key, obtained independently
  -trust-bundle-key   trust the key embedded in the bundle instead (the result says so)
  -checkpoint FILE    a signed checkpoint saved earlier (the ceremony's, the results page's);
                      the bundle's log must extend it — check K4 (repeatable)
  -witness VKEY       a witness's verifier key (Ed25519 cosignature/v1), obtained independently;
                      the checkpoint must carry its valid cosignature — check K5 (repeatable)
  -witnesses K        how many of the -witness keys must have cosigned (default: all of them)
  -receipt HASH       also look up this receipt (a ballot's sha256: hash) — check P1
  -json               print the result as JSON
  -vectors DIR        run the test vectors of DIR/manifest.json (spec §13)`;

class Usage extends Error {}

interface Args {
  key?: string;
  trust: boolean;
  receipt?: string;
  checkpoints: string[];
  witnesses: string[];
  witnessThreshold?: number;
  json: boolean;
  vectors?: string;
  files: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { trust: false, json: false, checkpoints: [], witnesses: [], files: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === "--") {
      a.files.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      a.files.push(arg);
      continue;
    }
    arg = arg.replace(/^--?/, "");
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = (): string => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new Usage(`flag -${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case "key":
        a.key = takeValue();
        break;
      case "receipt":
        a.receipt = takeValue();
        break;
      case "checkpoint":
        a.checkpoints.push(takeValue());
        break;
      case "witness":
        a.witnesses.push(takeValue());
        break;
      case "witnesses": {
        const k = takeValue();
        if (!/^[1-9][0-9]*$/.test(k)) throw new Usage(`-witnesses ${k}: give a number of at least 1`);
        a.witnessThreshold = Number(k);
        break;
      }
      case "vectors":
        a.vectors = takeValue();
        break;
      case "trust-bundle-key":
        if (value !== undefined && value !== "true") throw new Usage("-trust-bundle-key takes no value");
        a.trust = true;
        break;
      case "json":
        a.json = true;
        break;
      case "h":
      case "help":
        throw new Usage("");
      default:
        throw new Usage(`unknown flag -${arg}`);
    }
  }
  return a;
}

function readFile(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.length); // a view, not a copy
  } catch (e) {
    throw new Usage(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function decodeText(b: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    throw new Usage(`${path} is not UTF-8 text (a signed checkpoint is)`);
  }
}

function printResult(r: Result): void {
  if (!r.ok) {
    console.log(`FAIL ${r.check}: ${r.message}`);
    return;
  }
  const s = r.summary;
  const actor = (a: unknown) => (a === null ? "the platform" : `${(a as { role: string }).role} ${(a as { id: string }).id}`);
  console.log(`OK verified: edition ${s.edition_id}, year ${s.year}, publication ${s.publication}`);
  if (s.trusted_embedded_key) {
    console.log("WARNING: the key was taken from the bundle itself, not obtained independently;");
    console.log("         this result holds only for whoever published that key.");
  }
  console.log(`key: ${s.key}`);
  console.log(`checkpoint: size ${s.checkpoint_size}, root ${s.root_hash}`);
  for (const r of s.rotations) {
    console.log(`key rotation: at log[${r.leaf_index}] (${r.time}), signed by the key before it, to ${r.verifier_key}`);
  }
  for (const c of s.pinned_checkpoints) {
    console.log(`pinned checkpoint: the log extends the checkpoint of size ${c.size}, root ${c.root_hash}`);
  }
  if (s.witnesses.length > 0) {
    const n = s.witnesses.filter((w) => w.cosigned).length;
    console.log(`witnesses: the checkpoint is cosigned by ${n} of the ${s.witnesses.length} witnesses given (${s.witness_threshold} required)`);
    for (const w of s.witnesses) {
      if (w.cosigned) console.log(`  cosigned at ${w.time ?? `${w.timestamp} seconds after the Unix epoch`} (${w.timestamp}) by ${w.key}`);
      else console.log(`  not cosigned by ${w.key}`);
    }
  }
  console.log(`final stage: ${s.final_stage}`);
  console.log(`counted casts: ${s.counted_casts === null ? "none yet (no close in force)" : s.counted_casts}`);
  if (s.winners !== null) console.log(`winners: ${s.winners.length === 0 ? "(none)" : s.winners.join(", ")}`);
  for (const m of s.moves_back) {
    console.log(`move back: ${m.from} → ${m.to} at ${m.time} by ${actor(m.actor)} (log[${m.leaf_index}]): ${m.reason}`);
  }
  for (const m of s.overrides) {
    console.log(`override: ${m.from} → ${m.to} at ${m.time} by ${actor(m.actor)} (log[${m.leaf_index}]): ${m.reason}`);
  }
  for (const d of s.jury_decisions) {
    console.log(
      `jury decision: category ${d.category_id}: ${d.nomination_ids.join(" > ")} at ${d.time} (log[${d.leaf_index}]${d.in_force ? "" : ", no longer in force"}): ${d.reason}`,
    );
  }
  const juryText = (t: Record<string, string>) =>
    Object.keys(t)
      .sort((a, b) => (a === "pl" ? -1 : b === "pl" ? 1 : a < b ? -1 : a > b ? 1 : 0))
      .map((l) => `${l} ${JSON.stringify(t[l])}`)
      .join(", ");
  for (const j of s.justifications ?? []) {
    console.log(`the jury's justification of ${j.nomination_id}, as the announcement recorded it: ${juryText(j.text)}`);
  }
  if (s.recommendations) console.log(`the jury's recommendations, as the announcement recorded them: ${juryText(s.recommendations)}`);
  if (s.receipt) {
    const rc = s.receipt;
    console.log(`receipt: ${rc.receipt}`);
    console.log(`  ballot.cast at log[${rc.leaf_index}] (cast ${rc.cast_id}, juror ${rc.juror_id}, ${rc.time})`);
    console.log(`  included in the checkpoint's tree: inclusion proof of ${rc.inclusion_proof.length} hashes verified`);
    console.log(`  ${rc.status_text}`);
  }
}

async function runVectors(dir: string): Promise<number> {
  const manifestText = new TextDecoder().decode(readFile(join(dir, "manifest.json")));
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestText);
  } catch (e) {
    throw new Usage(`manifest.json is not JSON: ${(e as Error).message}`);
  }
  if (!manifest || !Array.isArray(manifest.vectors)) throw new Usage("manifest.json has no vectors array");
  let passed = 0;
  let failed = 0;
  const problems = manifestProblems(manifest);
  for (const p of problems) console.log(`FAIL manifest: ${p}`);
  for (const v of manifest.vectors) {
    const pins = (Array.isArray(v.checkpoints) ? v.checkpoints : []).map((f) => new TextDecoder().decode(readFile(join(dir, f))));
    const o = await runVector(v, readFile(join(dir, v.file)), pins);
    const verdict = o.got === v.expect ? `${o.got}${o.detail ? ` (${o.detail})` : ""}` : `expected ${v.expect}, got ${o.got}${o.detail ? ` (${o.detail})` : ""}`;
    const only = o.only ? `; only: ${o.only.detail}` : "";
    if (o.pass) passed++;
    else failed++;
    console.log(`${o.pass ? "PASS" : "FAIL"} ${v.name}: ${verdict}${only}`);
  }
  console.log(`${passed} passed, ${failed} failed${problems.length ? `; the manifest has ${problems.length} problem(s)` : ""}`);
  return failed === 0 && problems.length === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  try {
    const a = parseArgs(argv);
    if (a.vectors !== undefined) {
      if (a.files.length > 0 || a.key !== undefined || a.trust || a.receipt !== undefined || a.checkpoints.length > 0 || a.witnesses.length > 0 || a.witnessThreshold !== undefined) {
        throw new Usage("-vectors takes no other flags or files");
      }
      return await runVectors(a.vectors);
    }
    if (a.files.length !== 1) throw new Usage("give exactly one bundle file");
    if (a.key !== undefined && a.trust) throw new Usage("give either -key or -trust-bundle-key, not both");
    if (a.key === undefined && !a.trust) throw new Usage("a trusted key is required: -key KEY (or -trust-bundle-key)");
    if (a.witnessThreshold !== undefined && a.witnessThreshold > a.witnesses.length) {
      throw new Usage(`-witnesses ${a.witnessThreshold}: give a number from 1 to the ${a.witnesses.length} -witness keys given`);
    }
    const checkpoints = a.checkpoints.map((f) => decodeText(readFile(f), f));
    const r = await verify(readFile(a.files[0]), {
      key: a.key,
      trustEmbeddedKey: a.trust,
      receipt: a.receipt,
      checkpoints,
      witnesses: a.witnesses,
      witnessThreshold: a.witnessThreshold,
    });
    if (a.json) console.log(JSON.stringify(r, null, 2));
    else printResult(r);
    return r.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof Usage || e instanceof UsageError) {
      if (e.message) console.error(`miasta-verify: ${e.message}`);
      console.error(USAGE);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`miasta-verify: internal error: ${(e as Error).stack ?? e}`);
    process.exit(3);
  },
);
