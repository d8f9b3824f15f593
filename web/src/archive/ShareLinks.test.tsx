import { screen } from "@testing-library/dom";
import { act } from "react-dom/test-utils";
import { createRoot, type Root } from "react-dom/client";
import { IntlProvider } from "react-intl";
import { afterEach, describe, expect, it, vi } from "vitest";
import en from "../i18n/en.json";
import { LocaleProvider } from "../i18n";
import uk from "../i18n/uk.json";
import { embedCode, ShareLinks } from "./ShareLinks";

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  document.body.replaceChildren();
});

const distinction = { nominationId: "n-1", practiceId: "p-1", city: `Łódź "<Centrum>"`, category: "Przestrzeń przyjazna imigrantom" };

function mount(node: React.ReactNode) {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  act(() => root!.render(node));
}

describe("ShareLinks", () => {
  it("links a distinction's certificate, badge and the edition's open data, in Polish without ?lang", () => {
    mount(
      <IntlProvider locale="en" messages={en}>
        <ShareLinks year={2015} editionName="Miasta Otwarte 2015" licence="ODbL-1.0" distinction={distinction} />
      </IntlProvider>,
    );
    expect(screen.getByRole("heading", { level: 2, name: en["share.title"] })).toBeTruthy();
    expect(screen.getByRole("link", { name: en["share.certificate"] }).getAttribute("href")).toBe("/certificates/n-1.pdf");
    const img = screen.getByRole("img");
    expect(img.getAttribute("src")).toBe("/badges/n-1.svg");
    expect(img.getAttribute("alt")).toBe(`Miasta Otwarte 2015: Łódź "<Centrum>" distinguished in the category Przestrzeń przyjazna imigrantom`);
    expect(screen.getByRole("link", { name: en["share.json"] }).getAttribute("href")).toBe("/open-data/2015.json");
    expect(screen.getByRole("link", { name: en["share.resultsCsv"] }).getAttribute("href")).toBe("/open-data/2015/results.csv");
    expect(screen.getByRole("link", { name: en["share.practicesCsv"] }).getAttribute("href")).toBe("/open-data/2015/practices.csv");
    expect(screen.getByRole("link", { name: en["share.nominationsCsv"] }).getAttribute("href")).toBe("/open-data/2015/nominations.csv");
    expect(screen.getByText(/Licence: ODbL-1\.0/)).toBeTruthy();
    const code = (screen.getByLabelText(en["share.embed"]) as HTMLTextAreaElement).value;
    expect(code).toContain(`href="${window.location.origin}/practices/p-1"`);
    expect(code).toContain("&quot;&lt;Centrum&gt;&quot;");
    // The snippet is HTML that, parsed, gives back the badge and its alt exactly.
    const parsed = new DOMParser().parseFromString(code, "text/html");
    expect(parsed.querySelector("a img")?.getAttribute("alt")).toBe(img.getAttribute("alt"));
  });

  it("copies the embed code and says so", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    mount(
      <IntlProvider locale="en" messages={en}>
        <ShareLinks year={2015} editionName="Miasta Otwarte 2015" distinction={distinction} />
      </IntlProvider>,
    );
    await act(async () => {
      screen.getByRole("button", { name: en["share.copy"] }).click();
    });
    expect(writeText).toHaveBeenCalledWith(embedCode(window.location.origin, distinction, screen.getByRole("img").getAttribute("alt")!, "pl"));
    expect(screen.getByRole("status").textContent).toBe(en["share.copied"]);
  });

  it("without a distinction offers only the open data, and in another language asks the server for it", async () => {
    const el = document.createElement("div");
    document.body.append(el);
    root = createRoot(el);
    await act(async () => {
      root!.render(
        <LocaleProvider locale="uk">
          <ShareLinks year={2026} editionName="Miasta Otwarte 2026" level={3} />
        </LocaleProvider>,
      );
    });
    await vi.waitFor(() => expect(screen.getByRole("heading", { level: 3, name: uk["share.title"] })).toBeTruthy());
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.queryByRole("link", { name: uk["share.certificate"] })).toBeNull();
    expect(screen.getByRole("link", { name: uk["share.feed"] }).getAttribute("href")).toBe("/feed.atom?lang=uk");
    expect(screen.getByText(/CC-BY-4\.0/)).toBeTruthy();
  });
});
