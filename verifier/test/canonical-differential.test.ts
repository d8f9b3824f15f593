// The parser alone decides S1 (parseCanonicalBytes no longer re-serialises the
// whole input). These tests compare it with the spec's practical test (§2):
// whenever the parser accepts a text, serialising the parsed value gives the
// text back, so the parser refuses every text the re-serialisation refused.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { CanonicalError, type Json, parseCanonicalBytes, serialize } from "../src/canonical.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(b);

/** Whether the parser accepts the input; when it does, its value must re-serialise to the input. */
function agrees(input: string | Uint8Array): boolean {
  let value: Json;
  try {
    value = parseCanonicalBytes(input).value;
  } catch (e) {
    if (!(e instanceof CanonicalError)) throw e;
    return false;
  }
  const text = typeof input === "string" ? input : dec(input);
  const again = serialize(value);
  if (again !== text) throw new Error(`accepted a non-canonical text ${JSON.stringify(text)} (re-serialises to ${JSON.stringify(again)})`);
  return true;
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const CHARS = ["a", "b", "z", "A", "0", "9", " ", "\t", "\n", "\r", "\b", "\f", "\u0000", "\u0001", "\u001f", '"', "\\", "/", "\u007f", "\u00e9", "\u2028", "\uffff", "😀", "\ud800", "\udc00"];
const NAMES = ["", "a", "b", "A", "B", "10", "9", "0", "01", "-1", "__proto__", "constructor", "log", "é", "\uffff", "😀", "a\u0000", "\"", "\\", "aa", "ab"];
const NUMBERS = [0, 1, -1, 9, 10, -10, 123456789, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 31, -(2 ** 31), 1e15];

function randomValue(r: ReturnType<typeof rng>, depth: number): Json {
  switch (r.int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick(NUMBERS);
    case 3:
    case 4: {
      let s = "";
      for (let n = r.int(5); n > 0; n--) s += r.pick(CHARS.slice(0, -2)); // no lone surrogates: serialize() refuses them
      return s;
    }
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: { [k: string]: Json } = Object.create(null);
      for (let n = r.int(5); n > 0; n--) o[r.pick(NAMES)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

const PIECES = [
  ...CHARS, "{", "}", "[", "]", ":", ",", "-", "+", ".", "e", "E", "1", "00", "-0", "true", "false", "null", "tru", "nul",
  "\\u0041", "\\u00e9", "\\u001F", "\\u001f", "\\u0000", "\\u0008", "\\u0009", "\\u000a", "\\u000A", "\\u000c", "\\u000d", "\\u0022", "\\u005c",
  "\\ud83d", "\\ude00", "\\b", "\\t", "\\n", "\\f", "\\r", "\\/", "\\\"", "\\\\", "\\x", "\\u12", '"a":1', '"a"', ",\"a\":0", "9007199254740992", "9007199254740991",
];

function mutate(r: ReturnType<typeof rng>, s: string): string {
  for (let n = 1 + r.int(3); n > 0; n--) {
    const i = r.int(s.length + 1);
    switch (r.int(5)) {
      case 0: // insert
        s = s.slice(0, i) + r.pick(PIECES) + s.slice(i);
        break;
      case 1: // delete
        s = s.slice(0, i) + s.slice(i + 1 + r.int(3));
        break;
      case 2: // replace
        s = s.slice(0, i) + r.pick(PIECES) + s.slice(i + 1);
        break;
      case 3: {
        // move a piece elsewhere (reorders members)
        const j = r.int(s.length + 1);
        const [a, b] = i < j ? [i, j] : [j, i];
        const k = r.int(s.length + 1);
        const piece = s.slice(a, b);
        const rest = s.slice(0, a) + s.slice(b);
        s = rest.slice(0, Math.min(k, rest.length)) + piece + rest.slice(Math.min(k, rest.length));
        break;
      }
      default: // duplicate a piece in place
        s = s.slice(0, i) + s.slice(i, i + 1 + r.int(8)) + s.slice(i);
    }
  }
  return s;
}

describe("the parser agrees with re-serialisation (§2's practical test)", () => {
  test("random canonical values are accepted", { timeout: 60_000 }, () => {
    const r = rng(1);
    for (let n = 0; n < 3000; n++) {
      const text = serialize(randomValue(r, 0));
      expect(agrees(text)).toBe(true);
      expect(agrees(enc(text))).toBe(true);
    }
  });

  test("mutated texts: whatever the parser accepts re-serialises to itself", { timeout: 60_000 }, () => {
    const r = rng(2);
    let accepted = 0;
    for (let n = 0; n < 40000; n++) {
      const t = mutate(r, serialize(randomValue(r, 0)));
      if (agrees(t)) accepted++;
      // As bytes too (lone surrogates become U+FFFD there, so UTF-8 decoding is exercised instead).
      agrees(enc(t));
    }
    expect(accepted).toBeGreaterThan(1000); // the mutations do reach accepted texts
  });

  test("every \\u escape, in lower and upper case", { timeout: 60_000 }, () => {
    const hex = "0123456789abcdef";
    for (let c = 0; c < 0x10000; c++) {
      const h = hex[c >> 12] + hex[(c >> 8) & 15] + hex[(c >> 4) & 15] + hex[c & 15];
      agrees(`"\\u${h}"`);
      if (/[a-f]/.test(h)) agrees(`"\\u${h.toUpperCase()}"`);
    }
  });

  test("every two-character escape and every UTF-16 code unit as itself", { timeout: 60_000 }, () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      agrees(`"\\${ch}"`);
      agrees(`"${ch}"`);
      agrees(`{"${ch}":1}`);
      agrees(enc(`"${ch}"`));
    }
  });

  test("number-like tokens", { timeout: 60_000 }, () => {
    const r = rng(3);
    const parts = ["-", "+", "0", "1", "5", "9", ".", "e", "E", "00"];
    for (let n = 0; n < 20000; n++) {
      let t = "";
      for (let k = 1 + r.int(18); k > 0; k--) t += r.pick(parts);
      agrees(t);
      agrees(`[${t}]`);
    }
    for (const t of ["9007199254740991", "-9007199254740991", "9007199254740992", "-9007199254740992", "9007199254740993", "18014398509481984", "1" + "0".repeat(400)]) agrees(t);
  });

  test("member order and duplicates over tricky names", () => {
    for (const a of NAMES) {
      for (const b of NAMES) {
        agrees(`{${serialize(a)}:1,${serialize(b)}:2}`);
        agrees(`{"x":{${serialize(a)}:[],${serialize(b)}:{}}}`);
      }
    }
  });

  const dir = process.env.MIASTA_VECTORS ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../spec/vectors");
  test.skipIf(!existsSync(dir))("the spec's vectors and mutations of them", { timeout: 120_000 }, () => {
    const r = rng(4);
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".json")).sort()) {
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      agrees(bytes);
      const text = new TextDecoder().decode(bytes);
      for (let n = 0; n < 10; n++) agrees(mutate(r, text));
    }
  });
});
