import { describe, expect, test } from "vitest";
import { fromHex, toHex } from "../src/bytes.ts";
import { inclusionProof, leafHash, nodeHash, rootFromLeafHashes, verifyInclusion } from "../src/merkle.ts";
import { mth, sha } from "./helpers.ts";
import { canonicalBytes, type JsonObject } from "../src/canonical.ts";
import { leafHashOf, leafOf } from "../src/verify.ts";

// The eight leaves of the Certificate Transparency reference test data
// (RFC 6962 §2.1 trees of sizes 1–8), with the roots of each prefix.
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const leafHashes = LEAVES.map((h) => leafHash(fromHex(h)));

describe("RFC 6962 tree", () => {
  test("empty tree is SHA-256 of nothing", () => {
    expect(toHex(rootFromLeafHashes([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("leaf hash is SHA-256(0x00 || leaf)", () => {
    expect(toHex(leafHashes[0])).toBe(sha(Buffer.from([0])).toString("hex"));
  });

  test("roots of the reference trees of sizes 1..8", () => {
    for (let n = 1; n <= 8; n++) expect(toHex(rootFromLeafHashes(leafHashes, n))).toBe(ROOTS[n - 1]);
  });

  test("hand-derived small trees", () => {
    const [a, b, c] = leafHashes;
    expect(rootFromLeafHashes(leafHashes, 2)).toEqual(nodeHash(a, b));
    // n = 3: k = 2, so the root is node(node(a, b), c) — not node(a, node(b, c)).
    expect(rootFromLeafHashes(leafHashes, 3)).toEqual(nodeHash(nodeHash(a, b), c));
    const [, , , d, e] = leafHashes;
    // n = 5: k = 4.
    expect(rootFromLeafHashes(leafHashes, 5)).toEqual(nodeHash(nodeHash(nodeHash(a, b), nodeHash(c, d)), e));
  });

  test("agrees with an independent implementation up to 70 leaves", () => {
    const raw = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
    const hashes = raw.map((r) => leafHash(new Uint8Array(r)));
    for (let n = 0; n <= 70; n++) expect(toHex(rootFromLeafHashes(hashes, n))).toBe(mth(raw.slice(0, n)).toString("hex"));
  });

  test("inclusion proofs verify for every leaf of every size up to 33, and fail when tampered", () => {
    const raw = Array.from({ length: 33 }, (_, i) => new Uint8Array(Buffer.from(`x${i}`)));
    const hashes = raw.map(leafHash);
    for (let n = 1; n <= 33; n++) {
      const root = rootFromLeafHashes(hashes, n);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(hashes, m, n);
        expect(verifyInclusion(hashes[m], m, n, proof, root)).toBe(true);
        // wrong leaf, wrong index, truncated or extended proof, wrong root
        if (n > 1) {
          expect(verifyInclusion(hashes[(m + 1) % n], m, n, proof, root)).toBe(false);
          expect(verifyInclusion(hashes[m], (m + 1) % n, n, proof, root)).toBe(false);
          expect(verifyInclusion(hashes[m], m, n, proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(hashes[m], m, n, [...proof, hashes[0]], root)).toBe(false);
        // (The same path can be valid for another size with the same root — size and root come
        // together from the checkpoint — so a different root is what must fail.)
        if (n < 33) expect(verifyInclusion(hashes[m], m, n, proof, rootFromLeafHashes(hashes, n + 1))).toBe(false);
      }
    }
  });

  test("the proof of leaf 2 in a tree of 3 is [node(a, b)]", () => {
    const p = inclusionProof(leafHashes, 2, 3);
    expect(p).toEqual([nodeHash(leafHashes[0], leafHashes[1])]);
  });
});

describe("leafHashOf (K3's leaf hashes)", () => {
  test("is leafHash(leafOf(entry)), with or without the entry's canonical bytes", () => {
    const entries: JsonObject[] = [
      { edition_id: "0000006e-0000-4000-8000-000000000001", id: 1, kind: "x", payload: { a: "żółw 😀" } },
      { edition_id: null, id: 2, kind: "log.key_rotated", payload: {} },
      { edition_id: "ą-edycja", id: 3, kind: "x", payload: [] as never },
      { edition_id: 7, id: 4 } as never,
      { digest: "ab".repeat(32), edition_id: "0000006e-0000-4000-8000-000000000002" },
      { digest: "cd".repeat(32), edition_id: null },
    ];
    const cache = new Map<string, Uint8Array>();
    for (let round = 0; round < 2; round++) {
      for (const e of entries) {
        const want = toHex(leafHash(leafOf(e)));
        expect(toHex(leafHashOf(e, undefined, cache))).toBe(want);
        expect(toHex(leafHashOf(e, canonicalBytes(e), cache))).toBe(want);
      }
    }
  });
});
