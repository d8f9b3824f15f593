// The CLI, built with esbuild as `npm run build` does, run as a child process.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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
  receipt = (s.b.log.filter((e) => e.kind === "ballot.cast").at(-1)!.payload as Record<string, string>).ballot_sha256;
  writeFileSync(
    join(tmp, "manifest.json"),
    JSON.stringify({
      test_signer_key: key,
      vectors: [
        { name: "good", file: "good.json", key, expect: "ok" },
        { name: "good-receipt", file: "good.json", key, receipt, expect: "ok" },
        { name: "bad-rule", file: "bad.json", key, expect: "R1" },
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
  test("-vectors runs a manifest", () => {
    const r = run("-vectors", tmp);
    expect(r.stdout).toMatch(/PASS good: ok/);
    expect(r.stdout).toMatch(/PASS bad-rule: R1/);
    expect(r.stdout).toMatch(/3 passed, 0 failed/);
    expect(r.status).toBe(0);
  });
  test("-vectors exits non-zero on a disagreement", () => {
    const dir = mkdtempSync(join(tmpdir(), "miasta-vectors-"));
    writeFileSync(join(dir, "good.json"), "{}");
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ vectors: [{ name: "x", file: "good.json", key, expect: "ok" }] }));
    const r = run("-vectors", dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL x: expected ok, got S2/);
  });
});
