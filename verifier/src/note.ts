// Signed notes, note verifier keys and checkpoints (spec §4.3; C2SP
// signed-note and tlog-checkpoint). Ed25519 verification uses WebCrypto
// (globalThis.crypto.subtle), available in browsers and in Node 20.

import { concat, equalBytes, fromBase64Strict, sha256, toHex } from "./bytes.ts";
import { utf8 } from "./canonical.ts";

export const LOG_NAME = "miasta-otwarte/audit-log";
const EM_DASH_SPACE = "\u2014 ";

export interface VerifierKey {
  name: string;
  keyHash: number; // 32-bit, big-endian first 4 bytes of SHA-256(name || LF || key data)
  keyHashHex: string;
  publicKey: Uint8Array; // 32 bytes
  text: string;
}

/** The key hash of a note key: first 4 bytes of SHA-256(UTF-8(name) || 0x0A || keyData), big-endian. */
export function keyHashOf(name: string, keyData: Uint8Array): Uint8Array {
  return sha256(concat(utf8(name), new Uint8Array([0x0a]), keyData)).slice(0, 4);
}

/** Parses `<name>+<8 lowercase hex>+<base64 of 0x01 || 32-byte Ed25519 key>`; throws with a reason. */
export function parseVerifierKey(text: string): VerifierKey {
  // The name has no "+" and the key hash is hex; the key data (base64) may contain "+".
  const a = text.indexOf("+");
  const b = a < 0 ? -1 : text.indexOf("+", a + 1);
  if (a < 0 || b < 0) throw new Error("a verifier key has the form <name>+<key hash>+<key data>");
  const name = text.slice(0, a);
  const hashHex = text.slice(a + 1, b);
  const data = text.slice(b + 1);
  if (name !== LOG_NAME) throw new Error(`key name is ${JSON.stringify(name)}, not ${JSON.stringify(LOG_NAME)}`);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new Error("key hash is not 8 lowercase hexadecimal digits");
  const keyData = fromBase64Strict(data);
  if (keyData === null) throw new Error("key data is not standard padded base64");
  if (keyData.length !== 33) throw new Error(`key data is ${keyData.length} bytes, not 33`);
  if (keyData[0] !== 0x01) throw new Error(`key algorithm byte is ${keyData[0]}, not 1 (Ed25519)`);
  const want = toHex(keyHashOf(name, keyData));
  if (want !== hashHex) throw new Error(`key hash is ${hashHex}, but the key data hashes to ${want}`);
  return {
    name,
    keyHash: parseInt(hashHex, 16),
    keyHashHex: hashHex,
    publicKey: keyData.slice(1),
    text,
  };
}

export interface SignatureLine {
  name: string;
  sig: Uint8Array; // decoded base64: 4-byte key hash || signature
}

export interface SignedNote {
  text: string; // everything before the empty line, including its final LF
  signatures: SignatureLine[];
}

/**
 * Reads a signed note exactly as spec §4.3 prescribes (C2SP signed-note):
 * 1. no control character (below U+0020) other than LF anywhere (the note is
 *    a JS string decoded from valid UTF-8, so it is valid UTF-8);
 * 2. split at the last "\n\n": the text ends with the first LF of the pair,
 *    the signature block (after it) is not empty and ends with LF;
 * 3. every line of the block is "— <name> <base64>", the name not empty and
 *    without Unicode white space (the White_Space property, which unlike
 *    JavaScript's \s includes U+0085 and excludes U+FEFF) or "+", the base64
 *    canonical (§3.3) and decoding to at least 5 bytes; at most 100
 *    signature lines.
 * Throws when malformed.
 */
export const MAX_SIGNATURE_LINES = 100;

export function parseSignedNote(note: string): SignedNote {
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw new Error(`control character U+${c.toString(16).padStart(4, "0")} in the note`);
  }
  const sep = note.lastIndexOf("\n\n");
  if (sep < 0) throw new Error("no empty line between the text and the signatures");
  const text = note.slice(0, sep + 1);
  const sigBlock = note.slice(sep + 2);
  if (sigBlock.length === 0) throw new Error("no signature lines");
  if (!sigBlock.endsWith("\n")) throw new Error("signature lines must end with LF");
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURE_LINES) throw new Error(`more than ${MAX_SIGNATURE_LINES} signature lines`);
  const signatures: SignatureLine[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_SPACE)) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
    const rest = line.slice(EM_DASH_SPACE.length);
    const sp = rest.indexOf(" ");
    if (sp <= 0) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
    const name = rest.slice(0, sp);
    if (/[\p{White_Space}+]/u.test(name)) throw new Error(`malformed key name in signature line ${JSON.stringify(line)}`);
    const sig = fromBase64Strict(rest.slice(sp + 1));
    if (sig === null || sig.length < 5) throw new Error(`malformed signature in line ${JSON.stringify(line)}`);
    signatures.push({ name, sig });
  }
  return { text, signatures };
}

/** The order of the Ed25519 base point, L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032). */
const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

/**
 * RFC 8032 §5.1.7. S (the signature's second half, little-endian) must be
 * below L; this is checked here so as not to depend on the platform. The
 * equation itself is WebCrypto's, which in Node (OpenSSL) and Chromium
 * (BoringSSL) is the cofactorless check the spec asks for.
 */
async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  let sv = 0n;
  for (let i = 63; i >= 32; i--) sv = (sv << 8n) | BigInt(signature[i]);
  if (sv >= GROUP_ORDER) return false;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("WebCrypto (crypto.subtle) is not available");
  let key: CryptoKey;
  try {
    key = await subtle.importKey("raw", publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    return false;
  }
  try {
    return await subtle.verify({ name: "Ed25519" }, key, signature as BufferSource, message as BufferSource);
  } catch {
    return false;
  }
}

/**
 * Steps 4 and 5 of spec §4.3: the first signature line with the key's name
 * and key hash is checked — its remaining bytes must be a valid Ed25519
 * signature of the text — and decides; later lines with the same name and
 * hash, and lines of other keys, are ignored. Returns "signed", "bad" (the
 * key's line does not verify) or "absent" (no line of the key).
 */
export async function checkSignature(note: SignedNote, key: VerifierKey): Promise<"signed" | "bad" | "absent"> {
  const hash = new Uint8Array([key.keyHash >>> 24, (key.keyHash >>> 16) & 255, (key.keyHash >>> 8) & 255, key.keyHash & 255]);
  const line = note.signatures.find((s) => s.name === key.name && equalBytes(s.sig.slice(0, 4), hash));
  if (!line) return "absent";
  if (line.sig.length !== 68) return "bad";
  return (await ed25519Verify(key.publicKey, line.sig.slice(4), utf8(note.text))) ? "signed" : "bad";
}

/** True when the note is signed by the key (spec §4.3 step 5). */
export async function signedBy(note: SignedNote, key: VerifierKey): Promise<boolean> {
  return (await checkSignature(note, key)) === "signed";
}

/** The key data's first byte of a witness's Ed25519 cosignature/v1 key (spec §4.3, C2SP tlog-cosignature). */
export const COSIGNATURE_ALG = 0x04;

/**
 * Parses a witness's verifier key (spec §4.3): `<name>+<8 lowercase hex>+<canonical
 * base64 of 0x04 || 32-byte Ed25519 key>`, the name not empty, at most 255
 * bytes of UTF-8, without Unicode white space or "+", and the key hash that
 * of the name and key data. Throws with a reason.
 */
export function parseWitnessKey(text: string): VerifierKey {
  const a = text.indexOf("+");
  const b = a < 0 ? -1 : text.indexOf("+", a + 1);
  if (a < 0 || b < 0) throw new Error("a witness key has the form <name>+<key hash>+<key data>");
  const name = text.slice(0, a);
  const hashHex = text.slice(a + 1, b);
  const data = text.slice(b + 1);
  if (name === "" || utf8(name).length > 255 || /[\p{White_Space}+]/u.test(name)) {
    throw new Error(`the witness key's name ${JSON.stringify(name)} is empty, longer than 255 bytes, or has white space or a +`);
  }
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new Error("the witness key's hash is not 8 lowercase hexadecimal digits");
  const keyData = fromBase64Strict(data);
  if (keyData === null) throw new Error("the witness key's data is not in canonical base64");
  if (keyData.length !== 33 || keyData[0] !== COSIGNATURE_ALG) throw new Error("the witness key's data is not 0x04 (an Ed25519 cosignature/v1 key) and 32 bytes");
  const want = toHex(keyHashOf(name, keyData));
  if (want !== hashHex) throw new Error(`the witness key's hash is ${hashHex}, but its name and data hash to ${want}`);
  return { name, keyHash: parseInt(hashHex, 16), keyHashHex: hashHex, publicKey: keyData.slice(1), text };
}

/** The largest timestamp a cosignature may carry (C2SP tlog-cosignature): 2^63 − 1. */
const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** What a cosignature/v1 signs: "cosignature/v1" LF "time <t>" LF, then the note's text (spec §4.3). */
export function cosignatureMessage(text: string, timestamp: bigint): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp.toString()}\n${text}`);
}

/**
 * A witness's cosignature of a note (spec §4.3, check K5): the first
 * signature line with the witness key's name and key hash decides; its
 * remaining bytes must be exactly an 8-byte big-endian timestamp of at most
 * 2^63 − 1 and a valid Ed25519 signature of the cosignature/v1 message.
 * Later lines with the same name and hash, and lines of other keys, are
 * ignored. Returns the timestamp (seconds since the Unix epoch), "bad" or
 * "absent".
 */
export async function checkCosignature(note: SignedNote, key: VerifierKey): Promise<{ timestamp: bigint } | "bad" | "absent"> {
  const hash = new Uint8Array([key.keyHash >>> 24, (key.keyHash >>> 16) & 255, (key.keyHash >>> 8) & 255, key.keyHash & 255]);
  const line = note.signatures.find((s) => s.name === key.name && equalBytes(s.sig.slice(0, 4), hash));
  if (!line) return "absent";
  if (line.sig.length !== 4 + 8 + 64) return "bad";
  let timestamp = 0n;
  for (let i = 4; i < 12; i++) timestamp = (timestamp << 8n) | BigInt(line.sig[i]);
  if (timestamp > MAX_TIMESTAMP) return "bad";
  const ok = await ed25519Verify(key.publicKey, line.sig.slice(12), cosignatureMessage(note.text, timestamp));
  return ok ? { timestamp } : "bad";
}

/** The text a key rotation's signature covers (spec §4.4). */
export function rotationText(previousKey: string, nextKey: string): string {
  return `miasta-audit/2 key rotation\n${previousKey}\n${nextKey}\n`;
}

/**
 * Checks a `log.key_rotated` (spec §4.4, check K2): the new key is a
 * well-formed verifier key and the signature, 64 bytes in canonical base64,
 * is the previous key's Ed25519 signature of the rotation text. Returns the
 * new key, or throws with a reason.
 */
export async function checkRotation(previous: VerifierKey, nextKey: string, signature: string): Promise<VerifierKey> {
  let next: VerifierKey;
  try {
    next = parseVerifierKey(nextKey);
  } catch (e) {
    throw new Error(`the new key is not a well-formed verifier key: ${(e as Error).message}`);
  }
  const sig = fromBase64Strict(signature);
  if (sig === null || sig.length !== 64) throw new Error("the signature is not 64 bytes in canonical base64");
  if (!(await ed25519Verify(previous.publicKey, sig, utf8(rotationText(previous.text, nextKey))))) {
    throw new Error("the signature is not the previous key's");
  }
  return next;
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

/** Parses a checkpoint body of exactly three lines (spec §4.3). Throws with a reason. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) throw new Error("checkpoint text does not end with LF");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length !== 3) throw new Error(`checkpoint has ${lines.length} lines, not 3`);
  const [origin, sizeText, rootText] = lines;
  if (origin !== LOG_NAME) throw new Error(`checkpoint origin is ${JSON.stringify(origin)}, not ${JSON.stringify(LOG_NAME)}`);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error(`checkpoint size ${JSON.stringify(sizeText)} is not a decimal number without leading zeros`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error("checkpoint size too large");
  const root = fromBase64Strict(rootText);
  if (root === null) throw new Error("checkpoint root is not standard padded base64");
  if (root.length !== 32) throw new Error(`checkpoint root is ${root.length} bytes, not 32`);
  return { origin, size, root };
}
