// Runs the committed test vectors of spec §13 (../spec/vectors/manifest.json)
// when they exist. This is the one allowed skip: the vectors may not be
// published yet.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { verify } from "../src/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.MIASTA_VECTORS ?? resolve(here, "../../spec/vectors");
const manifestPath = join(dir, "manifest.json");
const present = existsSync(manifestPath);

interface Vector {
  name: string;
  file: string;
  key: string;
  receipt?: string;
  /** Not in spec §13, but used by the published manifest: trust the bundle's own key. */
  trust_bundle_key?: boolean;
  expect: string;
}

if (!present) {
  describe("spec test vectors", () => {
    test.skip(`SKIPPED: no ${manifestPath} yet (spec §13 vectors not published)`, () => {});
  });
} else {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { vectors: Vector[]; test_signer_key?: string };
  describe(`spec test vectors (${manifestPath})`, () => {
    test("the manifest lists vectors", () => {
      expect(Array.isArray(manifest.vectors)).toBe(true);
      expect(manifest.vectors.length).toBeGreaterThan(0);
    });
    test.each(manifest.vectors.map((v) => [v.name, v] as const))("%s", async (_name, v) => {
      const r = await verify(new Uint8Array(readFileSync(join(dir, v.file))), v.trust_bundle_key ? { trustEmbeddedKey: true, receipt: v.receipt } : { key: v.key, receipt: v.receipt });
      const got = r.ok ? "ok" : `${r.check}`;
      expect(got, r.ok ? "verified" : `${r.check}: ${r.message}`).toBe(v.expect);
    });
  });
}
