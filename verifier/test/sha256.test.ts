import { sha256 as noble } from "@noble/hashes/sha2.js";
import { describe, expect, test } from "vitest";
import { sha256, toHex } from "../src/bytes.ts";
import { sha256Of } from "../src/sha256.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("SHA-256", () => {
  test("the FIPS 180-4 examples", () => {
    expect(toHex(sha256(enc("")))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(sha256(enc("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(toHex(sha256(enc("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(toHex(sha256(new Uint8Array(1000000).fill(0x61)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  test("agrees with @noble/hashes on every length up to 1100 bytes", () => {
    let seed = 7;
    const data = new Uint8Array(1100);
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    for (let n = 0; n <= data.length; n++) {
      const m = data.subarray(0, n);
      expect(toHex(sha256(m))).toBe(toHex(noble(m)));
    }
    // A view that does not start at its buffer's beginning.
    expect(toHex(sha256(data.subarray(3, 700)))).toBe(toHex(noble(data.slice(3, 700))));
  });

  test("in parts, split anywhere, hashes the concatenation", () => {
    const data = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 255);
    const want = toHex(noble(data));
    for (let a = 0; a <= data.length; a += 7) {
      for (let b = a; b <= data.length; b += 13) {
        expect(toHex(sha256Of(data.subarray(0, a), data.subarray(a, b), data.subarray(b)))).toBe(want);
      }
    }
    expect(toHex(sha256Of())).toBe(toHex(noble(new Uint8Array(0))));
    expect(toHex(sha256Of(new Uint8Array([0]), enc("leaf")))).toBe(toHex(noble(enc("\0leaf"))));
  });

  test("agrees with @noble/hashes on a large input", () => {
    const data = new Uint8Array(5_000_003).map((_, i) => (i ^ (i >>> 8)) & 255);
    expect(toHex(sha256(data))).toBe(toHex(noble(data)));
  });
});
