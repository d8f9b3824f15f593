// The check behind each entry of the audit timeline: the event's body is the leaf the log holds, and
// the leaf is in the tree of the latest checkpoint signed with the log's key in force. It uses the
// independent TypeScript verifier's own Merkle and signed-note code (verifier/), not the server's word.
import {
  leafHash,
  leafOf,
  parseCanonicalBytes,
  parseCheckpoint,
  parseSignedNote,
  parseVerifierKey,
  signedBy,
  utf8,
  verifyInclusion,
  type JsonObject,
} from "../../../verifier/src/index.ts";

export interface InclusionInputs {
  body: string; // the event's canonical body
  leafIndex: number;
  checkpoint: string; // the signed note
  signingKey: string; // the key in force (GetPublicKey.signing_key)
  proof: { leafHash: Uint8Array; hashes: Uint8Array[] };
}

export type InclusionResult = { ok: true; size: number } | { ok: false; reason: "signature" | "leaf" | "proof" | "malformed" };

/** checkInclusion checks one timeline entry against a signed checkpoint (spec §4). */
export async function checkInclusion(x: InclusionInputs): Promise<InclusionResult> {
  let size: number, root: Uint8Array, leaf: Uint8Array;
  try {
    const note = parseSignedNote(x.checkpoint);
    if (!(await signedBy(note, parseVerifierKey(x.signingKey)))) return { ok: false, reason: "signature" };
    ({ size, root } = parseCheckpoint(note.text));
    const bytes = utf8(x.body);
    leaf = leafHash(leafOf(parseCanonicalBytes(bytes).value as JsonObject, bytes));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!equal(leaf, x.proof.leafHash)) return { ok: false, reason: "leaf" };
  if (!verifyInclusion(leaf, x.leafIndex, size, x.proof.hashes, root)) return { ok: false, reason: "proof" };
  return { ok: true, size };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
