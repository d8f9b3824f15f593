import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { fieldOf, fieldViolations } from "./api";

/** An error as connect-es reads it off the wire: its details are {type, value} pairs. */
function wireError(code: Code, ...details: { type: string; value: Uint8Array }[]): ConnectError {
  const err = new ConnectError("whatever the message says", code);
  err.details.push(...details);
  return err;
}

/** A google.rpc.BadRequest as the server encodes it. */
function badRequest(...violations: [string, string][]): Uint8Array {
  const w = new BinaryWriter();
  for (const [field, description] of violations) w.uint32((1 << 3) | 2).bytes(new BinaryWriter().uint32((1 << 3) | 2).string(field).uint32((2 << 3) | 2).string(description).finish());
  return w.finish();
}

describe("fieldOf reads the BadRequest detail, not the message", () => {
  test("the first field violation", () => {
    const err = wireError(Code.InvalidArgument, {
      type: "google.rpc.BadRequest",
      value: badRequest(["practices[2].title", "must not be empty"], ["year", "too early"]),
    });
    expect(fieldOf(err)).toBe("practices[2].title");
    expect(fieldViolations(err)).toEqual([
      { field: "practices[2].title", description: "must not be empty" },
      { field: "year", description: "too early" },
    ]);
  });
  test("no detail, another detail, a malformed one: no field", () => {
    expect(fieldOf(new ConnectError("year: looks like a field but is only text", Code.InvalidArgument))).toBeUndefined();
    expect(fieldOf(wireError(Code.Aborted, { type: "miasta.v1.Report", value: new Uint8Array([8, 1]) }))).toBeUndefined();
    expect(fieldOf(wireError(Code.InvalidArgument, { type: "google.rpc.BadRequest", value: new Uint8Array([10, 200]) }))).toBeUndefined();
    expect(fieldOf(new Error("not a Connect error"))).toBeUndefined();
  });
});
