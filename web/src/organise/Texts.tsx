// The edition's texts in each of its languages: the organiser picks the languages, then fills in, per
// language, the edition's name and every category's and criterion's name and description beside the
// Polish original. The jury opens only when none is missing.
import { useId, useMemo, useState } from "react";
import { api, fieldViolations } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { Stage, TextField, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { LOCALES, LOCALE_NAMES, useLocale, useT, type Locale } from "../i18n";
import { LanguageChoice, type Texts } from "../shared/localized";

interface Row {
  key: string;
  subjectId: string;
  field: TextField;
  /** What the row is, in the organiser's language. */
  label: string;
  original: string;
  texts: Texts;
  long: boolean;
}

/** rows lists every text the edition needs in each of its languages. */
export function textRows(edition: Edition, categories: Category[], criteria: Criterion[], describe: (what: string, n?: number, name?: string) => string): Row[] {
  const rows: Row[] = [
    { key: edition.id + "/n", subjectId: edition.id, field: TextField.NAME, label: describe("edition"), original: edition.name, texts: edition.names, long: false },
  ];
  const subjects: [string, (Category | Criterion)[]][] = [["category", categories], ["criterion", criteria]];
  for (const [kind, list] of subjects) {
    for (const s of list) {
      rows.push({ key: s.id + "/n", subjectId: s.id, field: TextField.NAME, label: describe(kind + ".name", s.number, s.namePl), original: s.namePl, texts: s.names, long: false });
      if (s.description) {
        rows.push({ key: s.id + "/d", subjectId: s.id, field: TextField.DESCRIPTION, label: describe(kind + ".description", s.number, s.namePl), original: s.description, texts: s.descriptions, long: true });
      }
    }
  }
  return rows;
}

/** missingCount is how many of rows lack a text in lang. */
export function missingCount(rows: Row[], lang: string): number {
  return rows.filter((r) => !r.texts[lang]).length;
}

export function TextsEditor(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; onChanged: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, categories, criteria, onChanged } = props;
  const ids = useId();
  const open = edition.stage < Stage.JURY;
  const describe = (what: string, n?: number, name?: string) => {
    switch (what) {
      case "edition":
        return t("texts.editionName");
      case "category.name":
        return t("texts.categoryName", { n: n ?? 0 });
      case "category.description":
        return t("texts.categoryDescription", { n: n ?? 0 });
      case "criterion.name":
        return t("texts.criterionName", { n: n ?? 0 });
      default:
        return t("texts.criterionDescription", { n: n ?? 0, name: name ?? "" });
    }
  };
  const rows = useMemo(() => textRows(edition, categories, criteria, describe), [edition, categories, criteria, locale]); // eslint-disable-line react-hooks/exhaustive-deps
  const others = LOCALES.filter((l) => l !== "pl");
  const [languages, setLanguages] = useState<string[]>(edition.languages);
  const [lang, setLang] = useState<Locale>((edition.languages.find((l) => l !== "pl") as Locale) ?? "en");
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const bad = new Map(fieldViolations(error).map((v) => [v.field, v.description]));
  const changed = rows.filter((r) => draft[r.key + lang] !== undefined && draft[r.key + lang] !== (r.texts[lang] ?? ""));

  async function saveLanguages() {
    setError(undefined);
    try {
      await api.editions.setLanguages({ editionId: edition.id, languages });
      onChanged();
    } catch (err) {
      setError(err);
    }
  }
  async function save() {
    setError(undefined);
    setSaved(false);
    try {
      await api.editions.setTexts({
        editionId: edition.id,
        texts: changed.map((r) => ({ subjectId: r.subjectId, field: r.field, language: lang, text: draft[r.key + lang].trim() })),
      });
      setDraft({});
      setSaved(true);
      onChanged();
    } catch (err) {
      setError(err);
    }
  }
  const missing = edition.languages.filter((l) => l !== "pl").map((l) => [l, missingCount(rows, l)] as const);
  return (
    <details className="card" open={open && missing.some(([, n]) => n > 0)}>
      <summary>
        {t("texts.title")}{" "}
        {missing.map(([l, n]) => (
          <span key={l} className={n ? "badge warn" : "badge ok"}>
            {l.toUpperCase()} {n ? t("texts.missingShort", { count: n }) : "✓"}
          </span>
        ))}
      </summary>
      <fieldset className="field" disabled={!open}>
        <legend>{t("texts.languages")}</legend>
        <p className="hint">{t("texts.languagesHint")}</p>
        <LanguageChoice value={languages} onChange={setLanguages} />
        <button type="button" onClick={saveLanguages} disabled={languages.slice().sort().join() === edition.languages.slice().sort().join()}>
          {t("texts.saveLanguages")}
        </button>
      </fieldset>

      <div className="field">
        <label htmlFor={ids + "l"}>{t("texts.translateInto")}</label>
        <select id={ids + "l"} value={lang} onChange={(e) => setLang(e.target.value as Locale)}>
          {others.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
              {edition.languages.includes(l) ? "" : " — " + t("texts.notEditionLanguage")}
            </option>
          ))}
        </select>
      </div>
      <p role="status">
        {missingCount(rows, lang)
          ? t("texts.missing", { count: missingCount(rows, lang), total: rows.length, language: LOCALE_NAMES[lang] })
          : t("texts.complete", { language: LOCALE_NAMES[lang] })}
      </p>
      <ul className="plain texts">
        {rows.map((r, i) => {
          const id = ids + "t" + i;
          const value = draft[r.key + lang] ?? r.texts[lang] ?? "";
          const index = changed.indexOf(r);
          const problem = index >= 0 ? bad.get(`texts[${index}].text`) : undefined;
          return (
            <li key={r.key} className={r.texts[lang] ? "" : "missing"}>
              <label htmlFor={id}>
                {r.label} {r.texts[lang] ? null : <span className="badge warn">{t("texts.missingOne")}</span>}
              </label>
              <p className="original" lang="pl">
                {r.original}
              </p>
              {r.long ? (
                <textarea id={id} lang={lang} rows={3} value={value} aria-invalid={problem ? true : undefined} onChange={(e) => setDraft({ ...draft, [r.key + lang]: e.target.value })} />
              ) : (
                <input id={id} lang={lang} value={value} aria-invalid={problem ? true : undefined} onChange={(e) => setDraft({ ...draft, [r.key + lang]: e.target.value })} />
              )}
              {problem ? <p className="field-error">{problem}</p> : null}
            </li>
          );
        })}
      </ul>
      <p className="actions">
        <button type="button" className="primary" disabled={changed.length === 0} onClick={save}>
          {t("texts.save", { count: changed.length })}
        </button>
        <span role="status">{saved && changed.length === 0 ? t("texts.saved") : ""}</span>
      </p>
      <ErrorNote error={error} />
    </details>
  );
}

