import { describe, expect, it } from "vitest";
import { fill, ruleKind } from "./serverMessages";

describe("server messages", () => {
  it("fills numbered placeholders and leaves unknown ones visible", () => {
    expect(fill("muss {a0} bis {a1} sein, nicht {a2}", { a0: "0", a1: "5" })).toBe("muss 0 bis 5 sein, nicht {a2}");
  });
  it("groups protovalidate's rule ids into what the user is told", () => {
    expect(ruleKind("required")).toBe("required");
    expect(ruleKind("string.min_len")).toBe("tooShort");
    expect(ruleKind("repeated.max_items")).toBe("tooLong");
    expect(ruleKind("int32.gte_lte")).toBe("range");
    expect(ruleKind("string.in")).toBe("choice");
    expect(ruleKind("enum.defined_only")).toBe("choice");
    expect(ruleKind("string.uuid")).toBe("format");
    expect(ruleKind("repeated.unique")).toBe("unique");
    expect(ruleKind("tally_rule.custom")).toBe("other");
  });
});
