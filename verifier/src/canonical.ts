// Canonical JSON (spec §2): RFC 8785 (JCS) restricted to integers.
//
// parseCanonical() accepts exactly the canonical texts and returns the value;
// anything else throws a CanonicalError. serialize() writes the canonical text
// of a value. The parser checks every rule directly (no white space, sorted
// unique member names, the fewest escapes, integers in range), so it accepts
// a text exactly when the text is its value's re-serialisation, the spec's
// "practical test" (the tests compare the two on many texts).

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [name: string]: Json;
}

export class CanonicalError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(offset >= 0 ? `${message} (at character ${offset})` : message);
    this.name = "CanonicalError";
  }
}

export const MAX_INT = Number.MAX_SAFE_INTEGER; // 2^53 - 1

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Returns the index of the first lone surrogate in s, or -1. */
export function loneSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Decodes UTF-8 bytes strictly: no BOM, no invalid sequences (so no encoded surrogates). */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new CanonicalError("byte order mark", 0);
  }
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new CanonicalError("not valid UTF-8", -1);
  }
}

/**
 * Parses canonical JSON text (already decoded from UTF-8). Objects are
 * returned without Object.prototype in their prototype chain (their prototype
 * is PARSED_OBJECT_PROTOTYPE, empty and frozen, whose own is null), so that
 * any member name (even "__proto__") is an ordinary own property and no
 * absent name finds an inherited one.
 */
export function parseCanonical(text: string): Json {
  return parseText(text, null);
}

/**
 * Parses the whole text; when `logSpans` is given, it receives the start and
 * end (offsets in the text's UTF-8) of each element of the top-level object's
 * `log` array, two numbers an element.
 */
function parseText(text: string, logSpans: number[] | null, utf8Length = -1): Json {
  const p = new Parser(text);
  // object() takes the spans, and only the outermost value's.
  if (text.charCodeAt(0) === 0x7b) p.logSpans = logSpans;
  const v = p.value();
  if (p.i !== text.length) p.fail("text after the JSON value");
  if (utf8Length >= 0 && p.i + p.extra !== utf8Length) throw new Error("internal error: the parser miscounted the UTF-8 bytes");
  return v;
}

/** What parseCanonicalBytes() returns. */
export interface ParsedCanonical {
  value: Json;
  bytes: Uint8Array;
  /**
   * The canonical bytes of each element of the top-level object's `log`
   * array, in order (the input's own bytes for that element, which are its
   * canonical text since the whole input is); absent when the value has no
   * such array.
   */
  logEntryBytes?: Uint8Array[];
}

/**
 * Parses canonical JSON from bytes or a string. The parser alone decides: it
 * accepts exactly the texts that are the serialisation of their value (the
 * tests compare it with re-serialising on many texts), so the whole input is
 * not serialised again.
 */
export function parseCanonicalBytes(input: string | Uint8Array): ParsedCanonical {
  let text: string;
  let bytes: Uint8Array;
  if (typeof input === "string") {
    const bad = loneSurrogateIndex(input);
    if (bad >= 0) throw new CanonicalError("lone surrogate", bad);
    if (input.charCodeAt(0) === 0xfeff) throw new CanonicalError("byte order mark", 0);
    text = input;
    bytes = utf8(input);
  } else {
    bytes = input;
    text = decodeUtf8(input);
  }
  const spans: number[] = [];
  // Every rule of §2 is checked as the text is read: no white space (any
  // character out of place fails), member names unique and in increasing
  // UTF-16 order, integers without sign, leading zero, fraction or exponent,
  // not -0 and in range (so String(n) gives them back), and in strings no
  // raw control character, only the escapes serialize() writes (\" \\ \b \t
  // \n \f \r, and \u00xx in lowercase for the other controls) and no lone
  // surrogate (TextDecoder is fatal; a string input is checked above).
  const value = parseText(text, spans, bytes.length);
  const out: ParsedCanonical = { value, bytes };
  if (isLogArray(value)) {
    const entries: Uint8Array[] = new Array(spans.length / 2);
    for (let k = 0; k < entries.length; k++) entries[k] = bytes.subarray(spans[2 * k], spans[2 * k + 1]);
    out.logEntryBytes = entries;
  }
  return out;
}

function isLogArray(v: Json): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, "log") && Array.isArray(v.log);
}


/** The prototype of parsed objects: empty, frozen, with a null prototype. */
export const PARSED_OBJECT_PROTOTYPE: object = Object.freeze(Object.create(null));

/**
 * Makes the parsed objects. An object made by `new` on a function whose
 * prototype has no prototype behaves as Object.create(null) for every member
 * name (nothing inherited, no __proto__ accessor), but V8 keeps such objects
 * in its fast representation, where Object.create(null) makes slow
 * dictionaries: several times faster to build and read.
 */
const ParsedObject = function ParsedObject() {} as unknown as { new (): JsonObject; prototype: object };
ParsedObject.prototype = PARSED_OBJECT_PROTOTYPE;

class Parser {
  i = 0;
  /** Receives the spans of the top-level `log` array's elements, when not null. */
  logSpans: number[] | null = null;
  /**
   * How many more bytes than UTF-16 code units the text's UTF-8 has up to i
   * (a character outside ASCII can only be inside a string): i + extra is the
   * offset in the bytes.
   */
  extra = 0;
  constructor(readonly s: string) {}

  fail(msg: string, at = this.i): never {
    throw new CanonicalError(msg, at);
  }

  value(): Json {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: // {
        return this.object();
      case 0x5b: // [
        return this.array();
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.fail("white space");
        if (Number.isNaN(c)) this.fail("unexpected end of text");
        this.fail(`unexpected character ${JSON.stringify(this.s[this.i])}`);
    }
  }

  literal<T extends Json>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    this.fail("invalid literal");
  }

  number(): number {
    const start = this.i;
    const s = this.s;
    if (s.charCodeAt(this.i) === 0x2d) this.i++;
    const d0 = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c < 0x30 || c > 0x39) break;
      this.i++;
    }
    const digits = s.slice(d0, this.i);
    if (digits.length === 0) this.fail("invalid number", start);
    const next = s.charCodeAt(this.i);
    if (next === 0x2e || next === 0x65 || next === 0x45) this.fail("number is not an integer (fraction or exponent)", start);
    if (digits.length > 1 && digits[0] === "0") this.fail("number with a leading zero", start);
    const text = s.slice(start, this.i);
    if (text === "-0") this.fail("negative zero", start);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) this.fail("integer out of range (|n| > 2^53 - 1)", start);
    return n;
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    this.i++; // opening quote
    let out = "";
    let runStart = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("unterminated string", start);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("unescaped control character in string");
      if (c === 0x5c) {
        out += s.slice(runStart, this.i);
        const e = s[this.i + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "b":
            out += "\b";
            break;
          case "t":
            out += "\t";
            break;
          case "n":
            out += "\n";
            break;
          case "f":
            out += "\f";
            break;
          case "r":
            out += "\r";
            break;
          case "u": {
            const hex = s.slice(this.i + 2, this.i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape");
            if (!/^00[01][0-9a-f]$/.test(hex)) this.fail(`non-canonical escape \\u${hex}`);
            const cp = parseInt(hex, 16);
            if (cp === 0x08 || cp === 0x09 || cp === 0x0a || cp === 0x0c || cp === 0x0d) {
              this.fail(`non-canonical escape \\u${hex} (has a short form)`);
            }
            out += String.fromCharCode(cp);
            this.i += 4;
            break;
          }
          case "/":
            this.fail("non-canonical escape \\/");
          default:
            this.fail("invalid escape");
        }
        this.i += 2;
        runStart = this.i;
        continue;
      }
      // A decoded JS string from valid UTF-8 has no lone surrogates, but a
      // string given directly might; the caller checks that before parsing.
      // UTF-8 takes 2 bytes below U+0800, 3 in the rest of the BMP, and 4 for
      // a surrogate pair (2 code units).
      if (c >= 0x80) this.extra += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
      this.i++;
    }
  }

  /** An array; `spans`, when given, receives the start and end of each element. */
  array(spans: number[] | null = null): Json[] {
    this.i++; // [
    const out: Json[] = [];
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      if (spans !== null) {
        spans.push(this.i + this.extra);
        out.push(this.value());
        spans.push(this.i + this.extra);
      } else {
        out.push(this.value());
      }
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return out;
      }
      this.fail(this.isSpace(c) ? "white space" : "expected , or ] in array");
    }
  }

  object(): JsonObject {
    // Only the outermost object's log is recorded.
    const logSpans = this.logSpans;
    this.logSpans = null;
    this.i++; // {
    const out: JsonObject = new ParsedObject();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    let prev: string | null = null;
    for (;;) {
      if (this.s.charCodeAt(this.i) !== 0x22) {
        this.fail(this.isSpace(this.s.charCodeAt(this.i)) ? "white space" : "expected a member name");
      }
      const at = this.i;
      const name = this.string();
      // Names in strictly increasing order are distinct: only a name out of
      // order can repeat an earlier one (the message says which it is).
      if (prev !== null && !(prev < name)) {
        if (name === prev || Object.prototype.hasOwnProperty.call(out, name)) {
          this.fail(`duplicate member name ${JSON.stringify(name)}`, at);
        }
        this.fail(`member ${JSON.stringify(name)} out of order (after ${JSON.stringify(prev)})`, at);
      }
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail(this.isSpace(this.s.charCodeAt(this.i)) ? "white space" : "expected :");
      this.i++;
      out[name] = logSpans !== null && name === "log" && this.s.charCodeAt(this.i) === 0x5b ? this.array(logSpans) : this.value();
      prev = name;
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return out;
      }
      this.fail(this.isSpace(c) ? "white space" : "expected , or } in object");
    }
  }

  isSpace(c: number): boolean {
    return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  }
}

function escapeString(s: string): string {
  const bad = loneSurrogateIndex(s);
  if (bad >= 0) throw new CanonicalError("cannot serialise a lone surrogate", -1);
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c < 0x20) {
      switch (c) {
        case 0x08:
          esc = "\\b";
          break;
        case 0x09:
          esc = "\\t";
          break;
        case 0x0a:
          esc = "\\n";
          break;
        case 0x0c:
          esc = "\\f";
          break;
        case 0x0d:
          esc = "\\r";
          break;
        default:
          esc = "\\u00" + c.toString(16).padStart(2, "0");
      }
    }
    if (esc !== null) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

/** Compares strings by UTF-16 code units (RFC 8785 §3.2.3). */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical JSON text of a value. Throws on values canonical JSON cannot hold. */
export function serialize(v: Json | undefined): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(v)) throw new CanonicalError(`cannot serialise number ${v}`, -1);
      return Object.is(v, -0) ? "0" : String(v);
    case "string":
      return escapeString(v);
    case "object": {
      if (Array.isArray(v)) return "[" + v.map((x) => serialize(x)).join(",") + "]";
      const names = Object.keys(v).sort(compareUtf16);
      const parts: string[] = [];
      for (const n of names) {
        const x = (v as JsonObject)[n];
        if (x === undefined) continue;
        parts.push(escapeString(n) + ":" + serialize(x));
      }
      return "{" + parts.join(",") + "}";
    }
    default:
      throw new CanonicalError(`cannot serialise a ${typeof v}`, -1);
  }
}

/** The canonical bytes of a value (UTF-8 of serialize()). */
export function canonicalBytes(v: Json): Uint8Array {
  return utf8(serialize(v));
}
