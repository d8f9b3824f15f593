// The RFC 6962 §2.1 Merkle tree (spec §4.2), inclusion proofs (RFC 6962
// §2.1.1) and their verification (RFC 9162 §2.1.3.2).

import { equalBytes, sha256 } from "./bytes.ts";
import { sha256Of } from "./sha256.ts";

const ZERO = new Uint8Array([0]);
const ONE = new Uint8Array([1]);

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256Of(ZERO, leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Of(ONE, left, right);
}

/** Largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
function mth(hashes: Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return hashes[lo];
  const k = split(n);
  return nodeHash(mth(hashes, lo, lo + k), mth(hashes, lo + k, hi));
}

/** The root hash of the tree over the given leaf hashes (the first `size` of them, default all). */
export function rootFromLeafHashes(hashes: Uint8Array[], size = hashes.length): Uint8Array {
  if (size > hashes.length) throw new Error("size larger than the number of leaves");
  return mth(hashes, 0, size);
}

/** PATH(m, D[lo:hi]) of RFC 6962 §2.1.1, leaf-to-root order. */
function path(hashes: Uint8Array[], m: number, lo: number, hi: number): Uint8Array[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = split(n);
  if (m < k) return [...path(hashes, m, lo, lo + k), mth(hashes, lo + k, hi)];
  return [...path(hashes, m - k, lo + k, hi), mth(hashes, lo, lo + k)];
}

/** The inclusion proof of leaf `index` in the tree of the first `size` leaf hashes. */
export function inclusionProof(hashes: Uint8Array[], index: number, size = hashes.length): Uint8Array[] {
  if (!(index >= 0 && index < size && size <= hashes.length)) throw new Error("index out of range");
  return path(hashes, index, 0, size);
}

/** RFC 9162 §2.1.3.2: verifies an inclusion proof. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index >= size || index < 0) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}
