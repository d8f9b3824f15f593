import { describe, expect, test } from "vitest";
import { fromBase64Strict, toBase64 } from "../src/bytes.ts";
import { checkSignature, parseCheckpoint, parseSignedNote, parseVerifierKey, signedBy, type VerifierKey } from "../src/note.ts";
import { LOG, makeSigner, sha } from "./helpers.ts";

const ROOT = Buffer.alloc(32, 7).toString("base64");
const CP = `${LOG}\n12\n${ROOT}\n`;

describe("note verifier keys", () => {
  test("a generated key parses; its hash is SHA-256(name || LF || 0x01 || key)[:4]", async () => {
    const s = await makeSigner();
    const k = parseVerifierKey(s.verifierKey);
    expect(k.name).toBe(LOG);
    expect(k.publicKey.length).toBe(32);
    const data = Buffer.concat([Buffer.from([1]), Buffer.from(k.publicKey)]);
    const h = sha(Buffer.concat([Buffer.from(LOG + "\n"), data])).subarray(0, 4).toString("hex");
    expect(k.keyHashHex).toBe(h);
    expect(s.verifierKey).toBe(`${LOG}+${h}+${data.toString("base64")}`);
  });

  test("malformed keys are refused", async () => {
    const s = await makeSigner();
    const [name, hash] = s.verifierKey.split("+", 2);
    const data = s.verifierKey.slice(name.length + hash.length + 2);
    const raw = Buffer.from(data, "base64");
    const bad = [
      "",
      "no plus signs",
      `${name}+${hash}`,
      `other/log+${hash}+${data}`,
      `${name}+${hash.toUpperCase()}+${data}`,
      `${name}+00000000+${data}`,
      `${name}+${hash}+${data.slice(0, -1)}`, // not a multiple of 4
      `${name}+${hash}+${data} `, // trailing space
      `${name}+${hash}+${Buffer.concat([Buffer.from([2]), raw.subarray(1)]).toString("base64")}`, // algorithm 2
      `${name}+${hash}+${raw.subarray(0, 32).toString("base64")}`, // too short
    ];
    for (const k of bad) expect(() => parseVerifierKey(k), k).toThrow();
    // A key whose own hash is right but for another name is refused for its name.
    const other = await makeSigner("someone/else");
    expect(() => parseVerifierKey(other.verifierKey)).toThrow(/name/);
  });
});

describe("signed notes and checkpoints", () => {
  test("a checkpoint signed with WebCrypto Ed25519 verifies", async () => {
    const s = await makeSigner();
    const note = await s.sign(CP);
    expect(note.startsWith(CP + "\n\u2014 " + LOG + " ")).toBe(true);
    const parsed = parseSignedNote(note);
    expect(parsed.text).toBe(CP);
    expect(await signedBy(parsed, parseVerifierKey(s.verifierKey))).toBe(true);
    const cp = parseCheckpoint(parsed.text);
    expect(cp.size).toBe(12);
    expect(Buffer.from(cp.root).toString("base64")).toBe(ROOT);
  });

  test("a changed text does not verify", async () => {
    const s = await makeSigner();
    const note = (await s.sign(CP)).replace("\n12\n", "\n13\n");
    expect(await signedBy(parseSignedNote(note), parseVerifierKey(s.verifierKey))).toBe(false);
  });

  test("another key's signature does not verify; its lines are ignored beside ours", async () => {
    const s = await makeSigner();
    const t = await makeSigner();
    const byT = await t.sign(CP);
    expect(await signedBy(parseSignedNote(byT), parseVerifierKey(s.verifierKey))).toBe(false);
    const byS = await s.sign(CP);
    const witness = `\u2014 witness.example/w1 ${Buffer.alloc(72, 1).toString("base64")}\n`;
    const both = byS.slice(0, CP.length + 1) + witness + byS.slice(CP.length + 1);
    expect(await signedBy(parseSignedNote(both), parseVerifierKey(s.verifierKey))).toBe(true);
    // Our name with the other key's hash and signature: not ours.
    expect(await signedBy(parseSignedNote(byT), parseVerifierKey(s.verifierKey))).toBe(false);
  });

  test("a signature line with our key hash but a bad signature does not verify", async () => {
    const s = await makeSigner();
    const note = await s.sign(CP);
    const line = note.slice(CP.length + 1);
    const b64 = line.slice(("\u2014 " + LOG + " ").length, -1);
    const sig = Buffer.from(b64, "base64");
    sig[10] ^= 1;
    const badNote = CP + "\n\u2014 " + LOG + " " + sig.toString("base64") + "\n";
    expect(await signedBy(parseSignedNote(badNote), parseVerifierKey(s.verifierKey))).toBe(false);
  });

  test("only the first line with the key's name and hash decides", async () => {
    const s = await makeSigner();
    const good = await s.sign(CP);
    const goodLine = good.slice(CP.length + 1);
    const sig = Buffer.from(goodLine.slice(("\u2014 " + LOG + " ").length, -1), "base64");
    sig[20] ^= 0xff;
    const badLine = "\u2014 " + LOG + " " + sig.toString("base64") + "\n";
    const k = parseVerifierKey(s.verifierKey);
    expect(await checkSignature(parseSignedNote(CP + "\n" + goodLine + badLine), k)).toBe("signed");
    expect(await checkSignature(parseSignedNote(CP + "\n" + badLine + goodLine), k)).toBe("bad");
    // A line with our name but another key hash is another key's: ignored.
    const other = Buffer.from(sig);
    other[0] ^= 1;
    const otherLine = "\u2014 " + LOG + " " + other.toString("base64") + "\n";
    expect(await checkSignature(parseSignedNote(CP + "\n" + otherLine + goodLine), k)).toBe("signed");
    expect(await checkSignature(parseSignedNote(CP + "\n" + otherLine), k)).toBe("absent");
    // A line of our key that is too short or too long is not a valid signature.
    const short = "\u2014 " + LOG + " " + Buffer.concat([s.keyHash, Buffer.alloc(10)]).toString("base64") + "\n";
    expect(await checkSignature(parseSignedNote(CP + "\n" + short + goodLine), k)).toBe("bad");
  });

  test("at most 100 signature lines", async () => {
    const s = await makeSigner();
    const good = await s.sign(CP);
    const goodLine = good.slice(CP.length + 1);
    const w = `\u2014 witness/w ${Buffer.alloc(68, 2).toString("base64")}\n`;
    expect(await signedBy(parseSignedNote(CP + "\n" + goodLine + w.repeat(99)), parseVerifierKey(s.verifierKey))).toBe(true);
    expect(() => parseSignedNote(CP + "\n" + goodLine + w.repeat(100))).toThrow(/100/);
  });

  test("control characters other than LF make the note malformed", async () => {
    const s = await makeSigner();
    const good = await s.sign(CP);
    expect(() => parseSignedNote(good.replace("\n12\n", "\n12\r\n"))).toThrow(/control/);
    expect(() => parseSignedNote(good.replace(LOG + "\n", LOG + "\t\n"))).toThrow(/control/);
    expect(() => parseSignedNote("\u0000" + good)).toThrow(/control/);
  });

  test("malformed notes are refused", () => {
    expect(() => parseSignedNote(CP)).toThrow();
    expect(() => parseSignedNote(CP + "\n")).toThrow();
    expect(() => parseSignedNote(CP + "\n- " + LOG + " AAAAAAA=\n")).toThrow();
    expect(() => parseSignedNote(CP + "\n\u2014 " + LOG + " AAAAAAAA")).toThrow(); // no final LF
    expect(() => parseSignedNote(CP + "\n\u2014 " + LOG + " not-base64!\n")).toThrow();
    expect(() => parseSignedNote(CP + "\n\u2014 " + LOG + " AAAA\n")).toThrow(); // fewer than 5 bytes
    expect(() => parseSignedNote(CP + "\n\u2014  AAAAAAAA\n")).toThrow(); // empty name
    expect(() => parseSignedNote(CP + "\n\u2014 a+b AAAAAAAA\n")).toThrow(); // "+" in the name
    expect(() => parseSignedNote(CP + "\n\u2014 a b AAAAAAAA\n")).toThrow(); // space in the name
    expect(() => parseSignedNote(CP + "\n\u2014 ab AAAAAAAA\n\n")).toThrow(); // empty last line
  });

  test("malformed checkpoints are refused", () => {
    const bad = [
      `${LOG}\n12\n${ROOT}`, // no final LF
      `${LOG}\n012\n${ROOT}\n`,
      `${LOG}\n-1\n${ROOT}\n`,
      `${LOG}\n 12\n${ROOT}\n`,
      `other\n12\n${ROOT}\n`,
      `${LOG}\n12\n${Buffer.alloc(31).toString("base64")}\n`,
      `${LOG}\n12\n${ROOT.replace(/=$/, "")}\n`,
      `${LOG}\n12\n${ROOT}\nextension line\n`,
      `${LOG}\n12\n`,
    ];
    for (const t of bad) expect(() => parseCheckpoint(t), JSON.stringify(t)).toThrow();
    expect(parseCheckpoint(`${LOG}\n0\n${ROOT}\n`).size).toBe(0);
  });
});

describe("canonical base64 (§3.3: RFC 4648 §4 with padding, zero bits after the last byte)", () => {
  test("canonical texts decode and re-encode to themselves", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 32, 33, 68]) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + 11) & 255);
      const t = Buffer.from(b).toString("base64");
      expect(toBase64(b)).toBe(t);
      expect(fromBase64Strict(t)).toEqual(b);
    }
  });
  test.each([
    ["stray bits before ==", "AB=="], // "AA==" is canonical
    ["stray bits before =", "AAB="], // "AAA=" is canonical
    ["missing padding", "AA"],
    ["too much padding", "AA==="],
    ["padding inside", "AA==AAAA"],
    ["base64url alphabet", "-_8="],
    ["white space", "AAAA AAAA"],
    ["a newline", "AAAA\n"],
    ["a lone padding group", "===="],
  ])("refused: %s (%j)", (_what, t) => expect(fromBase64Strict(t)).toBeNull());
});

describe("K1: the key's data is canonical base64 and its hash matches", () => {
  test("key data in another alphabet or with white space is refused", async () => {
    const s = await makeSigner();
    const [name, hash] = s.verifierKey.split("+", 2);
    const data = s.verifierKey.slice(name.length + hash.length + 2);
    for (const bad of [data.replace(/\+/g, "-").replace(/\//g, "_"), data + "\n", " " + data, data + "===="]) {
      if (bad === data) continue;
      expect(() => parseVerifierKey(`${name}+${hash}+${bad}`), bad).toThrow();
    }
  });
});

describe("K2: checkpoint sizes and roots", () => {
  test("sizes from 0 to 2^53 − 1", () => {
    expect(parseCheckpoint(`${LOG}\n9007199254740991\n${ROOT}\n`).size).toBe(9007199254740991);
    for (const n of ["9007199254740992", "9007199254740993", "1" + "0".repeat(400)]) {
      expect(() => parseCheckpoint(`${LOG}\n${n}\n${ROOT}\n`), n).toThrow(/too large/);
    }
  });
  test("a root whose base64 has stray bits after its last byte is refused", () => {
    // 32 bytes: 43 characters and "="; the 43rd carries 2 unused bits.
    const canonical = Buffer.alloc(32, 0).toString("base64");
    expect(canonical.endsWith("A=")).toBe(true);
    expect(parseCheckpoint(`${LOG}\n1\n${canonical}\n`).root.length).toBe(32);
    const stray = canonical.slice(0, 42) + "B=";
    expect(Buffer.from(stray, "base64")).toEqual(Buffer.alloc(32, 0)); // a lenient decoder reads the same root
    expect(() => parseCheckpoint(`${LOG}\n1\n${stray}\n`)).toThrow(/base64/);
  });
  test("a signature whose base64 has stray bits makes the note malformed", async () => {
    const s = await makeSigner();
    const note = await s.sign(CP);
    const i = note.lastIndexOf("\n\n") + 2;
    const prefix = "\u2014 " + LOG + " ";
    const b64 = note.slice(i + prefix.length, -1);
    expect(b64.endsWith("=")).toBe(true); // 68 bytes: 2 unused bits before "="
    const last = b64[b64.length - 2];
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const stray = b64.slice(0, -2) + alphabet[alphabet.indexOf(last) | 1] + "=";
    expect(stray).not.toBe(b64);
    expect(Buffer.from(stray, "base64")).toEqual(Buffer.from(b64, "base64"));
    expect(() => parseSignedNote(note.slice(0, i) + prefix + stray + "\n")).toThrow(/malformed signature/);
  });
});

describe("§4.3 step 3: key names without Unicode white space", () => {
  const line = (name: string) => `\u2014 ${name} ${Buffer.alloc(68, 1).toString("base64")}\n`;
  test.each([
    ["NO-BREAK SPACE", "a\u00a0b"],
    ["NEXT LINE (U+0085, not in JavaScript's \\s)", "a\u0085b"],
    ["EM SPACE", "a\u2003b"],
    ["IDEOGRAPHIC SPACE", "a\u3000b"],
    ["LINE SEPARATOR", "a\u2028b"],
  ])("refused: %s", (_what, name) => expect(() => parseSignedNote(CP + "\n" + line(name))).toThrow(/key name/));
  test("U+FEFF and U+200B are not white space: such a line is another key's, ignored", async () => {
    const s = await makeSigner();
    const good = (await s.sign(CP)).slice(CP.length + 1);
    for (const name of ["a\ufeffb", "a\u200bb", "witness\u2014x"]) {
      const note = parseSignedNote(CP + "\n" + line(name) + good);
      expect(note.signatures[0].name).toBe(name);
      expect(await signedBy(note, parseVerifierKey(s.verifierKey))).toBe(true);
    }
  });
});

describe("§4.3 step 4: Ed25519 by RFC 8032 §5.1.7", () => {
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const toLE = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));

  test("S + L (the same signature under a verifier that reduces S) is refused", async () => {
    const s = await makeSigner();
    const note = await s.sign(CP);
    const k = parseVerifierKey(s.verifierKey);
    const parsed = parseSignedNote(note);
    expect(await checkSignature(parsed, k)).toBe("signed");
    const sig = parsed.signatures[0].sig;
    const S = le(sig.subarray(36, 68));
    expect(S < L).toBe(true);
    const forged = new Uint8Array(sig);
    forged.set(toLE(S + L), 36);
    expect(await checkSignature({ text: parsed.text, signatures: [{ name: LOG, sig: forged }] }, k)).toBe("bad");
  });

  test("a signature only a cofactored check accepts is refused (identity key, R of order 2, S = 0)", async () => {
    // [8]·0·B = [8]R + [8]k·A holds for any k; the cofactorless 0·B = R + k·A does not (R is not the identity).
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const order2 = new Uint8Array(32).fill(0xff);
    order2[0] = 0xec;
    order2[31] = 0x7f; // y = p − 1, x = 0: the point of order 2
    const key: VerifierKey = { name: LOG, keyHash: 0x01020304, keyHashHex: "01020304", publicKey: identity, text: "" };
    const sig = new Uint8Array([1, 2, 3, 4, ...order2, ...new Uint8Array(32)]);
    expect(await checkSignature({ text: CP, signatures: [{ name: LOG, sig }] }, key)).toBe("bad");
  });
});
