import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import en from "./en.json";
import es from "./es.json";
import { LOCALES, initialLocale, type Catalogue, type Locale } from "./index";
import pl from "./pl.json";
import uk from "./uk.json";
import vi from "./vi.json";

const catalogues: Record<Locale, Catalogue> = { pl, en, uk, es, vi };

// The argument names a message uses, e.g. {city} and {count, plural, ...}.
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (els: ReturnType<IntlMessageFormat["getAst"]>) => {
    for (const el of els) {
      if ("value" in el && typeof el.value === "string" && el.type !== 0) names.add(el.value);
      if ("options" in el) for (const o of Object.values(el.options)) walk((o as { value: typeof els }).value);
    }
  };
  walk(new IntlMessageFormat(message, "en").getAst());
  return [...names].sort();
}

describe("catalogues", () => {
  const en = catalogues.en;
  it.each(LOCALES)("%s has exactly the English keys, none empty", (l) => {
    expect(Object.keys(catalogues[l]).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(catalogues[l])) expect(v.trim(), k).not.toBe("");
  });
  it.each(LOCALES)("%s messages parse and use the same arguments as English", (l) => {
    for (const [k, v] of Object.entries(catalogues[l])) {
      expect(argumentsOf(v), `${l} ${k}`).toEqual(argumentsOf(en[k as keyof typeof en]));
    }
  });
  it("has a sentence for every Connect error code", () => {
    for (const name of Object.values(Code).filter((v) => typeof v === "string")) {
      expect(en, name as string).toHaveProperty("error." + name);
    }
  });
  it.each(LOCALES)("%s is not English where English is a sentence (no untranslated copies)", (l) => {
    if (l === "en") return;
    const same = Object.entries(catalogues[l]).filter(([k, v]) => v === en[k as keyof typeof en] && v.split(" ").length > 2);
    expect(same).toEqual([]);
  });
});

describe("plural rules follow each language (CLDR through Intl.PluralRules)", () => {
  const fmt = (l: keyof typeof catalogues, n: number) =>
    new IntlMessageFormat(catalogues[l]["report.practiceCount"], l).format({ count: n });
  it("Polish has one, few and many", () => {
    expect([0, 1, 2, 5, 22, 25].map((n) => fmt("pl", n))).toEqual([
      "brak",
      "1 praktyka",
      "2 praktyki",
      "5 praktyk",
      "22 praktyki",
      "25 praktyk",
    ]);
  });
  it("Ukrainian has one, few and many (21 is one)", () => {
    expect([1, 3, 11, 21].map((n) => fmt("uk", n))).toEqual(["1 практика", "3 практики", "11 практик", "21 практика"]);
  });
  it("English and Spanish have one and other; Vietnamese has no plural", () => {
    expect([1, 2].map((n) => fmt("en", n))).toEqual(["1 practice", "2 practices"]);
    expect([1, 2].map((n) => fmt("es", n))).toEqual(["1 práctica", "2 prácticas"]);
    expect([1, 2].map((n) => fmt("vi", n))).toEqual(["1 hoạt động", "2 hoạt động"]);
  });
});

describe("the countdown agrees in number", () => {
  const left = (l: Locale, days: number, hours: number) =>
    new IntlMessageFormat(catalogues[l]["deadline.daysLeft"], l).format({ days, hours });
  it("in Polish", () => {
    expect(left("pl", 1, 1)).toBe("został 1 dzień i 1 godzina");
    expect(left("pl", 2, 3)).toBe("zostały 2 dni i 3 godziny");
    expect(left("pl", 5, 5)).toBe("zostało 5 dni i 5 godzin");
  });
  it("in Ukrainian", () => {
    expect(left("uk", 1, 21)).toBe("залишився 1 день і 21 година");
    expect(left("uk", 11, 2)).toBe("залишилося 11 днів і 2 години");
  });
});

describe("initialLocale", () => {
  it("prefers the stored choice, then the browser's languages, then Polish", () => {
    expect(initialLocale("vi", ["en-GB"])).toBe("vi");
    expect(initialLocale(null, ["de-DE", "uk-UA", "en"])).toBe("uk");
    expect(initialLocale("xx", ["de"])).toBe("pl");
  });
});
