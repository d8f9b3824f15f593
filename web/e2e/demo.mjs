// The whole demo edition in a real browser: an expert drafts and submits, the organiser accepts and
// shortlists, a translator translates, three jurors cast, the organiser closes and announces, and the public results page shows
// the winners. Every page is checked with axe-core (no serious or critical violations) and
// photographed. Run by cmd/miasta's TestBrowserDemo against a fresh `miasta dev`:
//
//   BASE_URL=http://127.0.0.1:8080 E2E_LANG=pl E2E_ARTIFACTS=dir CHROMIUM=/usr/bin/chromium node e2e/demo.mjs
import { createHash } from "node:crypto";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const LANG = process.env.E2E_LANG ?? "pl";
const OUT = process.env.E2E_ARTIFACTS ?? join(here, "artifacts", LANG);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const catalogue = (l) => JSON.parse(readFileSync(join(here, "..", "src", "i18n", `${l}.json`), "utf8"));
const M = catalogue(LANG);
/** serverText is the server's English message format in lang, from its catalogue (keyed as fault.ReasonOf). */
const serverText = (format, l = LANG) =>
  JSON.parse(readFileSync(join(here, "..", "src", "i18n", `server.${l}.json`), "utf8"))["m" + createHash("sha256").update(format).digest("hex").slice(0, 10)];
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(OUT, { recursive: true });

/** msg fills a catalogue message's simple {placeholders}; plural messages are not used as selectors. */
function msg(key, vars = {}, m = M) {
  const s = m[key];
  if (s === undefined) throw new Error(`no message ${key}`);
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}
/** prefix is the text of a message before its first placeholder, as a regular expression. */
function prefix(key, m = M) {
  return new RegExp("^\\s*" + m[key].split("{")[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

let shot = 0;
const violations = [];
/** fits checks the page at 390, 360 and 320 px: no wider than the phone (wide tables scroll within);
 * then back to the size it had. Every checked step goes through it. */
async function fits(page, name) {
  const before = page.viewportSize();
  for (const width of [390, 360, 320]) {
    await page.setViewportSize({ width, height: 844 });
    const wide = await page.evaluate(() => {
      if (document.documentElement.scrollWidth <= window.innerWidth) return "";
      // Down from <body>, the child reaching furthest right (its box, or what overflows it unclipped).
      const reach = (el) => {
        const r = el.getBoundingClientRect();
        const clips = getComputedStyle(el).overflowX !== "visible";
        return Math.max(r.right + (parseFloat(getComputedStyle(el).marginRight) || 0), clips ? 0 : r.left + el.scrollWidth);
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
    if (wide) throw new Error(`${name} is wider than a ${width} px phone (${wide})`);
  }
  await page.setViewportSize(before ?? { width: 1280, height: 900 });
}

/** phoneFits is fits, then a screenshot and axe at 390 px, and back to the size the page had. */
async function phoneFits(page, name) {
  const before = page.viewportSize();
  await fits(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, name + "-phone", name.startsWith("juror"));
  await page.setViewportSize(before ?? { width: 1280, height: 900 });
}

/** check is fits, then a screenshot and axe at the page's size (every finding counts when strict). */
async function check(page, name, strict = false) {
  await fits(page, name);
  await shoot(page, name, strict);
}

async function shoot(page, name, strict) {
  shot++;
  const file = join(OUT, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    if (strict || v.impact === "serious" || v.impact === "critical") {
      violations.push(`${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
    }
  }
  log(`checked ${name}: ${result.violations.length} axe findings (${result.passes.length} rules passed)${result.violations.map((v) => ` ${v.id}/${v.impact}`).join("")}`);
}

function log(s) {
  process.stdout.write(`[e2e ${LANG}] ${s}\n`);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

/**
 * persona opens a fresh browser profile, picks the language and signs in as email (or stays
 * anonymous); phone is a 390×844 touch screen.
 */
async function persona(email, lang = LANG, phone = false) {
  const m = catalogue(lang);
  // bypassCSP lets axe-core be injected; the app itself runs under its real policy otherwise.
  const device = phone ? { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } : { viewport: { width: 1280, height: 900 } };
  const context = await browser.newContext({ bypassCSP: true, locale: lang === "pl" ? "en-US" : "pl-PL", ...device });
  context.setDefaultTimeout(30_000); // the two cores are shared with the other tests: slow, not stuck
  const page = await context.newPage();
  page.on("pageerror", (err) => log(`page error: ${err.message}`));
  await page.goto(BASE + "/");
  // The browser's own language is deliberately another one: the user's choice must win and stay.
  await page.locator("header select").selectOption(lang);
  await page.getByRole("heading", { level: 1, name: m["home.title"] }).waitFor();
  if (email) {
    await page.getByRole("link", { name: m["nav.signIn"] }).first().click();
    await page.getByRole("button", { name: new RegExp(email.replace(/\./g, "\\.")) }).click();
    await page.getByText(prefix("nav.signedInAs", m)).waitFor();
    await page.getByRole("heading", { level: 1, name: m["home.title"] }).waitFor();
  }
  return { context, page, m };
}

/**
 * foreignText lists interface strings of other languages' catalogues (Polish and English) on a page
 * in lang: text outside elements marked with another language (the reports' own Polish, names shown
 * in the original) that is a message of another catalogue and not of lang's.
 */
async function foreignText(page, lang) {
  const own = new Set(Object.values(catalogue(lang)));
  const fragments = new Set();
  for (const l of ["pl", "en"]) {
    if (l === lang) continue;
    for (const v of Object.values(catalogue(l))) {
      const head = v.split("{")[0].trim();
      if (head.length >= 8 && !own.has(v) && ![...own].some((o) => o.includes(head))) fragments.add(head);
    }
  }
  const text = await page.evaluate((lang) => {
    const out = [];
    const walk = (el) => {
      const l = el.getAttribute && el.getAttribute("lang");
      if (l && l !== lang) return;
      if (el.nodeType === 3) out.push(el.textContent);
      else for (const c of el.childNodes) walk(c);
      if (el.getAttribute) for (const a of ["aria-label", "title", "placeholder"]) if (el.getAttribute(a)) out.push(el.getAttribute(a));
    };
    walk(document.body);
    return out.join("\n");
  }, lang);
  return [...fragments].filter((f) => text.includes(f));
}

/** section opens a section of the organiser page by its tab, as an organiser would (never by URL). */
async function section(page, name) {
  await page.getByRole("navigation", { name: M["organise.sections"] }).getByRole("link", { name: M["organise.section." + name], exact: true }).click();
}

/** moveDespite moves the edition on through a confirmation that names what it warns of, given the reason. */
async function moveDespite(page, buttonKey, names, reason) {
  await page.getByRole("button", { name: M[buttonKey] }).click();
  const dialog = page.locator("dialog[open]");
  const warned = dialog.getByTestId("stage-warnings");
  await warned.waitFor();
  for (const n of names) await warned.getByText(n, { exact: true }).waitFor();
  await dialog.getByLabel(M["organise.reason"]).fill(reason);
  await dialog.getByRole("button", { name: M["organise.confirmStage"], exact: true }).click();
}

async function confirmDialog(page, confirmLabel) {
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: confirmLabel, exact: true }).click();
}

async function waitSaved(page, m = M) {
  await page.getByTestId("save-state").filter({ hasText: prefix("save.savedAt", m) }).waitFor();
}

const receipts = []; // the jurors' receipts, checked on the public results page
try {
  // ---- the expert from Warsaw drafts and submits ----
  const expert = await persona("ekspert.warszawa@miasta.test");
  let page = expert.page;
  await page.getByRole("link", { name: msg("home.report", { city: "Warszawa" }) }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(msg("report.title", { city: "Warszawa" })) }).waitFor();
  await check(page, "expert-empty-report");
  await phoneFits(page, "expert-empty-report");
  await page.getByLabel(M["report.introduction"]).fill("Warszawa od lat rozwija politykę integracji cudzoziemców.");
  const UK_TITLE = "Багатокультурний центр"; // practices[0]'s title, as the translator translates it
  const practices = [
    { title: "Centrum Wielokulturowe", category: 1, text: "Miejsce spotkań, porad i kursów językowych." },
    { title: "Warszawski Program Integracji", category: 0, text: "Strategia miasta na lata 2015–2020." },
  ];
  for (const [i, p] of practices.entries()) {
    await page.getByRole("button", { name: M["report.addPractice"] }).click();
    const card = page.getByTestId("practice").nth(i);
    await card.getByLabel(M["practice.title"]).fill(p.title);
    const select = card.getByLabel(M["practice.category"]);
    const value = await select.locator("option").nth(p.category).getAttribute("value");
    await select.selectOption(value);
    await card.getByLabel(M["practice.description"]).fill(p.text);
    await card.getByLabel(M["practice.sinceYear"]).fill(String(2012 + i));
    await card.getByLabel(M["practice.evidenceLinks"]).fill(`https://um.warszawa.pl/praktyka-${i + 1}\n`);
  }
  // Removing a practice asks once and can be undone: the first practice goes and comes back.
  await page.getByTestId("practice").first().getByRole("button", { name: M["report.removePractice"] }).click();
  await confirmDialog(page, M["report.removePractice"]);
  await page.getByTestId("practice-removed").waitFor();
  if ((await page.getByTestId("practice").count()) !== 1) throw new Error("the removed practice is still there");
  await page.getByTestId("practice-removed").getByRole("button", { name: M["report.undoRemove"] }).click();
  if ((await page.getByLabel(M["practice.title"]).first().inputValue()) !== practices[0].title) throw new Error("undo did not bring the practice back in its place");
  await waitSaved(page);
  // A draft always saves: a link without https:// and an over-long narrative are saved and marked
  // beside their fields with a live counter, and saves send only what changed, so typing at the end
  // of a 100,000-character text sends a few hundred bytes.
  const card0 = page.getByTestId("practice").first();
  await card0.getByLabel(M["practice.evidenceLinks"]).fill("um.warszawa.pl/aktualności\n");
  const narrative0 = card0.locator("fieldset textarea").first();
  const bulk = "Centrum prowadzi porady prawne, kursy języka polskiego i spotkania sąsiedzkie. ".repeat(1300);
  await narrative0.fill(bulk);
  await waitSaved(page);
  await page.getByTestId("problem-count").waitFor();
  if ((await card0.getByTestId("field-problems").count()) < 2) throw new Error("the bad link and the over-long narrative are not both marked");
  if (!(await card0.locator(".counter.over").count())) throw new Error("the over-long narrative's counter is not marked");
  await check(page, "expert-problems");
  const sizes = [];
  const onRequest = (r) => {
    if (r.url().endsWith("/SaveReport")) sizes.push((r.postDataBuffer() ?? Buffer.alloc(0)).length);
  };
  page.on("request", onRequest);
  await narrative0.evaluate((el) => {
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  });
  await page.keyboard.type(" Dopisane na końcu.", { delay: 15 });
  await waitSaved(page);
  page.off("request", onRequest);
  if (!sizes.length || Math.max(...sizes) > 20_000) throw new Error(`autosaves sent ${sizes.join(", ")} bytes; want each under 20 KB`);
  // Fixed, the problems go; the text is exactly what was typed.
  await card0.getByLabel(M["practice.evidenceLinks"]).fill("https://um.warszawa.pl/aktualności\n");
  const narrativeText = bulk.slice(0, 40_000) + " Dopisane na końcu.";
  await narrative0.fill(narrativeText);
  await waitSaved(page);
  await page.getByTestId("problem-count").waitFor({ state: "detached" });
  // The rest of a 30,000-word report (about 260,000 characters): three more narratives pasted in, and
  // a sentence typed by keyboard into the middle of one of them.
  const more = [1, 2, 3].map((k) => `Kryterium ${k}: ` + "Miasto współpracuje z organizacjami pozarządowymi i samymi cudzoziemcami na każdym etapie. ".repeat(800));
  for (const [k, text] of more.entries()) await card0.locator("fieldset textarea").nth(k + 1).fill(text);
  await waitSaved(page);
  await card0.locator("fieldset textarea").nth(2).evaluate((el) => {
    el.focus();
    el.setSelectionRange(20_000, 20_000);
  });
  await page.keyboard.type("[wpisane w środku] ", { delay: 10 });
  more[1] = more[1].slice(0, 20_000) + "[wpisane w środku] " + more[1].slice(20_000);
  await waitSaved(page);
  const typed = [narrativeText, ...more];
  const words = (await page.evaluate(() => [...document.querySelectorAll("textarea, input[type=text]")].map((el) => el.value).join(" "))).split(/\s+/).filter(Boolean).length;
  if (words < 30_000) throw new Error(`the report holds ${words} words; the demo wants a 30,000-word one`);
  // The history: a slip (the introduction wiped) is saved, seen in the comparison and undone by
  // restoring the version before it, as a new version.
  const intro = await page.getByLabel(M["report.introduction"]).inputValue();
  await page.getByLabel(M["report.introduction"]).fill("");
  await waitSaved(page);
  await page.getByTestId("history").locator("summary").click();
  await page.getByTestId("history").getByRole("button", { name: M["history.compare"], exact: true }).click();
  const diffText = await page.getByTestId("history-diff").innerText();
  if (!diffText.includes(intro)) throw new Error("the comparison does not show the wiped introduction:\n" + diffText);
  await check(page, "expert-history");
  await phoneFits(page, "expert-history");
  await page.getByTestId("version-row").nth(1).getByRole("button", { name: M["history.restore"] }).click();
  await confirmDialog(page, M["history.restore"]);
  await page.getByTestId("version-row").first().filter({ hasText: M["history.kindRestore"].split("{")[0] }).waitFor();
  if ((await page.getByLabel(M["report.introduction"]).inputValue()) !== intro) throw new Error("restoring did not bring the introduction back");
  await page.getByTestId("history").locator("summary").click();
  // Files: a PDF and a picture attached to the first practice (the server decides their type from
  // their bytes); the jurors open them below.
  const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
  const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  await card0.getByTestId("attachment-input").setInputFiles([
    { name: "Strategia Warszawy 2030.pdf", mimeType: "application/pdf", buffer: PDF },
    { name: "Centrum — zdjęcie.png", mimeType: "image/png", buffer: PNG },
  ]);
  await card0.getByTestId("attachment-link").nth(1).waitFor();
  await check(page, "expert-attachments");
  // The report downloads as a PDF.
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: M["report.downloadPdf"] }).click()]);
  if (!/^raport-warszawa-v\d+\.pdf$/.test(pdf.suggestedFilename())) throw new Error("the PDF is named " + pdf.suggestedFilename());
  // The preview shows the report as the organisers and jurors read it, files included.
  await page.getByTestId("preview-toggle").click();
  await page.getByTestId("preview").getByText(practices[1].title).waitFor();
  if ((await page.getByTestId("preview").getByTestId("attachment-link").count()) !== 2) throw new Error("the preview does not show the files");
  await check(page, "expert-preview");
  await page.getByTestId("preview-toggle").click();
  await page.getByLabel(M["report.introduction"]).waitFor();
  // The save state stays in view at the bottom of the report, where the expert is typing.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const inView = await page.getByTestId("save-state").evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  if (!inView) throw new Error("the save state scrolls out of view");
  await page.evaluate(() => window.scrollTo(0, 0));
  await check(page, "expert-draft-saved");
  await phoneFits(page, "expert-report");
  // Offline, the save fails and says it will try again; back online, it is saved without a keystroke.
  await expert.context.setOffline(true);
  await page.getByLabel(M["report.introduction"]).fill("Warszawa od lat rozwija politykę integracji cudzoziemców i migrantów.");
  await page.getByTestId("save-state").filter({ hasText: M["save.retrying"] }).waitFor();
  await check(page, "expert-offline");
  await expert.context.setOffline(false);
  await waitSaved(page);
  // A reload shows what was saved: nothing typed is lost.
  await page.reload();
  await page.getByLabel(M["practice.title"]).first().waitFor();
  if ((await page.getByLabel(M["practice.title"]).nth(1).inputValue()) !== practices[1].title) {
    throw new Error("the saved draft did not survive a reload");
  }
  for (const [k, text] of typed.entries()) {
    if ((await page.getByTestId("practice").first().locator("fieldset textarea").nth(k).inputValue()) !== text) {
      throw new Error(`narrative ${k + 1} came back from the server different from what was typed`);
    }
  }
  // A reload before the autosave: the browser kept a copy, and restoring it saves it.
  page.once("dialog", (d) => d.accept()); // "leave the page?" while a change is unsaved
  await page.getByLabel(M["report.introduction"]).fill("Tekst wpisany tuż przed zamknięciem karty.");
  await page.reload();
  await page.getByRole("button", { name: M["localDraft.restore"] }).click();
  await waitSaved(page);
  if ((await page.getByLabel(M["report.introduction"]).inputValue()) !== "Tekst wpisany tuż przed zamknięciem karty.") {
    throw new Error("the local copy was not restored");
  }
  // The same report open in a second tab: both save, the second save meets the first one's version
  // and shows both versions; the expert keeps theirs and nothing is lost.
  const other = await expert.context.newPage();
  await other.goto(page.url());
  await other.getByLabel(M["report.introduction"]).fill("Wersja z drugiej karty.");
  await waitSaved(other);
  await page.getByLabel(M["report.introduction"]).fill("Warszawa rozwija politykę integracji cudzoziemców od 2008 roku.");
  await page.getByRole("heading", { name: M["conflict.title"], exact: true }).waitFor();
  const conflictText = await page.locator(".conflict").innerText();
  if (!conflictText.includes("Wersja z drugiej karty.") || !conflictText.includes("od 2008 roku")) {
    throw new Error("the conflict panel does not show both versions:\n" + conflictText);
  }
  await check(page, "expert-conflict");
  await page.getByRole("button", { name: M["conflict.keepMine"] }).click();
  await waitSaved(page);
  await other.close();
  await page.getByRole("button", { name: M["report.submit"] }).click();
  await confirmDialog(page, M["report.submitConfirm"]);
  await page.getByTestId("report-status").filter({ hasText: M["reportStatus.SUBMITTED"] }).waitFor();
  await check(page, "expert-submitted");
  log("the expert submitted the report");

  // ---- the organiser accepts, shortlists, fixes the rule and opens the jury ----
  const organiser = await persona("organizator@miasta.test");
  page = organiser.page;
  await page.getByRole("link", { name: M["home.organise"] }).click();
  // The organiser lands on the dashboard: where the edition stands, and what is missing.
  await page.getByTestId("dashboard").waitFor();
  await section(page, "mail");
  // Invitations held for review: the one the import below makes is edited (saved as typed, kept over a
  // reload) and released.
  await page.getByText(M["mail.policy"], { exact: true }).click();
  await page.getByLabel(msg("mail.deliveryOf", { kind: M["mail.INVITATION"] })).selectOption({ label: M["mail.REVIEW"] });
  // Bulk set-up: a file with a bad row imports nothing and names the row; the corrected one imports.
  const header = "name,email,role,city,home_city,language\n";
  await section(page, "people");
  const upload = async (csv) =>
    page.getByLabel(M["people.file"]).setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await upload(header + "Ana Silva,ana.silva@miasta.test,judge,,Kraków,es\n");
  await page.getByRole("button", { name: M["people.check"] }).click();
  await page.getByRole("cell", { name: "role", exact: true }).waitFor();
  await page.getByRole("cell", { name: serverText("must be expert or juror"), exact: true }).waitFor(); // in the organiser's language
  if (!(await page.getByRole("button", { name: M["people.doImport"], exact: true }).isDisabled())) {
    throw new Error("a file with problems can be imported");
  }
  await upload((header + "Ana Silva,ana.silva@miasta.test,juror,,Kraków,es\n").replaceAll(",", ";")); // as Polish Excel saves CSV
  await page.getByRole("button", { name: M["people.check"] }).click();
  await page.getByRole("button", { name: M["people.doImport"], exact: true }).click();
  await page.getByRole("status").filter({ hasText: prefix("people.imported") }).waitFor();
  await page.reload();
  await section(page, "mail");
  const heldMail = () => page.locator("details.card").filter({ hasText: "ana.silva@miasta.test" });
  await heldMail().locator("summary").click();
  const subject = "Zaproszenie do jury Miasta Otwarte 2016 – edycja demonstracyjna — Ana Silva";
  await heldMail().getByLabel(M["mail.subject"]).fill(subject);
  await heldMail().getByTestId("save-state").filter({ hasText: prefix("save.savedAt") }).waitFor();
  await check(page, "organiser-mail-edited");
  await page.reload();
  await heldMail().locator("summary").click();
  if ((await heldMail().getByLabel(M["mail.subject"]).inputValue()) !== subject) throw new Error("the edited mail's subject did not survive a reload");
  await heldMail().getByRole("button", { name: M["mail.release"], exact: true }).click();
  await heldMail().waitFor({ state: "detached" });
  await page.getByText(M["mail.policy"], { exact: true }).click();
  await page.getByLabel(msg("mail.deliveryOf", { kind: M["mail.INVITATION"] })).selectOption({ label: M["mail.AUTOMATIC"] });
  // The edition publishes ballots under pseudonyms with home cities: a city with one juror is named.
  await section(page, "people");
  await page.locator(".notice").filter({ hasText: "Kraków" }).waitFor();
  await check(page, "organiser-imported");
  await phoneFits(page, "organiser-imported");
  await section(page, "mail");
  // miasta dev sends every kind without review: the invitations are in the outbox as sent.
  await page.getByLabel(M["mail.showStatus"]).selectOption({ label: M["mail.SENT"] });
  await page.locator(".mail-list summary").filter({ hasText: "ekspert.warszawa@miasta.test" }).first().waitFor();
  await section(page, "reports");
  await page.getByRole("button", { name: msg("organise.read", { city: "Warszawa" }) }).click();
  // The organiser reads the whole report, links included, before accepting it.
  await page.getByRole("link", { name: "https://um.warszawa.pl/aktualności" }).waitFor();
  // The organiser lets the public read the first file (once the practice is distinguished and announced).
  const publish = page.getByTestId("attachment-publish").first();
  await publish.click();
  await page.waitForFunction(() => {
    const box = document.querySelector('[data-testid="attachment-publish"]');
    return box && box.checked && !box.disabled;
  });
  await page.getByRole("button", { name: M["organise.accept"] }).click();
  await page.getByRole("link", { name: M["organise.backToReports"] }).click();
  await page.getByTestId("report-row-Warszawa").getByText(M["reportStatus.ACCEPTED"]).waitFor();
  await check(page, "organiser-accepted");
  await page.getByRole("button", { name: M["organise.toREVIEW"] }).click();
  await confirmDialog(page, M["organise.confirmStage"]);
  await page.getByRole("heading", { name: M["organise.shortlist"], exact: true }).waitFor();
  for (const p of practices) {
    await page.getByRole("button", { name: msg("organise.nominate", { title: p.title }) }).click();
    await page.getByRole("button", { name: msg("organise.unnominate", { title: p.title }) }).waitFor();
  }
  await section(page, "setup");
  await page.getByRole("button", { name: M["rule.save"] }).click();
  await page.getByRole("status").filter({ hasText: M["rule.saved"] }).waitFor();
  await check(page, "organiser-shortlist");
  // Five cities never reported: opening the jury needs an explicit override with a reason.
  await page.getByRole("button", { name: M["organise.toJURY"] }).click();
  await confirmDialog(page, M["organise.confirmStage"]);
  const dialog = page.locator("dialog[open]");
  await dialog.getByRole("alert").waitFor();
  await dialog.getByLabel(M["organise.reason"]).fill("Pozostałe miasta nie złożyły raportów w terminie.");
  await dialog.getByLabel(M["organise.override"]).check();
  await dialog.getByRole("button", { name: M["organise.confirmStage"], exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await section(page, "jury");
  await page.getByRole("heading", { name: M["organise.juryProgress"], exact: true }).waitFor();
  await check(page, "organiser-jury-open");
  await phoneFits(page, "organiser-jury-open");
  log("the organiser opened the jury round");

  // ---- the translator translates a nominated practice beside its original ----
  const translator = await persona("tlumaczka@miasta.test");
  const tp = translator.page;
  await tp.getByRole("link", { name: M["home.translate"] }).click();
  await tp.getByRole("heading", { level: 1, name: M["translate.title"] }).waitFor();
  // Into Ukrainian, which the Lublin juror reads below.
  await tp.getByLabel(M["translate.language"]).selectOption("uk");
  await tp.getByRole("button", { name: practices[0].title }).click();
  const titleField = tp.getByLabel(msg("translate.translation", { what: M["practice.title"], language: "Українська" }));
  await titleField.fill(UK_TITLE);
  await waitSaved(tp);
  if ((await titleField.getAttribute("lang")) !== "uk") throw new Error("the translation field is not marked lang=uk");
  await check(tp, "translator-saved");
  await phoneFits(tp, "translator");
  await translator.context.close();
  log("the translator translated a practice");

  // ---- three jurors score and cast, each in their own language: the Spanish one on a desktop with
  // the keyboard alone, the Ukrainian and the Vietnamese one by touch on a 390 px phone ----
  const jurors = [
    { email: "juror.wroclaw@miasta.test", lang: "es", phone: false },
    { email: "juror.lublin@miasta.test", lang: "uk", phone: true },
    // The Łódź juror reads in Vietnamese here: the Warsaw one (who does) is recused from every
    // nomination of this run, all from Warsaw.
    { email: "juror.lodz@miasta.test", lang: "vi", phone: true },
  ];
  let readTranslation = false;
  for (const [j, { email, lang, phone }] of jurors.entries()) {
    const juror = await persona(email, lang, phone);
    const jp = juror.page;
    const J = juror.m;
    const keyboard = !phone;
    await jp.getByRole("link", { name: J["home.ballot"] }).click();
    await jp.getByRole("heading", { level: 1, name: new RegExp(J["ballot.title"]) }).waitFor();
    await jp.locator("[data-ballot-usable]").waitFor();
    // One nomination at a time: score each criterion, then Next, until the last one.
    for (let n = 0; ; n++) {
      await jp.getByTestId("nomination").waitFor();
      const groups = jp.locator("fieldset.score");
      const g = await groups.count(); // none when the juror is recused from this one
      for (let k = 0; k < g; k++) {
        const group = groups.nth(k);
        if (keyboard) {
          // Keyboard: Tab reaches the group's choices; Space chooses, arrows move (3 + k + n) % 5 steps.
          await group.locator("input").first().focus();
          await jp.keyboard.press("Space");
          for (let s = 0; s < (3 + k + n) % 5; s++) await jp.keyboard.press("ArrowRight");
        } else {
          await group.locator("label").nth((j + k + n) % 6).tap();
        }
      }
      if (n === 0 && phone) await phoneFits(jp, `juror-${lang}-nomination`);
      if (lang === "uk" && (await jp.getByRole("heading", { level: 3, name: new RegExp(UK_TITLE) }).count())) {
        // The translated practice: its title in Ukrainian, marked so, with the Polish original one tap away.
        const heading = jp.locator("#current-nomination span").first();
        if ((await heading.getAttribute("lang")) !== "uk") throw new Error("the translated title is not marked lang=uk");
        const toOriginal = jp.getByRole("button", { name: J["translation.showOriginal"] });
        await toOriginal.tap();
        await jp.getByRole("heading", { level: 3, name: new RegExp(practices[0].title) }).waitFor();
        if ((await heading.getAttribute("lang")) !== "pl") throw new Error("the original title is not marked lang=pl");
        await jp.getByRole("button", { name: J["translation.showTranslation"].replace("{language}", "Українська") }).tap();
        await jp.getByRole("heading", { level: 3, name: new RegExp(UK_TITLE) }).waitFor();
        readTranslation = true;
        // The practice's files open for the juror, byte for byte what the expert attached.
        const links = jp.getByTestId("attachment-link");
        if ((await links.count()) !== 2) throw new Error("the juror does not see the practice's two files");
        for (const [k, want] of [[0, PDF], [1, PNG]]) {
          const res = await jp.request.get(new URL(await links.nth(k).getAttribute("href"), jp.url()).href);
          const body = await res.body();
          if (!res.ok() || !body.equals(want)) throw new Error(`the juror's file ${k} = ${res.status()} (${body.length} bytes)`);
        }
      }
      const next = jp.locator("nav.pager").getByRole("button", { name: new RegExp("^" + J["ballot.next"]) });
      if (!(await next.count())) break;
      if (keyboard) {
        await next.focus();
        await jp.keyboard.press("Enter");
      } else {
        await next.tap();
      }
    }
    await waitSaved(jp, J);
    if (j === 0) await check(jp, "juror-scored", true);
    // The review lists every nomination before casting; nothing is left to score.
    const toReview = jp.locator(".ballot-bar").getByRole("button", { name: J["ballot.toReview"] });
    if (keyboard) {
      await toReview.focus();
      await jp.keyboard.press("Enter");
    } else {
      await toReview.tap();
    }
    await jp.getByRole("heading", { level: 2, name: J["ballot.reviewTitle"] }).waitFor();
    if (await jp.locator(".review-item.missing").count()) throw new Error(`${email}: the review shows nominations still to score`);
    if (phone) await phoneFits(jp, `juror-${lang}-review`);
    else await check(jp, "juror-review", true);
    const foreign = await foreignText(jp, lang);
    if (foreign.length) throw new Error(`${email}'s ballot in ${lang} shows other languages' interface text: ${foreign.join(" | ")}`);
    const castButton = jp.getByRole("button", { name: J["ballot.cast"], exact: true });
    if (keyboard) {
      // Keyboard only: Enter on the cast button, the dialog opens with focus on Cancel, Tab, Enter.
      await castButton.focus();
      await jp.keyboard.press("Enter");
      await jp.locator("dialog[open]").waitFor();
      const focused = await jp.evaluate(() => document.activeElement?.textContent);
      if (focused !== J["common.cancel"]) throw new Error(`the cast dialog opened with focus on ${focused}`);
      await jp.keyboard.press("Tab");
      await jp.keyboard.press("Enter");
    } else {
      await castButton.tap();
      await jp.locator("dialog[open]").getByRole("button", { name: J["ballot.cast"], exact: true }).tap();
    }
    const hash = await jp.getByTestId("receipt-hash").textContent();
    if (!hash || !hash.trim()) throw new Error(`${email}: no receipt hash`);
    receipts.push(hash.trim());
    // Focus lands on the receipt, what the juror keeps.
    await jp.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "receipt");
    await jp.getByTestId("receipt-leaf").waitFor(); // the log integrates the cast and the receipt shows where
    if (j === 0) {
      // The receipt the juror keeps says, in their language, what it is and how to check it.
      const saved = jp.waitForEvent("download");
      await jp.getByRole("button", { name: J["receipt.download"] }).click();
      const file = await saved;
      const text = readFileSync(await file.path(), "utf8");
      if (!file.suggestedFilename().endsWith(".txt") || !text.includes(hash.trim()) || !text.includes(J["receipt.explain"])) {
        throw new Error(`the downloaded receipt ${file.suggestedFilename()}:\n${text}`);
      }
      await check(jp, "juror-receipt", true);
    }
    else await phoneFits(jp, `juror-${lang}-receipt`);
    if (lang === "uk" && !readTranslation) throw new Error("the Ukrainian juror never saw the practice translated into Ukrainian");
    log(`${email} (${lang}${phone ? ", phone" : ""}) cast, receipt ${hash.trim()}`);
    await juror.context.close();
  }

  // ---- the organiser closes the round, reviews the tally and announces ----
  await page.reload();
  await page.getByRole("heading", { name: M["organise.juryProgress"], exact: true }).waitFor();
  await page.getByRole("cell", { name: M["progress.CAST"] }).first().waitFor();
  // The cast recorded the translation the Ukrainian juror read (for the organisers only).
  await page.getByRole("cell", { name: "uk (1)" }).waitFor();
  // Only the two categories with nominations: the nine empty ones are neither cast nor missing.
  const columns = await page.locator("table.grid thead th").count();
  if (columns !== 4) throw new Error(`the jury progress grid has ${columns} columns; want the juror, 2 categories and the translations read`);
  await check(page, "organiser-progress");
  await phoneFits(page, "organiser");
  // Ana Silva, imported as a juror, never cast: closing the round says so and asks for the reason.
  await moveDespite(page, "organise.toTALLIED", ["Ana Silva"], "Ana Silva nie zagłosowała przed terminem.");
  await page.getByRole("heading", { name: M["organise.tally"], exact: true }).waitFor();
  await page.getByText(M["organise.tallyHash"]).waitFor();
  // The jury's texts: the first distinction's justification in Polish and the recommendations, each
  // saved and said to be; a translation without Polish is refused on the page.
  const justification = page.getByRole("group", { name: prefix("jury.justification") }).first();
  await justification.locator("summary").click();
  await justification.getByLabel("English").fill("For a service point open to all.");
  await justification.getByRole("button", { name: M["jury.save"] }).click();
  await justification.getByText(M["jury.polishRequired"]).waitFor();
  await justification.getByLabel(/^Polski/).fill("Za punkt obsługi otwarty dla wszystkich.");
  await justification.getByRole("button", { name: M["jury.save"] }).click();
  await justification.getByTestId("save-state").filter({ hasText: prefix("save.savedAt") }).waitFor();
  const recommendations = page.getByRole("group", { name: M["jury.recommendationsText"], exact: true });
  await recommendations.getByLabel(/^Polski/).fill("Zatrudniajcie cudzoziemców w urzędach.\n\nOtwierajcie punkty obsługi.");
  await recommendations.getByRole("button", { name: M["jury.save"] }).click();
  await recommendations.getByTestId("save-state").filter({ hasText: prefix("save.savedAt") }).waitFor();
  log("the organiser recorded a justification and the recommendations");
  await check(page, "organiser-tally");
  await phoneFits(page, "organiser-tally");
  // Deliberation: after the close the organiser reads every juror's marks and the jury's agreement,
  // and downloads them as a CSV that Excel opens (UTF-8 with a byte order mark).
  const deliberation = page.locator("section.deliberation");
  await deliberation.getByRole("heading", { name: M["deliberation.title"], exact: true }).waitFor();
  await deliberation.getByText(M["deliberation.agreementExplain"]).first().waitFor();
  const [delibCsv] = await Promise.all([page.waitForEvent("download"), deliberation.getByRole("button", { name: M["deliberation.downloadCsv"] }).click()]);
  if (delibCsv.suggestedFilename() !== "obrady-2016.csv") throw new Error(`the deliberation saves as ${delibCsv.suggestedFilename()}`);
  const delibText = readFileSync(await delibCsv.path(), "utf8");
  if (!delibText.startsWith("\uFEFFrecord,") || !delibText.includes("\nagreement,")) throw new Error(`the deliberation CSV:\n${delibText.slice(0, 500)}`);
  log("the organiser read and downloaded the deliberation");
  await phoneFits(page, "organiser-deliberation");
  // Nine of the eleven categories had no nomination, so no winner: announcing names them first.
  await moveDespite(page, "organise.toANNOUNCED", [], "W pozostałych kategoriach nie było zgłoszeń.");
  await page.getByRole("link", { name: M["home.results"], exact: true }).waitFor();
  log("the organiser announced the results");

  // ---- anyone reads the results ----
  const pub = await persona(undefined);
  const rp = pub.page;
  await phoneFits(rp, "public-home");
  await rp.goto(BASE + "/results/2016");
  const winners = rp.getByTestId("winners");
  await winners.waitFor();
  const text = await winners.innerText();
  for (const p of practices) {
    if (!text.includes(p.title) || !text.includes("Warszawa")) throw new Error(`winners do not show ${p.title} of Warszawa:\n${text}`);
  }
  // The announcement's checkpoint appears once the log has signed it (about a second).
  for (let i = 0; i < 20 && !(await rp.getByTestId("checkpoint").count()); i++) {
    await rp.waitForTimeout(500);
    await rp.reload();
    await winners.waitFor();
  }
  // A verification that finished during those reloads remembered its checkpoint: this browser's
  // first check is the one after forgetting it, once this page's own verification is over (it would
  // remember its checkpoint again).
  await rp.getByTestId("bv-ok").waitFor({ timeout: 60_000 });
  await rp.evaluate(() => localStorage.removeItem("miasta.verifiedCheckpoint"));
  await rp.reload();
  await winners.waitFor();
  const checkpoint = await rp.getByTestId("checkpoint").innerText();
  if (!checkpoint.includes("\n")) throw new Error("no checkpoint on the results page");
  const saved = rp.waitForEvent("download");
  await rp.getByRole("button", { name: M["verify.saveCheckpoint"] }).click();
  const file = await saved;
  if (file.suggestedFilename() !== "miasta-2016-checkpoint.txt") throw new Error(`the checkpoint saves as ${file.suggestedFilename()}`);
  const bundleSaved = rp.waitForEvent("download");
  await rp.getByRole("link", { name: M["verify.downloadBundle"] }).click();
  const bundleFile = await bundleSaved;
  if (bundleFile.suggestedFilename() !== "miasta-2016-bundle.json") throw new Error(`the bundle saves as ${bundleFile.suggestedFilename()}`);
  const bundle = JSON.parse(readFileSync(await bundleFile.path(), "utf8"));
  if (bundle.format !== "miasta-audit-bundle/2" || bundle.year !== 2016 || !bundle.tally) throw new Error("the downloaded bundle is not the announced edition's");
  // The page verifies the bundle in this browser: every check of the specification passes.
  await rp.getByTestId("bv-ok").waitFor({ timeout: 60_000 });
  const states = await rp.locator(".browser-verify .checks li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-state")));
  if (states.length !== 24 || states.some((x) => x !== "ok")) throw new Error(`the browser's verification: ${states.join(",")}`);
  await rp.getByText(M["bv.firstVisit"]).waitFor();
  // A receipt: the first juror's ballot is in the log, and counted.
  await rp.getByLabel(M["bv.receiptLabel"]).fill(receipts[0]);
  await rp.getByRole("button", { name: M["bv.receiptCheck"] }).click();
  await rp.getByTestId("receipt-result").filter({ hasText: M["bv.receipt.counted"] }).waitFor({ timeout: 60_000 });
  await check(rp, "public-results");
  // On a later visit the browser checks the log extends the checkpoint it remembered.
  await rp.reload();
  await rp.getByTestId("bv-consistent").waitFor({ timeout: 60_000 });
  // A bundle tampered with on its way is refused.
  await rp.route("**/audit/2016/bundle.json", async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace("Warszawa", "Warszawb");
    await route.fulfill({ response: res, body, headers: { ...res.headers(), "content-length": String(Buffer.byteLength(body)) } });
  });
  await rp.reload();
  await rp.getByTestId("bv-failed").filter({ hasText: M["bv.tampered"] }).waitFor({ timeout: 60_000 });
  await rp.unroute("**/audit/2016/bundle.json");
  // A site that showed this browser another history (a checkpoint signed by the log's key whose tree
  // the real log does not extend) is caught: the split view is named.
  if (process.env.E2E_FORGED_CHECKPOINT) {
    const forged = process.env.E2E_FORGED_CHECKPOINT;
    await rp.evaluate((note) => localStorage.setItem("miasta.verifiedCheckpoint", JSON.stringify({ note, size: 1, time: new Date().toISOString() })), forged);
    await rp.reload();
    await rp.getByTestId("bv-failed").filter({ hasText: msg("bv.splitView", { size: 1 }) }).waitFor({ timeout: 60_000 });
    await rp.evaluate(() => localStorage.removeItem("miasta.verifiedCheckpoint"));
    await rp.reload();
    await rp.getByTestId("bv-ok").waitFor({ timeout: 60_000 });
  }
  // On a phone the page is no wider than the screen: wide tables scroll inside their regions.
  await phoneFits(rp, "public-results");
  // Every language renders the page, and the choice survives a reload.
  for (const l of ["pl", "en", "uk", "es", "vi"]) {
    await rp.locator("header select").selectOption(l);
    await rp.getByRole("heading", { level: 2, name: catalogue(l)["results.winners"] }).waitFor();
  }
  await rp.reload();
  await rp.getByRole("heading", { level: 2, name: catalogue("vi")["results.winners"] }).waitFor();
  if ((await rp.locator("html").getAttribute("lang")) !== "vi") throw new Error("<html lang> does not follow the chosen language");
  await check(rp, "public-results-vi");
  await phoneFits(rp, "public-results-vi");
  log("the public results show the winners");

  // ---- the organiser sets up the next edition ----
  await page.goto(BASE + "/");
  await page.getByText(M["setup.newEdition"], { exact: true }).click();
  await page.getByLabel(M["setup.year"]).fill("2017");
  await page.getByLabel(M["setup.name"], { exact: true }).fill("Miasta Otwarte 2017");
  // Ballots under pseudonyms is the default publication setting, and the choice explains itself.
  const pseudonyms = page.getByRole("radio", { name: M["setup.publication.PSEUDONYMS"] });
  if (!(await pseudonyms.isChecked())) throw new Error("the new edition does not default to ballots under pseudonyms");
  await page.getByText(M["setup.publicationHint.AGGREGATES"]).waitFor();
  await page.getByRole("button", { name: M["setup.create"] }).click();
  await page.getByRole("heading", { level: 1, name: /Miasta Otwarte 2017/ }).waitFor();
  await section(page, "setup");
  await page.getByLabel(M["setup.chooseCity"], { exact: true }).selectOption({ label: "Kraków" });
  await page.getByRole("button", { name: M["setup.addCity"] }).click();
  await page.getByRole("button", { name: msg("setup.removeCity", { city: "Kraków" }) }).waitFor();
  const setup = page.locator("details").filter({ hasText: M["setup.categories"] });
  await setup.getByLabel(M["setup.namePl"]).first().fill("Miejski punkt obsługi cudzoziemców");
  await setup.getByLabel(M["setup.nameEn"]).first().fill("City service point for foreigners");
  await page.getByRole("button", { name: M["setup.addCategory"] }).click();
  await setup.getByRole("listitem").filter({ hasText: LANG === "pl" ? "Miejski punkt obsługi cudzoziemców" : "City service point for foreigners" }).waitFor();
  await setup.getByLabel(M["setup.namePl"]).last().fill("Skuteczność");
  await setup.getByLabel(M["setup.nameEn"]).last().fill("Effectiveness");
  await page.getByRole("button", { name: M["setup.addCriterion"] }).click();
  await setup.getByRole("listitem").filter({ hasText: LANG === "pl" ? "Skuteczność" : "Effectiveness" }).waitFor();
  await check(page, "organiser-next-edition");
  await phoneFits(page, "organiser-next-edition");
  log("the organiser set up the next edition");

  if (violations.length) {
    throw new Error("accessibility violations:\n" + violations.join("\n"));
  }
  log(`done; screenshots in ${OUT}`);
} catch (err) {
  log(`FAILED: ${err.stack ?? err}`);
  for (const ctx of browser.contexts()) {
    for (const p of ctx.pages()) {
      shot++;
      await p.screenshot({ path: join(OUT, `${String(shot).padStart(2, "0")}-failure.png`), fullPage: true }).catch(() => {});
    }
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
