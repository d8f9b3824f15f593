// The library must run in a browser: no Node-only imports outside the CLI,
// and esbuild can bundle it for the browser platform.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, test } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

test("library sources import nothing from node", () => {
  for (const f of readdirSync(src)) {
    if (f === "cli.ts") continue;
    const text = readFileSync(join(src, f), "utf8");
    expect(text, f).not.toMatch(/from\s+["'](node:|fs|path|crypto|buffer)["']/);
    expect(text, f).not.toMatch(/\b(Buffer|process|require)\b/);
  }
});

test("the library bundles for the browser", async () => {
  const r = await build({
    entryPoints: [join(src, "index.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  expect(r.errors).toEqual([]);
  expect(r.outputFiles[0].text.length).toBeGreaterThan(1000);
});
