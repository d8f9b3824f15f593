import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { retryDelay, transient } from "./autosave";

describe("autosave retries", () => {
  test("the network's and the server's failures are tried again; the content's are not", () => {
    for (const c of [Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.ResourceExhausted, Code.Internal]) {
      expect(transient(new ConnectError("x", c)), Code[c]).toBe(true);
    }
    for (const c of [Code.InvalidArgument, Code.FailedPrecondition, Code.PermissionDenied, Code.Unauthenticated, Code.NotFound, Code.Aborted]) {
      expect(transient(new ConnectError("x", c)), Code[c]).toBe(false);
    }
    expect(transient(new TypeError("Failed to fetch"))).toBe(true); // a fetch that never reached the server
  });
  test("the pause doubles from 2 s up to a minute", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(retryDelay)).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });
});
