// Runs the browser bundle in headless Chromium against spec vectors:
//   npm run build:browser && node scripts/browser-smoke.mjs [VECTORS_DIR]
// Serves dist/ and the vectors on 127.0.0.1, loads a page that calls verify()
// for every vector of the manifest, and compares each verdict with `expect`
// (and, for a vector with `only`, checks it verifies with that check off).
// Needs a `chromium` binary; exits 2 when there is none.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const vectors = resolve(process.argv[2] ?? join(root, "../spec/vectors"));
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
if (!chromium) {
  console.error("no chromium found");
  process.exit(2);
}
const bundle = join(root, "dist/miasta-verify.browser.mjs");
if (!existsSync(bundle)) {
  console.error("run npm run build:browser first");
  process.exit(2);
}

const page = `<!doctype html><html><body><pre id="out">pending</pre><script type="module">
import { runVector } from "/lib.mjs";
const m = await (await fetch("/v/manifest.json")).json();
let bad = 0; const lines = [];
for (const v of m.vectors) {
  const bytes = new Uint8Array(await (await fetch("/v/" + v.file)).arrayBuffer());
  const pins = await Promise.all((Array.isArray(v.checkpoints) ? v.checkpoints : []).map(async (f) => (await fetch("/v/" + f)).text()));
  const o = await runVector(v, bytes, pins);
  if (!o.pass) { bad++; lines.push("FAIL " + v.name + ": expected " + v.expect + ", got " + o.got + (o.only ? "; only: " + o.only.detail : "")); }
}
lines.push((m.vectors.length - bad) + " passed, " + bad + " failed");
document.getElementById("out").textContent = lines.join("\\n");
</script></body></html>`;

const server = createServer((req, res) => {
  const url = decodeURIComponent(req.url ?? "/");
  let body;
  let type = "application/json";
  if (url === "/") [body, type] = [page, "text/html"];
  else if (url === "/lib.mjs") [body, type] = [readFileSync(bundle), "text/javascript"];
  else if (url.startsWith("/v/") && !url.includes("..")) body = existsSync(join(vectors, url.slice(3))) ? readFileSync(join(vectors, url.slice(3))) : null;
  if (body == null) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": type });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  // Asynchronous: the server above must keep answering while Chromium runs.
  const child = spawn(
    chromium,
    ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=120000", "--dump-dom", `http://127.0.0.1:${port}/`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const timer = setTimeout(() => child.kill(), 180_000);
  child.on("close", (status) => {
    clearTimeout(timer);
    server.close();
    const m = /<pre id="out">([^<]*)<\/pre>/.exec(stdout);
    const out = m ? m[1] : `no result from the page (chromium exit ${status})`;
    console.log(out);
    process.exit(/ 0 failed$/.test(out) ? 0 : 1);
  });
});
