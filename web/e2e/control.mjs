// The organiser's control room in a real browser, from the dashboard alone (no URL typed after the
// home page): a "remind now", a semicolon-separated CSV import and an Excel workbook import, a juror's
// role revoked (their open session ends at once), a read-only observer invited, who reads the edition
// and whose change is refused, the audit timeline checked against the signed log, and the deliberation
// of an edition whose jury cast Krippendorff's worked example, showing its published alpha. Pages are
// checked with axe-core and for overflow on a 390 px phone, and photographed. Run by cmd/miasta's
// TestBrowserControlRoom against a fresh `miasta dev` (the demo edition in REPORTING), which writes
// the files to import:
//
//   BASE_URL=http://127.0.0.1:8080 E2E_LANG=pl CSV_FILE=a.csv XLSX_FILE=b.xlsx CHROMIUM=/usr/bin/chromium node e2e/control.mjs
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const LANG = process.env.E2E_LANG ?? "pl";
const OUT = process.env.E2E_ARTIFACTS ?? join(here, "artifacts", "control", LANG);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CSV_FILE = process.env.CSV_FILE;
const XLSX_FILE = process.env.XLSX_FILE;
if (!CSV_FILE || !XLSX_FILE) throw new Error("CSV_FILE and XLSX_FILE name the files to import");
const M = JSON.parse(readFileSync(join(here, "..", "src", "i18n", `${LANG}.json`), "utf8"));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(OUT, { recursive: true });

function log(s) {
  process.stdout.write(`[control ${LANG}] ${s}\n`);
}
function msg(key, vars = {}) {
  const s = M[key];
  if (s === undefined) throw new Error(`no message ${key}`);
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}
function esc(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function prefix(key) {
  return new RegExp("^\\s*" + M[key].split("{")[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

const failures = [];
let shot = 0;
async function check(page, name, phone) {
  if (phone) {
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    if (sw > 390) failures.push(`${name} is ${sw} px wide on a 390 px phone`);
  }
  shot++;
  await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, "0")}-${name}${phone ? "-phone" : ""}.png`), fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") failures.push(`${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
  }
  log(`checked ${name}: ${result.violations.length} axe findings`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });

async function persona(email, phone = false) {
  const device = phone ? { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } : { viewport: { width: 1280, height: 900 } };
  const context = await browser.newContext({ bypassCSP: true, ...device });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on("pageerror", (err) => log(`page error: ${err.message}`));
  await page.goto(BASE + "/");
  await page.locator("header select").selectOption(LANG);
  await page.getByRole("heading", { level: 1, name: M["home.title"] }).waitFor();
  await page.getByRole("link", { name: M["nav.signIn"] }).first().click();
  await page.getByRole("button", { name: new RegExp(email.replace(/\./g, "\\.")) }).click();
  await page.getByText(prefix("nav.signedInAs")).waitFor();
  return { context, page };
}
const section = (page, key) => page.getByRole("navigation", { name: M["organise.sections"] }).getByRole("link", { name: M["organise.section." + key], exact: true }).click();

// A juror signs in (accepting the invitation) and keeps the page open.
const juror = await persona("juror.lodz@miasta.test");
log("the juror signed in");

// The organiser, on a phone, from the home page to the edition's dashboard.
const { page } = await persona("organizator@miasta.test", true);
const openEdition = (p, name) =>
  p.locator(".card").filter({ has: p.getByRole("heading", { name }) }).getByRole("link", { name: M["home.organise"] }).click();
await openEdition(page, /2016/);
await page.getByRole("heading", { name: prefix("dashboard.title") }).waitFor();
await check(page, "dashboard", true);

// Remind now: a late expert's reminder goes to the outbox.
await page.getByRole("button", { name: msg("dashboard.remind", { name: "Ekspertka z Warszawy" }) }).click();
// `miasta dev` sends every kind automatically, so the reminder waits to be sent rather than reviewed.
await page.getByText(new RegExp(`${esc(M["dashboard.reminderHeld"])}|${esc(M["dashboard.reminderQueued"])}`)).first().waitFor();
await section(page, "mail");
await page.getByLabel(M["mail.showStatus"]).selectOption({ label: M["mail.ALL"] });
await page.locator(".mail-list > li").filter({ hasText: "ekspert.warszawa@miasta.test" }).filter({ hasText: M["mail.REPORTING_REMINDER"] }).first().waitFor();
log("remind now queued a reminder in the outbox");

// People: a semicolon CSV (as Polish Excel saves it) and an Excel workbook, each checked, then imported.
await section(page, "people");
for (const [file, name] of [
  [CSV_FILE, "Chidi Okafor"],
  [XLSX_FILE, "Ngozi Adeyemi"],
]) {
  await page.getByLabel(M["people.file"]).setInputFiles(file);
  await page.getByRole("button", { name: M["people.check"] }).click();
  // The import button is enabled only once the check found every row valid.
  await page.getByRole("button", { name: M["people.doImport"], exact: true }).click();
  await page.getByText(prefix("people.imported")).waitFor();
  await page.locator("details").filter({ hasText: M["people.title"] }).first().evaluate((d) => (d.open = true));
  await page.getByRole("row", { name: new RegExp(name) }).first().waitFor();
  log(`imported ${file.endsWith(".xlsx") ? "the workbook" : "the semicolon CSV"}: ${name}`);
}
// The list filters: words find a person by name, address or city, accents or not.
await page.getByLabel(M["people.search"], { exact: true }).fill("chidi");
await page.getByRole("row", { name: /Chidi Okafor/ }).waitFor();
await page.getByRole("row", { name: /Ngozi Adeyemi/ }).waitFor({ state: "detached" });
await page.getByLabel(M["people.search"], { exact: true }).fill("");
await page.getByRole("row", { name: /Ngozi Adeyemi/ }).waitFor();
await check(page, "people", true);

// The juror's role is revoked, with the reason; their open session ends.
await page.getByRole("row", { name: /Amani Wanjiru/ }).getByRole("button", { name: M["people.revokeRole"] }).click();
const dialog = page.locator("dialog[open]");
await dialog.getByLabel(M["people.revokeReason"]).fill("Konto przejęte przez kogoś innego.");
await dialog.getByRole("button", { name: M["people.revokeConfirm"], exact: true }).click();
await page.getByText(msg("people.roleRevoked", { name: "Amani Wanjiru", role: M["people.ROLE_JUROR"] })).waitFor();
await page.getByRole("row", { name: /Amani Wanjiru/ }).getByText(M["people.roleRevokedState"]).waitFor();
await juror.page.reload();
await juror.page.getByRole("link", { name: M["nav.signIn"] }).first().waitFor();
log("the juror's role is revoked and their session ended");

// An observer: the translator is invited to observe, signs in, reads, and a change is refused.
await page.getByRole("radio", { name: M["people.ROLE_OBSERVER"] }).check();
await page.getByLabel(M["people.name"], { exact: true }).fill("Тетяна Мельник");
await page.getByLabel(M["people.email"], { exact: true }).fill("tlumaczka@miasta.test");
await page.getByRole("button", { name: M["people.invite"] }).click();
await page.getByText(msg("people.invitedAs", { email: "tlumaczka@miasta.test", role: M["people.ROLE_OBSERVER"] })).waitFor();
const observer = await persona("tlumaczka@miasta.test");
await openEdition(observer.page, /2016/);
await observer.page.getByText(M["organise.observerNote"]).waitFor();
await observer.page.getByRole("heading", { name: prefix("dashboard.title") }).waitFor();
await observer.page.getByRole("button", { name: M["organise.toREVIEW"] }).click();
await observer.page.locator("dialog[open]").getByRole("button", { name: M["organise.confirmStage"], exact: true }).click();
await observer.page.getByText(M["error.PermissionDenied"]).first().waitFor();
await check(observer.page, "observer", false);
log("the observer reads the edition and a change is refused");

// The audit timeline: the revocation with its reason, checked against the signed log.
const revocation = page.locator("ol.timeline > li").filter({ hasText: M["timeline.kind.assignment.revoked"] }).first();
// The log integrates an event within a second or so; until then the entry has no leaf to check.
for (let i = 0; ; i++) {
  await section(page, i % 2 ? "dashboard" : "log");
  if (i % 2) continue;
  await revocation.getByText("Konto przejęte przez kogoś innego.").waitFor();
  if (await revocation.getByRole("button", { name: M["timeline.check"] }).count()) break;
  if (i > 20) throw new Error("the revocation never reached the log");
  await page.waitForTimeout(500);
}
await revocation.getByRole("button", { name: M["timeline.check"] }).click();
await revocation.getByText(prefix("timeline.checked")).waitFor({ timeout: 20_000 });
await check(page, "timeline", true);
log("the timeline shows the revocation, checked in the log");

// The open data's licence, chosen in the set-up.
await section(page, "setup");
await page.getByLabel(M["licence.label"], { exact: true }).selectOption("ODbL-1.0");
await page.getByRole("button", { name: M["licence.save"] }).click();
await page.getByText(msg("licence.saved", { licence: "ODbL-1.0" })).waitFor();
log("the open data licence is set");

// Deliberation: an edition whose jury cast Krippendorff's worked example shows the published ordinal
// alpha (0.815), in the reader's number format.
const KRIPPENDORFF = process.env.KRIPPENDORFF_EDITION;
if (KRIPPENDORFF) {
  await page.getByRole("link", { name: M["nav.home"], exact: true }).click();
  await openEdition(page, new RegExp(esc(KRIPPENDORFF)));
  await section(page, "jury");
  const deliberation = page.locator("section.deliberation");
  await deliberation.getByRole("heading", { name: M["deliberation.title"], exact: true }).waitFor();
  const alpha = new Intl.NumberFormat(LANG, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(0.815);
  await deliberation.getByText(M["deliberation.agreement"] + ":").first().waitFor();
  const text = await deliberation.innerText();
  if (text.includes(`${M["deliberation.agreement"]}: ${alpha}`)) log(`the deliberation shows Krippendorff's ordinal alpha ${alpha}`);
  else failures.push(`the deliberation of Krippendorff's example does not show alpha ${alpha}:\n${text.slice(0, 1500)}`);
  await check(page, "deliberation", true);
}

await browser.close();
if (failures.length) {
  for (const f of failures) log(`FAIL ${f}`);
  process.exit(1);
}
log("the control room works");
