import { describe, expect, test } from "vitest";
import { checkSignature, parseCheckpoint, parseSignedNote, parseVerifierKey, signedBy } from "../src/note.ts";
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
