// Runs the committed test vectors of spec §13 (../spec/vectors/manifest.json)
// when they exist: the manifest's members, every vector's verdict, and for
// every vector with `only`, that it verifies with the expected check turned
// off. This is the one allowed skip: the vectors may not be published yet.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type CheckId, checkCosignature, checkSignature, cosignatureMessage, type Manifest, manifestProblems, parseSignedNote, parseVerifierKey, parseWitnessKey, runVector, vectorOptions, verify } from "../src/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.MIASTA_VECTORS ?? resolve(here, "../../spec/vectors");
const manifestPath = join(dir, "manifest.json");
const present = existsSync(manifestPath);

if (!present) {
  describe("spec test vectors", () => {
    test.skip(`SKIPPED: no ${manifestPath} yet (spec §13 vectors not published)`, () => {});
  });
} else {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const bytes = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
  const pins = (v: (typeof manifest.vectors)[number]) => (v.checkpoints ?? []).map((f) => readFileSync(join(dir, f), "utf8"));

  describe(`spec test vectors (${manifestPath})`, () => {
    test("the manifest has exactly the members of §13", () => {
      expect(manifestProblems(manifest)).toEqual([]);
      expect(manifest.vectors.length).toBeGreaterThan(0);
    });

    test("test_signer_key is the private half of test_verifier_key", async () => {
      // PRIVATE+KEY+<name>+<key hash>+<base64 of 0x01 || 32-byte Ed25519 seed>
      const m = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(manifest.test_signer_key);
      expect(m, manifest.test_signer_key).not.toBeNull();
      const vk = parseVerifierKey(manifest.test_verifier_key);
      expect(m![1]).toBe(vk.name);
      expect(m![2]).toBe(vk.keyHashHex);
      const seed = Buffer.from(m![3], "base64");
      expect(seed.length).toBe(33);
      expect(seed[0]).toBe(1);
      const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed.subarray(1)]);
      const priv = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", priv);
      expect(Buffer.from(jwk.x!, "base64url")).toEqual(Buffer.from(vk.publicKey));
      // A checkpoint signed with it is signed by the test verifier key (§4.3).
      const text = `${vk.name}\n0\n${Buffer.alloc(32).toString("base64")}\n`;
      const sig = Buffer.from(await crypto.subtle.sign({ name: "Ed25519" }, priv, Buffer.from(text)));
      const note = `${text}\n\u2014 ${vk.name} ${Buffer.concat([Buffer.from(vk.keyHashHex, "hex"), sig]).toString("base64")}\n`;
      expect(await checkSignature(parseSignedNote(note), vk)).toBe("signed");
    });

    test("each of test_witnesses' signer keys is the private half of its verifier key, a cosignature/v1 key", async () => {
      expect(manifest.test_witnesses.length).toBeGreaterThan(0);
      for (const w of manifest.test_witnesses) {
        // PRIVATE+KEY+<name>+<key hash>+<base64 of 0x04 || 32-byte Ed25519 seed>
        const m = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(w.signer_key);
        expect(m, w.signer_key).not.toBeNull();
        const vk = parseWitnessKey(w.verifier_key);
        expect(m![1]).toBe(vk.name);
        expect(m![2]).toBe(vk.keyHashHex);
        const seed = Buffer.from(m![3], "base64");
        expect(seed.length).toBe(33);
        expect(seed[0]).toBe(4);
        const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed.subarray(1)]);
        const priv = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
        const jwk = await crypto.subtle.exportKey("jwk", priv);
        expect(Buffer.from(jwk.x!, "base64url")).toEqual(Buffer.from(vk.publicKey));
        // A cosignature made with it is the witness's (§4.3).
        const text = `miasta-otwarte/audit-log\n0\n${Buffer.alloc(32).toString("base64")}\n`;
        const ts = 1768910400n;
        const sig = Buffer.from(await crypto.subtle.sign({ name: "Ed25519" }, priv, cosignatureMessage(text, ts) as BufferSource));
        const time = Buffer.alloc(8);
        time.writeBigUInt64BE(ts);
        const note = `${text}\n\u2014 ${vk.name} ${Buffer.concat([Buffer.from(vk.keyHashHex, "hex"), time, sig]).toString("base64")}\n`;
        expect(await checkCosignature(parseSignedNote(note), vk)).toEqual({ timestamp: ts });
        time.writeBigUInt64BE(ts + 1n);
        const moved = `${text}\n\u2014 ${vk.name} ${Buffer.concat([Buffer.from(vk.keyHashHex, "hex"), time, sig]).toString("base64")}\n`;
        expect(await checkCosignature(parseSignedNote(moved), vk)).toBe("bad");
      }
    });

    test.each(manifest.vectors.map((v) => [v.name, v] as const))("%s", async (_name, v) => {
      const o = await runVector(v, bytes(v.file), pins(v));
      expect(o.got, o.detail || "verified").toBe(v.expect);
    });
  });

  const only = manifest.vectors.filter((v) => v.only === true);
  describe(`§13 only: with the expected check turned off, the bundle verifies (${only.length} vectors)`, () => {
    test("some vectors say only", () => expect(only.length).toBeGreaterThan(0));
    test.each(only.map((v) => [v.name, v.expect as CheckId, v] as const))("%s (%s turned off)", async (_name, check, v) => {
      const r = await verify(bytes(v.file), { ...vectorOptions(v, pins(v)), turnOff: check });
      if (!r.ok) throw new Error(`with ${check} turned off, ${r.check} fails: ${r.message}`);
      expect(r.summary.turned_off!.check).toBe(check);
      expect(r.summary.turned_off!.failures.length, `${check} found nothing to refuse`).toBeGreaterThan(0);
      expect((await runVector(v, bytes(v.file), pins(v))).only).toMatchObject({ pass: true });
    });
  });
}
