// SHA-256 (FIPS 180-4), synchronous and in plain JavaScript so that it runs the
// same in Node.js and in browsers (WebCrypto's digest is asynchronous, and much
// slower for the many small messages of a log: one per entry, leaf and node).
// It allocates only its output; the tests compare it with @noble/hashes and the
// FIPS examples.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const W = new Int32Array(64); // the message schedule, reused
const H = new Int32Array(8); // the state, reused
const TAIL = new Uint8Array(128); // the last one or two blocks, with the padding

/** Runs the compression function over `n` 64-byte blocks of m from `off` on, updating H. */
function blocks(m: Uint8Array, off: number, n: number): void {
  let h0 = H[0], h1 = H[1], h2 = H[2], h3 = H[3], h4 = H[4], h5 = H[5], h6 = H[6], h7 = H[7];
  for (let blk = 0; blk < n; blk++, off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + 4 * i;
      W[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15];
      const y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + S0 + maj) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4; H[5] = h5; H[6] = h6; H[7] = h7;
}

/** The SHA-256 of the concatenation of the parts (one part: of the data). */
export function sha256Of(...parts: Uint8Array[]): Uint8Array {
  H.set(IV);
  let len = 0;
  let fill = 0; // bytes waiting in TAIL
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    const pl = p.length;
    len += pl;
    let off = 0;
    if (fill > 0) {
      while (off < pl && fill < 64) TAIL[fill++] = p[off++];
      if (fill < 64) continue; // p is used up
      blocks(TAIL, 0, 1);
      fill = 0;
    }
    const n = (pl - off) >>> 6;
    if (n > 0) {
      blocks(p, off, n);
      off += n * 64;
    }
    while (off < pl) TAIL[fill++] = p[off++]; // fewer than 64 bytes
  }
  // Padding: 0x80, zeros, and the length in bits as a 64-bit big-endian integer.
  TAIL.fill(0, fill);
  TAIL[fill] = 0x80;
  const end = fill < 56 ? 64 : 128;
  const hi = Math.floor(len / 0x20000000); // len * 8 / 2^32
  const lo = (len * 8) >>> 0;
  TAIL[end - 8] = hi >>> 24;
  TAIL[end - 7] = hi >>> 16;
  TAIL[end - 6] = hi >>> 8;
  TAIL[end - 5] = hi;
  TAIL[end - 4] = lo >>> 24;
  TAIL[end - 3] = lo >>> 16;
  TAIL[end - 2] = lo >>> 8;
  TAIL[end - 1] = lo;
  blocks(TAIL, 0, end / 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = v >>> 16;
    out[4 * i + 2] = v >>> 8;
    out[4 * i + 3] = v;
  }
  return out;
}
