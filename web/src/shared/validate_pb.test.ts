// The app's descriptors are built against a stub of validate.proto's (validate_pb.ts), which the
// browser never needs; a validator loaded later still finds every rule, with its own real descriptor.
import { create } from "@bufbuild/protobuf";
import { expect, test } from "vitest";
import { SaveBallotRequestSchema } from "../gen/miasta/v1/jury_pb.js";
import { file_buf_validate_validate } from "./validate_pb";

test("the stub is validate.proto's name and package, nothing else", () => {
  expect(file_buf_validate_validate.proto.name).toBe("buf/validate/validate.proto");
  expect(file_buf_validate_validate.messages).toHaveLength(0);
});

test("protovalidate, loaded when needed, reads the rules the stub left in the app's descriptors", async () => {
  const { createValidator } = await import("@bufbuild/protovalidate");
  const validator = createValidator();
  const good = create(SaveBallotRequestSchema, { editionId: "0b6b6f1e-0000-4000-8000-000000000001" });
  expect(validator.validate(SaveBallotRequestSchema, good).kind).toBe("valid");
  const bad = create(SaveBallotRequestSchema, { editionId: "not a uuid", expectedVersion: -1n });
  const result = validator.validate(SaveBallotRequestSchema, bad);
  expect(result.kind).toBe("invalid");
  const fields = result.violations?.map((v) => v.field.map((e) => ("name" in e ? e.name : "")).join("."));
  expect(fields?.sort()).toEqual(["edition_id", "expected_version"]);
});
