// Hashes and encodings (spec §3.1, §4.3). No Node-only APIs.

import { sha256Of } from "./sha256.ts";

export function sha256(data: Uint8Array): Uint8Array {
  return sha256Of(data);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX = "0123456789abcdef";

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error("not lowercase hex");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The hash string (§3.1) of some bytes: "sha256:" + 64 lowercase hex digits. */
export function hashString(data: Uint8Array): string {
  return "sha256:" + toHex(sha256(data));
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX: Record<string, number> = Object.fromEntries([...B64].map((c, i) => [c, i]));

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    s += i + 1 < b.length ? B64[(n >> 6) & 63] : "=";
    s += i + 2 < b.length ? B64[n & 63] : "=";
  }
  return s;
}

/**
 * Decodes standard padded base64 strictly: only the alphabet, correct padding,
 * and canonical (re-encoding gives the same text, so unused bits are zero).
 * Returns null when the text is not such base64.
 */
export function fromBase64Strict(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*(={0,2})$/.test(s)) return null;
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const n = (s.length / 4) * 3 - pad;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const a = B64_INDEX[s[i]];
    const b = B64_INDEX[s[i + 1]];
    const c = s[i + 2] === "=" ? 0 : B64_INDEX[s[i + 2]];
    const d = s[i + 3] === "=" ? 0 : B64_INDEX[s[i + 3]];
    if (a === undefined || b === undefined || c === undefined || d === undefined) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < n) out[o++] = (v >> 16) & 255;
    if (o < n) out[o++] = (v >> 8) & 255;
    if (o < n) out[o++] = v & 255;
  }
  if (toBase64(out) !== s) return null;
  return out;
}
