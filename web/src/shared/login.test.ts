import { describe, expect, it } from "vitest";

import { loginHref } from "./components";

describe("loginHref", () => {
  it("returns to the page and asks the provider chooser for the page's language", () => {
    expect(loginHref("/edycje/2015", "uk")).toBe("/auth/login?return_to=%2Fedycje%2F2015&lang=uk");
  });
  it("leaves the language to the browser when none is given", () => {
    expect(loginHref("/")).toBe("/auth/login?return_to=%2F");
  });
});
