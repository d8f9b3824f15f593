// SHA-256 of several parts, as if concatenated, without concatenating them: a leaf or node hash is
// the hash of a prefix byte and its parts (§4.2). The hashing is @noble/hashes', a maintained and
// audited implementation that runs the same, synchronously, in Node.js and in browsers (WebCrypto's
// digest is asynchronous, and slower for the many small messages of a log).
import { sha256 } from "@noble/hashes/sha2.js";

export function sha256Of(...parts: Uint8Array[]): Uint8Array {
  const h = sha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}
