// The report editor in a real browser: an organiser returns Kraków's submitted report with a reason;
// the expert, on a 390×844 phone, reads the reason in their language (Ukrainian), opens the editor in
// Ukrainian, Spanish, Vietnamese, Polish and English (no horizontal overflow, axe-core, a screenshot
// each, the preview included), edits the introduction and resubmits; the organiser reads the new
// text. Lublin's expert previews the accepted report in the original and as Ukrainian and Vietnamese
// jurors will read it. Run by cmd/miasta's TestBrowserReportEditor against a fresh `miasta dev` it has
// seeded (Kraków's report submitted, Lublin's accepted and translated):
//
//   BASE_URL=http://127.0.0.1:8080 E2E_ARTIFACTS=dir CHROMIUM=/usr/bin/chromium node e2e/report.mjs
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const OUT = process.env.E2E_ARTIFACTS ?? join(here, "artifacts", "report");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const C = Object.fromEntries(["pl", "en", "uk", "es", "vi"].map((l) => [l, JSON.parse(readFileSync(join(here, "..", "src", "i18n", `${l}.json`), "utf8"))]));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(OUT, { recursive: true });

const REASON = "Proszę dopisać, z kim miasto prowadzi punkt porad, i uzupełnić wstęp o liczbę osób, które z niego skorzystały.";
const NEW_INTRO = "Raport miasta Kraków. W 2016 roku z punktu porad skorzystało 1240 osób z 38 krajów.";

function log(s) {
  process.stdout.write(`[report] ${s}\n`);
}
function msg(m, key, vars = {}) {
  const s = m[key];
  if (s === undefined) throw new Error(`no message ${key}`);
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}
function esc(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function prefix(m, key) {
  return new RegExp("^\\s*" + esc(m[key].split("{")[0]));
}

const failures = [];
let shot = 0;

/**
 * phone checks the page on a 390×844 phone and a 360 px one: no wider than the screen
 * (document.scrollingElement.scrollWidth within innerWidth and the screen; the element reaching
 * furthest right named when it is not), then a full-page screenshot, one of the screen halfway down (where the
 * sticky save bar sits over the text), and axe-core at 390 px.
 */
async function phone(page, name) {
  for (const width of [360, 390]) {
    await page.setViewportSize({ width, height: 844 });
    // On a touch phone the browser zooms out to fit a page wider than the screen, and innerWidth grows
    // with it: the page is measured against the screen's width as well.
    const wide = await page.evaluate((width) => {
      const se = document.scrollingElement;
      if (se.scrollWidth <= Math.min(window.innerWidth, width)) return "";
      let worst;
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && (!worst || r.right > worst.r)) worst = { r: r.right, what: `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? "").slice(0, 40)}"` };
      }
      return `${se.scrollWidth} px wide (innerWidth ${window.innerWidth}); furthest right: ${worst?.what}`;
    }, width);
    if (wide) failures.push(`${name} overflows a ${width} px phone: ${wide}`);
  }
  shot++;
  const file = (suffix) => join(OUT, `${String(shot).padStart(2, "0")}-${name}${suffix}.png`);
  await page.screenshot({ path: file(""), fullPage: true });
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
  await page.screenshot({ path: file("-screen") });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") failures.push(`${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
  }
  log(`checked ${name}: ${result.violations.length} axe findings${result.violations.map((v) => ` ${v.id}/${v.impact}`).join("")}`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });

/** persona signs email in, in lang, on a desktop or a 390×844 touch phone. */
async function persona(email, lang, isPhone) {
  const m = C[lang];
  const device = isPhone ? { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } : { viewport: { width: 1280, height: 900 } };
  const context = await browser.newContext({ bypassCSP: true, ...device });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on("pageerror", (err) => failures.push(`page error: ${err.message}`));
  await page.goto(BASE + "/");
  await page.locator("header select").selectOption(lang);
  await page.getByRole("heading", { level: 1, name: m["home.title"] }).waitFor();
  await page.getByRole("link", { name: m["nav.signIn"] }).first().click();
  await page.getByRole("button", { name: new RegExp(esc(email)) }).click();
  await page.getByText(prefix(m, "nav.signedInAs")).waitFor();
  await page.getByRole("heading", { level: 1, name: m["home.title"] }).waitFor();
  return { context, page };
}

/** openReport goes from the home page to the city's report, as its expert would. */
async function openReport(page, m, city) {
  await page.getByRole("link", { name: msg(m, "home.report", { city }) }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(esc(msg(m, "report.title", { city }))) }).waitFor();
}

/** organiserReads opens a city's report on the organiser's reports section of the demo edition. */
async function organiserReads(page, city) {
  const m = C.pl;
  await page.goto(BASE + "/");
  await page.locator(".card").filter({ has: page.getByRole("heading", { name: /2016/ }) }).getByRole("link", { name: m["home.organise"] }).click();
  await page.getByRole("navigation", { name: m["organise.sections"] }).getByRole("link", { name: m["organise.section.reports"], exact: true }).click();
  await page.getByRole("button", { name: msg(m, "organise.read", { city }) }).click();
  return page.locator(".report-review");
}

try {
  // ---- the organiser returns Kraków's report with a reason ----
  const org = await persona("organizator@miasta.test", "pl", false);
  let review = await organiserReads(org.page, "Kraków");
  await review.getByLabel(C.pl["organise.returnComment"]).fill(REASON);
  await review.getByRole("button", { name: C.pl["organise.return"] }).click();
  await review.getByRole("button", { name: C.pl["organise.return"] }).waitFor({ state: "detached" });
  await org.page.getByRole("link", { name: C.pl["organise.backToReports"] }).click();
  await org.page.getByTestId("report-row-Kraków").getByText(C.pl["reportStatus.RETURNED"]).waitFor();
  log("the organiser returned Kraków's report");

  // ---- the expert reads the reason in Ukrainian, on a phone ----
  const ex = await persona("ekspert.krakow@miasta.test", "uk", true);
  const page = ex.page;
  await openReport(page, C.uk, "Kraków");
  await page.getByTestId("report-status").filter({ hasText: C.uk["reportStatus.RETURNED"] }).waitFor();
  const returned = page.getByRole("note").filter({ has: page.getByRole("heading", { name: C.uk["report.returnedTitle"] }) });
  await returned.getByText(REASON, { exact: true }).waitFor();
  log("the expert reads the organiser's reason under a Ukrainian heading");

  // ---- the editor on a phone in every language, the preview too ----
  for (const lang of ["uk", "es", "vi", "pl", "en"]) {
    const m = C[lang];
    await page.locator("header select").selectOption(lang);
    await page.getByRole("heading", { level: 1, name: new RegExp(esc(msg(m, "report.title", { city: "Kraków" }))) }).waitFor();
    await page.getByRole("heading", { name: m["report.returnedTitle"] }).waitFor();
    await page.getByLabel(m["report.introduction"]).waitFor();
    await phone(page, `editor-${lang}`);
    await page.getByTestId("preview-toggle").click();
    // Kraków's report is not accepted, so nothing is translated yet, and the preview says so.
    await page.getByTestId("preview").getByTestId("preview-no-translations").filter({ hasText: m["report.previewNoTranslations"] }).waitFor();
    await phone(page, `preview-${lang}`);
    await page.getByTestId("preview-toggle").click();
    await page.getByLabel(m["report.introduction"]).waitFor();
  }

  // ---- the expert edits the introduction and resubmits, in Ukrainian ----
  await page.locator("header select").selectOption("uk");
  await page.getByLabel(C.uk["report.introduction"]).fill(NEW_INTRO);
  await page.getByTestId("save-state").filter({ hasText: prefix(C.uk, "save.savedAt") }).waitFor();
  await page.getByRole("button", { name: C.uk["report.submit"] }).click();
  const dialog = page.locator("dialog[open]");
  await dialog.getByRole("button", { name: C.uk["report.submitConfirm"], exact: true }).click();
  await page.getByTestId("report-status").filter({ hasText: C.uk["reportStatus.SUBMITTED"] }).waitFor();
  if (await page.getByRole("heading", { name: C.uk["report.returnedTitle"] }).count()) failures.push("the resubmitted report still shows the reason it was returned for");
  await phone(page, "resubmitted-uk");
  log("the expert edited the introduction and resubmitted");

  // ---- the organiser reads the change ----
  review = await organiserReads(org.page, "Kraków");
  await review.getByText(NEW_INTRO, { exact: true }).waitFor();
  await review.getByRole("button", { name: C.pl["organise.accept"] }).waitFor();
  await org.page.getByRole("link", { name: C.pl["organise.backToReports"] }).click();
  await org.page.getByTestId("report-row-Kraków").getByText(C.pl["reportStatus.SUBMITTED"]).waitFor();
  log("the organiser reads the resubmitted introduction and may decide again");

  // ---- Lublin's expert previews the accepted report as jurors will read it ----
  const lub = await persona("ekspert.lublin@miasta.test", "uk", true);
  await openReport(lub.page, C.uk, "Lublin");
  await lub.page.getByTestId("preview-toggle").click();
  const preview = lub.page.getByTestId("preview");
  const select = preview.getByTestId("preview-language");
  // The translations load after the preview opens: wait for the last language the report has.
  await select.locator('option[value="vi"]').waitFor({ state: "attached" });
  const options = await select.locator("option").evaluateAll((os) => os.map((o) => o.value));
  if (options.join(",") !== "pl,uk,vi") failures.push(`the preview offers ${options}; want the original, Ukrainian and Vietnamese (the languages translated)`);
  await preview.getByText("Lubelskie Centrum Wielokulturowe", { exact: true }).waitFor();
  await phone(lub.page, "lublin-preview-original");
  await select.selectOption("uk");
  const ukTitle = preview.getByText("Люблінський багатокультурний центр", { exact: true });
  await ukTitle.waitFor();
  if ((await ukTitle.getAttribute("lang")) !== "uk") failures.push("the Ukrainian title is not marked lang=uk");
  await preview.getByText("Юридичні консультації, курси польської мови та сусідські зустрічі.").first().waitFor();
  if (await preview.getByTestId("preview-outdated").count()) failures.push("the current Ukrainian translation is said to be outdated");
  await phone(lub.page, "lublin-preview-uk");
  await select.selectOption("vi");
  const viTitle = preview.getByText("Trung tâm Đa văn hóa Lublin", { exact: true });
  await viTitle.waitFor();
  if ((await viTitle.getAttribute("lang")) !== "vi") failures.push("the Vietnamese title is not marked lang=vi");
  await preview.getByTestId("preview-outdated").waitFor();
  await preview.getByText(C.uk["translation.machineNote"]).waitFor();
  await preview.getByText(C.uk["translation.partialNote"]).waitFor();
  await phone(lub.page, "lublin-preview-vi");
  log("Lublin's expert previews the report in the original, Ukrainian and Vietnamese");
} catch (err) {
  failures.push(`stopped: ${err.stack ?? err}`);
  for (const [i, c] of browser.contexts().entries()) for (const p of c.pages()) await p.screenshot({ path: join(OUT, `failed-${i}.png`), fullPage: true }).catch(() => {});
}
await browser.close();
if (failures.length) {
  for (const f of failures) log("FAIL " + f);
  process.exit(1);
}
log("all good");
