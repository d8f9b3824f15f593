// The edition's own texts (names, descriptions, score labels) come in several languages: each reader
// gets theirs, and when it is missing the next best one, marked with its language so that it is seen
// (and read aloud in the right voice), never passed off as a translation.
import { LOCALES, LOCALE_NAMES, isLocale, useLocale, useT, type Locale } from "../i18n";

export type Texts = { [language: string]: string };

export interface Picked {
  text: string;
  /** The language of text. */
  lang: string;
  /** Whether text is not in the reader's language. */
  fallback: boolean;
}

/** pick chooses the reader's language, else English, else Polish (the original), else any. */
export function pick(texts: Texts | undefined, locale: Locale): Picked {
  const t = texts ?? {};
  for (const lang of [locale, "en", "pl"]) {
    if (t[lang]) return { text: t[lang], lang, fallback: lang !== locale };
  }
  const lang = Object.keys(t).sort()[0];
  return lang ? { text: t[lang], lang, fallback: true } : { text: "", lang: locale, fallback: false };
}

/** useText is pick in the current locale, for places that take a plain string (labels, options). */
export function useText(): (texts: Texts | undefined) => string {
  const { locale } = useLocale();
  return (texts) => pick(texts, locale).text;
}

/** Local shows a text in the reader's language, or marks the language it falls back to. */
export function Local({ texts }: { texts: Texts | undefined }) {
  const { locale } = useLocale();
  const t = useT();
  const p = pick(texts, locale);
  if (!p.fallback) return <>{p.text}</>;
  const language = isLocale(p.lang) ? LOCALE_NAMES[p.lang] : p.lang;
  return (
    <>
      <span lang={p.lang}>{p.text}</span>{" "}
      <span className="fallback-tag" title={t("text.fallback", { language })}>
        <span aria-hidden="true">{p.lang.toUpperCase()}</span>
        <span className="visually-hidden">{t("text.fallback", { language })}</span>
      </span>
    </>
  );
}

/** textIn is pick's text, for code that has the locale at hand. */
export function textIn(locale: Locale, texts: Texts | undefined): string {
  return pick(texts, locale).text;
}

/** LanguageChoice ticks an edition's languages; Polish, the original, is always among them. */
export function LanguageChoice({ value, onChange }: { value: string[]; onChange: (languages: string[]) => void }) {
  return (
    <>
      {LOCALES.map((l) => (
        <label key={l} className="choice inline">
          <input
            type="checkbox"
            checked={l === "pl" || value.includes(l)}
            disabled={l === "pl"}
            onChange={(e) => onChange(e.target.checked ? [...value, l] : value.filter((x) => x !== l))}
          />
          <span lang={l}>{LOCALE_NAMES[l]}</span>
        </label>
      ))}
    </>
  );
}
