// The public archive in a real browser, as an anonymous reader: the list of editions, an edition's
// results with every ranked practice and its chart, a category's own URL, a city and a practice, on a
// desktop and on a 390 px phone. Every page is checked for horizontal overflow (390, 360 and 320 px)
// and with axe-core (every finding counts), and photographed. Run by cmd/miasta's TestBrowserArchive
// against a `miasta dev` whose demo edition is announced:
//
//   BASE_URL=http://127.0.0.1:8080 E2E_LANG=en E2E_ARTIFACTS=dir CHROMIUM=/usr/bin/chromium node e2e/archive.mjs
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const LANG = process.env.E2E_LANG ?? "pl";
const OUT = process.env.E2E_ARTIFACTS ?? join(here, "artifacts", "archive", LANG);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const M = JSON.parse(readFileSync(join(here, "..", "src", "i18n", `${LANG}.json`), "utf8"));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(OUT, { recursive: true });

function log(s) {
  process.stdout.write(`[archive ${LANG}] ${s}\n`);
}
/** msg fills a catalogue message's simple {placeholders}. */
function msg(key, vars = {}) {
  const s = M[key];
  if (s === undefined) throw new Error(`no message ${key}`);
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}
/** prefix is the text of a message before its first placeholder, as a regular expression. */
function prefix(key) {
  return new RegExp("^\\s*" + M[key].split("{")[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

/** api calls the archive as the page does (Connect JSON over POST). */
async function api(method, body) {
  const res = await fetch(`${BASE}/miasta.v1.ArchiveService/${method}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
  return res.json();
}

const failures = [];
let shot = 0;

/** wide is what makes the page wider than the window, or "" when nothing does. */
async function wide(page) {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return "";
    const reach = (el) => {
      const r = el.getBoundingClientRect();
      const clips = getComputedStyle(el).overflowX !== "visible";
      return Math.max(r.right, clips ? 0 : r.left + el.scrollWidth);
    };
    const chain = [];
    for (let e = document.body; e; ) {
      chain.push(`${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().width)}/${e.scrollWidth}`);
      let next;
      for (const c of e.children) if (reach(c) > window.innerWidth && (!next || reach(c) > reach(next))) next = c;
      e = next;
    }
    return `${document.documentElement.scrollWidth} px: ${chain.join(" > ")}`;
  });
}

/** check photographs the page, runs axe (every finding is a failure) and, on a phone, checks it fits 390, 360 and 320 px. */
async function check(page, name, phone) {
  if (phone) {
    for (const width of [390, 360, 320]) {
      await page.setViewportSize({ width, height: 844 });
      await page.waitForTimeout(150); // the charts redraw for the new width
      const w = await wide(page);
      if (w) failures.push(`${name} is wider than a ${width} px phone (${w})`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
  } else {
    const w = await wide(page);
    if (w) failures.push(`${name} overflows the desktop window (${w})`);
  }
  shot++;
  const label = `${name}${phone ? "-phone" : ""}`;
  await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, "0")}-${label}.png`), fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  for (const v of result.violations) failures.push(`${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
  const title = await page.title();
  if (!title.endsWith("Miasta Otwarte") || title === "Miasta Otwarte") failures.push(`${label}: the page has no title of its own (${title})`);
  log(`checked ${label} “${title}”: ${result.violations.length} axe findings (${result.passes.length} rules passed)`);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

// What the archive holds, from the API, to check the pages against.
const { editions } = await api("ListPublicEditions", {});
if (!editions?.length) throw new Error("no announced edition: the demo was not played to its announcement");
const year = editions[0].year;
const results = await api("GetPublicEditionResults", { year });
const withNominations = results.categories.filter((c) => c.nominations?.length);
const nominations = withNominations.reduce((n, c) => n + c.nominations.length, 0);
const winnerCategory = withNominations.find((c) => c.nominations.some((n) => n.winner));
const winner = winnerCategory.nominations.find((n) => n.winner).nomination;
const maxText = Number(results.scale.max).toLocaleString(LANG);
log(`edition ${year}: ${nominations} nominations in ${withNominations.length} categories; scale ${results.scale.min ?? 0}–${results.scale.max}`);

async function reader(phone) {
  const device = phone ? { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } : { viewport: { width: 1280, height: 900 } };
  const context = await browser.newContext({ bypassCSP: true, locale: LANG === "pl" ? "en-US" : "pl-PL", ...device });
  context.setDefaultTimeout(30_000); // the two cores are shared with the other tests: slow, not stuck
  const page = await context.newPage();
  page.on("pageerror", (err) => failures.push(`page error: ${err.message}`));
  await page.goto(BASE + "/");
  await page.locator("header select").selectOption(LANG);
  await page.getByRole("heading", { level: 1, name: M["home.title"] }).waitFor();
  return { context, page };
}

/** charts waits for n drawn charts of kind on the page (SVGs inside their figures). */
async function charts(page, kind, n) {
  const svgs = page.locator(`figure[data-testid="${kind}"] svg`);
  await svgs.nth(n - 1).waitFor();
  const count = await svgs.count();
  if (count < n) failures.push(`${count} ${kind} charts; want ${n}`);
  // Each chart's text alternative names what it shows, and its table has a row per bar.
  const labels = await page.locator(`figure[data-testid="${kind}"] [role="img"]`).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
  if (labels.some((l) => l.length < 20)) failures.push(`a ${kind} chart has no text alternative: ${labels}`);
}

for (const phone of [false, true]) {
  const where = phone ? "phone" : "desktop";
  const { context, page } = await reader(phone);

  // ---- the list of editions, from the header's link ----
  await page.getByRole("link", { name: M["nav.archive"], exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name: M["archive.editionsTitle"] }).waitFor();
  await page.getByTestId("editions").getByText(String(year)).first().waitFor();
  const announced = await page.getByTestId("editions").getByText(prefix("archive.announcedOn")).first().innerText();
  log(`${where}: ${announced}`);
  await check(page, "editions", phone);

  // ---- the edition's results: every ranked practice, each category's chart ----
  await page.getByTestId("editions").getByRole("link", { name: new RegExp(String(year)) }).first().click();
  await page.getByTestId("winners").waitFor();
  // The jury's recommendations under the winners, and its justification beside each distinction.
  await page.getByTestId("recommendations").waitFor();
  await page.getByTestId("justification").first().waitFor();
  await page.getByTestId("ranked").nth(nominations - 1).waitFor();
  const ranked = await page.getByTestId("ranked").count();
  if (ranked !== nominations) failures.push(`${where}: the results show ${ranked} ranked practices; the edition has ${nominations}`);
  const texts = await page.getByTestId("ranked").allInnerTexts();
  if (!texts.every((t) => t.includes(`/ ${maxText}`))) failures.push(`${where}: not every score reads on its scale (/ ${maxText}): ${texts.slice(0, 2)}`);
  for (const c of withNominations) {
    for (const n of c.nominations) {
      if (!texts.some((t) => t.includes(n.nomination.practice.title))) failures.push(`${where}: ${n.nomination.practice.title} is not ranked on the page`);
    }
  }
  await charts(page, "ranking-chart", withNominations.length);
  await charts(page, "distribution-chart", 1);
  // A chart's table is one tap away.
  const table = page.locator('figure[data-testid="ranking-chart"] details').first();
  await table.locator("summary").click();
  const rows = await table.locator("tbody tr").count();
  if (rows !== withNominations[0].nominations.filter((n) => n.score).length) failures.push(`${where}: the first chart's table has ${rows} rows`);
  await check(page, "edition", phone);

  // ---- one category's own URL ----
  await page.goto(`${BASE}/results/${year}/category/${winnerCategory.category.number}`);
  await page.getByRole("heading", { level: 1, name: new RegExp(`^${winnerCategory.category.number}\\. `) }).waitFor();
  await charts(page, "ranking-chart", 1);
  const inCategory = await page.getByTestId("ranked").count();
  if (inCategory !== winnerCategory.nominations.length) failures.push(`${where}: the category page ranks ${inCategory}; want ${winnerCategory.nominations.length}`);
  await check(page, "category", phone);

  // ---- the winner's city, from the ranking ----
  await page.getByTestId("ranked").first().getByRole("link", { name: winner.city.name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: winner.city.name }).waitFor();
  await page.getByTestId("city-practices").getByRole("link", { name: winner.practice.title }).waitFor();
  await check(page, "city", phone);

  // ---- the practice, from the city's page ----
  await page.getByTestId("city-practices").getByRole("link", { name: winner.practice.title }).click();
  await page.getByTestId("practice-result").waitFor();
  await page.getByTestId("justification").waitFor();
  await charts(page, "criteria-chart", 1);
  const result = await page.getByTestId("practice-result").innerText();
  if (!result.includes(`/ ${maxText}`)) failures.push(`${where}: the practice's score does not read on its scale: ${result}`);
  if (LANG !== "pl") {
    // The demo's English machine translation is shown, the original one tap away.
    const toOriginal = page.getByRole("button", { name: prefix("archive.toOriginal") });
    await toOriginal.waitFor();
    await page.getByText(prefix("archive.showingTranslation")).waitFor();
    await toOriginal.click();
    await page.getByRole("heading", { level: 1, name: winner.practice.title }).waitFor();
    await page.getByText(prefix("archive.showingOriginal")).waitFor();
    await page.getByRole("button", { name: prefix("archive.toTranslation") }).click();
  } else {
    await page.getByRole("heading", { level: 1, name: winner.practice.title }).waitFor();
  }
  await check(page, "practice", phone);

  if (!phone) {
    // The certificate of the distinction: a PDF whose text names the city, the practice and the year.
    const [certificate] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: M["share.certificate"] }).click()]);
    const pdf = join(OUT, "certificate.pdf");
    await certificate.saveAs(pdf);
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    for (const want of [winner.city.name, String(year)]) {
      if (!text.includes(want)) failures.push(`the certificate's text lacks ${want}: ${text.slice(0, 300)}`);
    }
    if (!text.includes(winner.practice.title.split(" ")[0])) failures.push(`the certificate's text lacks the practice: ${text.slice(0, 300)}`);

    // The open data, from the results page: the practices' CSV lists the winner; the JSON has the
    // licence and says the demo edition is a demonstration.
    await page.goto(`${BASE}/results/${year}`);
    await page.getByTestId("demonstration").first().waitFor();
    const [csvFile] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: M["share.practicesCsv"] }).click()]);
    const csvPath = join(OUT, "practices.csv");
    await csvFile.saveAs(csvPath);
    if (!readFileSync(csvPath, "utf8").includes(winner.practice.title)) failures.push("the practices' CSV does not list the winner");
    const data = await (await fetch(`${BASE}/open-data/${year}.json`)).json();
    if (!data.license?.id || data.edition?.demonstration !== true) failures.push(`the open data's JSON: licence ${JSON.stringify(data.license)}, demonstration ${data.edition?.demonstration}`);

    // Link previews come in the HTML the server sends: a plain GET, no JavaScript.
    const html = await (await fetch(`${BASE}/practices/${winner.practice.id}`, { headers: { "Accept-Language": LANG } })).text();
    const meta = (prop) => html.match(new RegExp(`<meta (?:property|name)="${prop}" content="([^"]*)"`))?.[1];
    for (const prop of ["og:title", "og:description", "og:url", "og:image", "twitter:card"]) {
      if (!meta(prop)) failures.push(`the practice's HTML has no ${prop}`);
    }
    // The title as the reader's page shows it: the original, or its translation into the reader's language.
    const read = await api("GetPublicPractice", { practiceId: winner.practice.id, language: LANG });
    const names = [winner.practice.title, read.translation?.title].filter(Boolean).map((x) => x.slice(0, 20));
    if (!names.some((n) => (meta("og:title") ?? "").includes(n))) failures.push(`og:title ${meta("og:title")} names neither ${names.join(" nor ")}`);
    if (!html.includes('application/ld+json')) failures.push("the practice's HTML has no schema.org data");
    if (!html.includes(`<html lang="${LANG}"`)) failures.push(`the served HTML is not in ${LANG}`);
    const pastHtml = await (await fetch(`${BASE}/results/2015`)).text();
    if (!pastHtml.includes('property="og:title" content="Miasta Otwarte 2015"')) failures.push("the 2015 edition's page has no link preview");
    const missing = await fetch(`${BASE}/practices/00000000-0000-4000-8000-000000000000`);
    if (missing.status !== 404) failures.push(`an unknown practice answers ${missing.status}, not 404`);
  }

  // Search without diacritics: "lodz" finds Łódź's practices; then one category of them.
  await page.getByRole("link", { name: M["nav.search"], exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name: M["search.title"] }).waitFor();
  await page.getByLabel(M["search.query"], { exact: true }).fill("lodz");
  await page.getByRole("button", { name: M["search.submit"], exact: true }).click();
  await page.locator(".search-hit").filter({ hasText: "Łódź" }).first().waitFor();
  const found = await page.locator(".search-hit").count();
  const category = page.getByLabel(M["search.category"], { exact: true });
  const option = await category.locator("option").nth(1).getAttribute("value");
  await category.selectOption(option);
  await page.waitForURL((u) => u.searchParams.get("category") === option && u.searchParams.get("q") === "lodz");
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.locator(".search-hit").first().waitFor();
  const filtered = await page.locator(".search-hit").count();
  if (!(filtered >= 1 && filtered <= found)) failures.push(`${where}: "lodz" found ${found}, in one category ${filtered}`);
  await check(page, "search", phone);

  // The past edition of 2015: what its announcement states, said to be entered from the record.
  await page.goto(`${BASE}/results`);
  await page.getByTestId("past-editions").getByRole("link", { name: /2015/ }).click();
  await page.getByTestId("past-edition").waitFor();
  await page.getByText("Priscilla Rubia").waitFor();
  await page.getByText(M["past.noDistinctions"]).waitFor();
  await check(page, "past-edition", phone);
  await context.close();
}

await browser.close();
if (failures.length) {
  for (const f of failures) log(`FAIL ${f}`);
  process.exit(1);
}
log("the archive reads right");
