// The server's own messages in the reader's language. The server names each message by a reason (a
// hash of its English text) with its arguments; the catalogues (i18n/server.<lang>.json, which a Go
// test keeps complete) are loaded only when an error is first shown, so they cost nothing before.
import { useEffect, useState } from "react";
import type { Locale } from "../i18n";

type Catalogue = Record<string, string>;

const loaders: Record<Locale, () => Promise<{ default: Catalogue }>> = {
  pl: () => import("../i18n/server.pl.json"),
  en: () => import("../i18n/server.en.json"),
  uk: () => import("../i18n/server.uk.json"),
  es: () => import("../i18n/server.es.json"),
  vi: () => import("../i18n/server.vi.json"),
};

const loaded = new Map<Locale, Catalogue>();

/** useServerMessages is the catalogue of locale once loaded (undefined until then). */
export function useServerMessages(locale: Locale, wanted: boolean): Catalogue | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!wanted || loaded.has(locale)) return;
    let current = true;
    loaders[locale]().then(
      (m) => {
        loaded.set(locale, m.default);
        if (current) setTick((x) => x + 1);
      },
      () => {}, // offline: the message stays in English, marked as such
    );
    return () => {
      current = false;
    };
  }, [locale, wanted]);
  return loaded.get(locale);
}

/** fill puts a message's arguments into its placeholders {a0}, {a1}, …. */
export function fill(template: string, args: Record<string, string>): string {
  return template.replace(/\{(a\d+)\}/g, (whole, k: string) => args[k] ?? whole);
}

/** ruleKind groups protovalidate's rule ids ("string.max_len") into what the user is told. */
export function ruleKind(rule: string): "required" | "tooShort" | "tooLong" | "range" | "choice" | "format" | "unique" | "other" {
  const r = rule.split(".").pop() ?? "";
  if (rule === "required" || r === "required") return "required";
  if (/^min_(len|bytes|items|pairs)$/.test(r) || r === "len") return "tooShort";
  if (/^max_(len|bytes|items|pairs)$/.test(r)) return "tooLong";
  if (/^(gte|lte|gt|lt|const|gt_lt|gte_lte|gt_lte|gte_lt)/.test(r)) return "range";
  if (/^(in|not_in|defined_only)$/.test(r)) return "choice";
  if (/^(pattern|uuid|email|uri|uri_ref|hostname|ip|prefix|suffix|contains|well_known_regex)/.test(r)) return "format";
  if (r === "unique") return "unique";
  return "other";
}
