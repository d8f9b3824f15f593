// The CLI, built with esbuild as `npm run build` does, run as a child process.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { beforeAll, describe, expect, test } from "vitest";
import { clone, makeSigner, seal } from "./helpers.ts";
import { fullScenario } from "./scenario.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "miasta-verify-"));
const cli = join(tmp, "miasta-verify.mjs");
let key = "";
let receipt = "";

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

beforeAll(async () => {
  await build({
    entryPoints: [join(root, "src/cli.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: cli,
    logLevel: "silent",
  });
  const s = fullScenario("names");
  const signer = await makeSigner();
  key = signer.verifierKey;
  const b = s.b.bundle(signer);
  writeFileSync(join(tmp, "good.json"), await seal(b, signer));
  const bad = clone(b);
  (bad.rule as Record<string, unknown>).quorum = 2;
  writeFileSync(join(tmp, "bad.json"), await seal(bad, signer));
  const year = clone(b);
  year.year = 2024; // E1 and nothing else
  writeFileSync(join(tmp, "year.json"), await seal(year, signer));
  receipt = (s.b.log.filter((e) => e.kind === "ballot.cast").at(-1)!.payload as Record<string, string>).ballot_sha256;
  writeFileSync(
    join(tmp, "manifest.json"),
    JSON.stringify({
      spec: "miasta-audit/2",
      test_signer_key: "PRIVATE+KEY+not-used-here",
      test_verifier_key: key,
      test_witnesses: [],
      vectors: [
        { name: "good", description: "the whole edition", file: "good.json", key, expect: "ok" },
        { name: "good-receipt", description: "a receipt", file: "good.json", key, receipt, expect: "ok" },
        { name: "good-trusted", description: "the bundle's own key", file: "good.json", key: "", trust_bundle_key: true, expect: "ok" },
        { name: "bad-rule", description: "the rule's quorum changed", file: "bad.json", key, expect: "R1" },
        { name: "year", description: "the bundle's year changed", file: "year.json", key, expect: "E1", only: true },
      ],
    }),
  );
});

describe("miasta-verify CLI", () => {
  test("verified: exit 0 and a summary", () => {
    const r = run("-key", key, join(tmp, "good.json"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^OK verified/);
    expect(r.stdout).toMatch(/final stage: ANNOUNCED/);
    expect(r.stdout).toMatch(/move back: TALLIED → JURY/);
    expect(r.stdout).toMatch(/jury decision: /);
  });
  test("a receipt", () => {
    const r = run("-key", key, "-receipt", receipt, join(tmp, "good.json"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/counted at the last close/);
  });
  test("trusting the bundle key warns", () => {
    const r = run("-trust-bundle-key", join(tmp, "good.json"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/not obtained independently/);
  });
  test("a failing check: exit 1 and FAIL <id>", () => {
    const r = run("-key", key, join(tmp, "bad.json"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL R1: /);
  });
  test("json output", () => {
    const r = run("-key=" + key, "-json", join(tmp, "bad.json"));
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, check: "R1" });
  });
  test("usage errors: exit 2", () => {
    expect(run().status).toBe(2);
    expect(run(join(tmp, "good.json")).status).toBe(2); // no key
    expect(run("-key", key, "-trust-bundle-key", join(tmp, "good.json")).status).toBe(2);
    expect(run("-bogus", join(tmp, "good.json")).status).toBe(2);
    expect(run("-key", key, join(tmp, "missing.json")).status).toBe(2);
    expect(run("-key").status).toBe(2);
  });
  test("-checkpoint: pinned checkpoints and key rotations (the committed vectors)", () => {
    const vectors = resolve(root, "../spec/vectors");
    const manifest = JSON.parse(readFileSync(join(vectors, "manifest.json"), "utf8")) as { vectors: { name: string; file: string; key: string; checkpoints?: string[] }[] };
    const byName = (n: string) => manifest.vectors.find((v) => v.name === n)!;
    const pinArgs = (v: { checkpoints?: string[] }) => (v.checkpoints ?? []).flatMap((f) => ["-checkpoint", join(vectors, f)]);
    const rotated = byName("valid-key-rotated");
    let r = run("-key", rotated.key, ...pinArgs(rotated), join(vectors, rotated.file));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/key rotation: at log\[\d+\] .*signed by the key before it, to miasta-otwarte\/audit-log\+/);
    expect(r.stdout.match(/pinned checkpoint: the log extends the checkpoint of size \d+/g)).toHaveLength(rotated.checkpoints!.length);
    const rewritten = byName("k4-rewritten-after-pin");
    r = run("-key", rewritten.key, ...pinArgs(rewritten), join(vectors, rewritten.file));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL K4: .*rewritten after that checkpoint/);
    // Without the pin, the rewrite (signed with the real key) verifies: that is what pinning is for.
    expect(run("-key", rewritten.key, join(vectors, rewritten.file)).status).toBe(0);
    expect(run("-key", rewritten.key, "-checkpoint", join(tmp, "missing.txt"), join(vectors, rewritten.file)).status).toBe(2);
  });
  test("-witness and -witnesses: witnesses' cosignatures (the committed vectors of K5)", () => {
    const vectors = resolve(root, "../spec/vectors");
    const manifest = JSON.parse(readFileSync(join(vectors, "manifest.json"), "utf8")) as {
      test_verifier_key: string;
      test_witnesses: { verifier_key: string }[];
    };
    const key = manifest.test_verifier_key;
    const [w1, w2] = manifest.test_witnesses.map((w) => w.verifier_key);
    const file = (n: string) => join(vectors, `${n}.json`);
    let r = run("-key", key, "-witness", w1, "-witness", w2, "-witnesses", "1", file("valid-witnesses-1-cosigned-1-required"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("witnesses: the checkpoint is cosigned by 1 of the 2 witnesses given (1 required)");
    expect(r.stdout).toContain(`  cosigned at 2026-01-20T12:00:00Z (1768910400) by ${w1}`);
    expect(r.stdout).toContain(`  not cosigned by ${w2}`);
    r = run("-key", key, "-witness", w1, "-witness", w2, file("valid-witnesses-1-cosigned-1-required"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL K5: .*fewer than the 2 required/);
    r = run("-key", key, "-witness", w1, "-witness", w2, "-witnesses", "1", file("k5-cosignature-byte-flipped"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL K5: the cosignature of the witness witness-2\.example\.org\/miasta-test\+.* does not verify/);
    r = run("-key", key, "-witness", w1, "-witness", w2, "-json", file("valid-witnesses-2-of-2"));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({
      witness_threshold: 2,
      witnesses: [
        { key: w1, cosigned: true, timestamp: "1768910400", time: "2026-01-20T12:00:00Z" },
        { key: w2, cosigned: true, timestamp: "1768910401", time: "2026-01-20T12:00:01Z" },
      ],
    });
    expect(run("-key", key, "-witness", w1, "-witnesses", "2", file("valid-witnesses-2-of-2")).status).toBe(2);
    expect(run("-key", key, "-witness", w1, "-witnesses", "0", file("valid-witnesses-2-of-2")).status).toBe(2);
    expect(run("-key", key, "-witnesses", "1", file("valid-witnesses-2-of-2")).status).toBe(2);
  });
  test("-vectors runs a manifest", () => {
    const r = run("-vectors", tmp);
    expect(r.stdout).toMatch(/PASS good: ok/);
    expect(r.stdout).toMatch(/PASS bad-rule: R1/);
    expect(r.stdout).toMatch(/PASS year: E1 \(.*\); only: verifies with E1 turned off/);
    expect(r.stdout).toMatch(/5 passed, 0 failed\n/);
    expect(r.status).toBe(0);
  });
  test("-vectors fails a vector whose only claim does not hold, and a manifest not shaped as §13 says", () => {
    const dir = mkdtempSync(join(tmpdir(), "miasta-vectors-"));
    writeFileSync(join(dir, "bad.json"), readFileSync(join(tmp, "bad.json")));
    const v = { name: "bad-rule", description: "the quorum changed: T1 fails too", file: "bad.json", key, expect: "R1", only: true };
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ spec: "miasta-audit/2", test_signer_key: "x", test_verifier_key: key, vectors: [v] }));
    let r = run("-vectors", dir);
    expect(r.stdout).toMatch(/FAIL bad-rule: R1 \(.*\); only: with R1 turned off, T\d fails/);
    expect(r.status).toBe(1);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ vectors: [{ ...v, only: false }] }));
    r = run("-vectors", dir);
    expect(r.stdout).toMatch(/FAIL manifest: the manifest has no "spec"/);
    expect(r.stdout).toMatch(/FAIL manifest: vectors\[0\] \(bad-rule\)\.only is present but not true/);
    expect(r.stdout).toMatch(/1 passed, 0 failed; the manifest has \d+ problem/);
    expect(r.status).toBe(1);
  });
  test("-vectors exits non-zero on a disagreement", () => {
    const dir = mkdtempSync(join(tmpdir(), "miasta-vectors-"));
    writeFileSync(join(dir, "good.json"), "{}");
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ spec: "miasta-audit/2", test_signer_key: "x", test_verifier_key: key, vectors: [{ name: "x", description: "", file: "good.json", key, expect: "ok" }] }),
    );
    const r = run("-vectors", dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL x: expected ok, got S2/);
  });
});
