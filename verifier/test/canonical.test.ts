import { describe, expect, test } from "vitest";
import { CanonicalError, canonicalBytes, type Json, type JsonObject, parseCanonicalBytes, serialize } from "../src/canonical.ts";
import { object, int, text } from "../src/schema.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const ok = (s: string) => parseCanonicalBytes(enc(s)).value;
const bad = (input: string | Uint8Array) => {
  expect(() => parseCanonicalBytes(typeof input === "string" ? enc(input) : input)).toThrow(CanonicalError);
};

describe("canonical JSON: accepted texts", () => {
  test.each([
    ['{"a":1,"b":[true,false,null],"c":"x"}'],
    ["{}"],
    ["[]"],
    ['""'],
    ["0"],
    ["-5"],
    ["9007199254740991"],
    ["-9007199254740991"],
    ['"\\u001f\\u0000\\b\\t\\n\\f\\r\\"\\\\"'],
    ['"é\u007f\u2028\u2029😀"'],
    ['{"":0,"a":{"b":{"c":[]}}}'],
  ])("%s", (s) => {
    const v = ok(s);
    expect(serialize(v)).toBe(s);
  });

  test("member order is by UTF-16 code units, not code points", () => {
    // U+1F600 is D83D DE00 in UTF-16: below U+FFFF in code-unit order.
    const s = '{"😀":1,"\uffff":2}';
    expect(serialize(ok(s))).toBe(s);
    bad('{"\uffff":2,"😀":1}');
    expect(serialize({ "\uffff": 2, "😀": 1 })).toBe(s);
  });

  test("uppercase names sort before lowercase (plain byte order for ASCII)", () => {
    expect(serialize({ results: 1, Results: 2, a: 0, B: 0 })).toBe('{"B":0,"Results":2,"a":0,"results":1}');
  });

  test("a __proto__ member is an ordinary member", () => {
    const v = ok('{"__proto__":1,"a":2}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__", "a"]);
    expect(serialize(v as never)).toBe('{"__proto__":1,"a":2}');
  });

  test("a string input is accepted when it is canonical", () => {
    expect(parseCanonicalBytes('{"a":"ż"}').value).toEqual({ a: "ż" });
  });
});

describe("canonical JSON: rejected texts", () => {
  test.each([
    ["leading space", ' {"a":1}'],
    ["trailing newline", '{"a":1}\n'],
    ["space after colon", '{"a": 1}'],
    ["space after comma", "[1, 2]"],
    ["tab", "[1,\t2]"],
    ["CR LF", '{"a":1}\r\n'],
    ["unsorted members", '{"b":1,"a":2}'],
    ["duplicate members", '{"a":1,"a":1}'],
    ["duplicate members, not adjacent", '{"a":1,"b":2,"a":1}'],
    ["escaped slash", '"a\\/b"'],
    ["escape of a printable ASCII character", '"\\u0041"'],
    ["escape of é", '"\\u00e9"'],
    ["uppercase hex digits", '"\\u001F"'],
    ["escape with a short form (\\b)", '"\\u0008"'],
    ["escape with a short form (\\n)", '"\\u000a"'],
    ["escape of a quote", '"\\u0022"'],
    ["surrogate pair escape", '"\\ud83d\\ude00"'],
    ["lone surrogate escape", '"\\ud800"'],
    ["raw control character", '"a\u0001b"'],
    ["fraction", "1.0"],
    ["exponent", "1e2"],
    ["uppercase exponent", "1E2"],
    ["negative zero", "-0"],
    ["leading zero", "01"],
    ["plus sign", "+1"],
    ["2^53", "9007199254740992"],
    ["-2^53", "-9007199254740992"],
    ["huge", "123456789012345678901234567890"],
    ["two values", "1 2"],
    ["two values, no space", "{}{}"],
    ["empty text", ""],
    ["True", "True"],
    ["NaN", "NaN"],
    ["single quotes", "'a'"],
    ["trailing comma", "[1,]"],
    ["unterminated", '{"a":1'],
  ])("%s", (_name, s) => bad(s));

  test("byte order mark", () => bad(new Uint8Array([0xef, 0xbb, 0xbf, ...enc("{}")])));
  test("invalid UTF-8", () => bad(new Uint8Array([0x22, 0xc3, 0x28, 0x22])));
  test("an encoded surrogate (CESU-8) is invalid UTF-8", () => bad(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])));
  test("overlong encoding", () => bad(new Uint8Array([0x22, 0xc0, 0xaf, 0x22])));
  test("a string with a lone surrogate", () => {
    expect(() => parseCanonicalBytes('"\ud800"')).toThrow(CanonicalError);
  });
});

describe("canonical JSON: serializer", () => {
  test("escapes exactly the required characters", () => {
    const all = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("") + '"\\/\u007f\u2028';
    expect(serialize(all)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f' +
        '\\"\\\\/\u007f\u2028"',
    );
    expect(serialize(all)).toBe(JSON.stringify(all));
  });
  test("refuses a lone surrogate", () => expect(() => serialize("a\udc00")).toThrow(CanonicalError));
  test("refuses non-integers and out-of-range numbers", () => {
    expect(() => serialize(1.5)).toThrow();
    expect(() => serialize(NaN)).toThrow();
    expect(() => serialize(2 ** 53)).toThrow();
  });
  test("writes -0 as 0", () => expect(serialize(-0)).toBe("0"));
  test("round-trips a nested value", () => {
    const v = { z: [1, { y: "x", b: null }], a: true, m: -42 };
    const s = serialize(v);
    expect(s).toBe('{"a":true,"m":-42,"z":[1,{"b":null,"y":"x"}]}');
    expect(ok(s)).toEqual(v);
  });
});

describe("exact schemas catch case variants and extra members", () => {
  const schema = object({ results: int(), name: text });
  test("exact members pass", () => expect(schema(ok('{"name":"x","results":1}'), "doc")).toBeNull());
  test("a case variant beside the real member fails", () => {
    expect(schema(ok('{"Results":2,"name":"x","results":1}'), "doc")).toMatch(/unexpected member "Results"/);
  });
  test("a case variant instead of the real member fails", () => {
    expect(schema(ok('{"Results":2,"name":"x"}'), "doc")).toMatch(/missing member "results"/);
  });
  test("wrong type fails", () => expect(schema(ok('{"name":1,"results":1}'), "doc")).toMatch(/expected a string/));
  test("null for a non-nullable member fails", () => expect(schema(ok('{"name":null,"results":1}'), "doc")).toMatch(/expected a string/));
});

describe("canonical JSON: the log entries' bytes kept by the parser", () => {
  const check = (input: string | Uint8Array) => {
    const r = parseCanonicalBytes(input);
    const log = (r.value as JsonObject).log as Json[];
    expect(r.logEntryBytes).toBeDefined();
    expect(r.logEntryBytes!.length).toBe(log.length);
    log.forEach((entry, i) => expect(r.logEntryBytes![i]).toEqual(canonicalBytes(entry)));
  };
  const ascii = '{"a":[{"log":[1]}],"log":[{"b":"x\\n","log":[{"c":1}]},[],"s",-3,null,{}],"z":{"log":[2]}}';
  const wide = '{"log":[{"a":"żółw 😀"},"\\u0001😀",{"e":"\u2028","ł€":"x"},{"😀":"ß"}],"x":"ą"}';
  test("ASCII bytes", () => check(enc(ascii)));
  test("non-ASCII bytes", () => check(enc(wide)));
  test("a string", () => {
    check(ascii);
    check(wide);
  });
  test("an empty log", () => expect(parseCanonicalBytes(enc('{"log":[]}')).logEntryBytes).toEqual([]));
  test("only the top-level object's log array", () => {
    expect(parseCanonicalBytes(enc('{"a":{"log":[1]}}')).logEntryBytes).toBeUndefined();
    expect(parseCanonicalBytes(enc('[{"log":[1]}]')).logEntryBytes).toBeUndefined();
    expect(parseCanonicalBytes(enc('{"log":{"a":[1]}}')).logEntryBytes).toBeUndefined();
    expect(parseCanonicalBytes(enc('{"log":"[1]"}')).logEntryBytes).toBeUndefined();
  });
});

describe("canonical JSON: parsed objects inherit nothing", () => {
  const inherited = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__"];
  test("no name of Object.prototype is found on a parsed object", () => {
    const o = ok('{"a":{}}') as JsonObject;
    for (const v of [o, o.a as JsonObject]) {
      for (const n of inherited) {
        expect((v as Record<string, unknown>)[n]).toBeUndefined();
        expect(n in v).toBe(false);
      }
      const proto = Object.getPrototypeOf(v);
      expect(Object.getPrototypeOf(proto)).toBeNull();
      expect(Object.isFrozen(proto)).toBe(true);
      expect(Reflect.ownKeys(proto)).toEqual([]);
    }
  });
  test("every such name is an ordinary own member", () => {
    const text = "{" + [...inherited].sort().map((n, i) => `${JSON.stringify(n)}:${i}`).join(",") + "}";
    const o = ok(text) as JsonObject;
    expect(Object.keys(o)).toEqual([...inherited].sort());
    for (const n of inherited) expect(Object.prototype.hasOwnProperty.call(o, n)).toBe(true);
    expect(serialize(o)).toBe(text);
  });
});
