import { useId, useState } from "react";
import type { Criterion } from "../gen/miasta/v1/edition_pb.js";
import type { Practice } from "../gen/miasta/v1/report_pb.js";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { LOCALE_NAMES, isLocale, localName, useLocale, useT } from "../i18n";
import { blocksOf, isTargetLanguage, notesOf, type Block } from "./translationMath";

/** The language of every original. */
const ORIGINAL = "pl";

function languageName(l: string): string {
  return isLocale(l) ? LOCALE_NAMES[l] : l;
}

export interface TranslatedPracticeProps {
  /** The practice as the ballot lists it (its original texts). */
  practice: Practice;
  /** Its translation into lang, from usePracticeTranslations; undefined when there is none. */
  translation?: PracticeTranslation;
  /** The reader's language. Polish shows the original without notes. */
  lang: string;
  /** The edition's criteria, to name the narratives. */
  criteria: Criterion[];
  /** The element the title is, for the page's outline (default h3). */
  titleAs?: "h2" | "h3" | "h4" | "p";
}

/**
 * TranslatedPractice shows a practice's title, description and narratives in the reader's language,
 * with the original one tap away. Every block carries the lang of what it shows; a visible note says
 * when a text falls back to the original, when the original changed after it was translated and when
 * the translation is a machine's.
 */
export function TranslatedPractice({ practice, translation, lang, criteria, titleAs = "h3" }: TranslatedPracticeProps) {
  const t = useT();
  const { locale } = useLocale();
  const [original, setOriginal] = useState(false);
  const notesId = useId();
  const translatable = isTargetLanguage(lang);
  const blocks = blocksOf(practice, translatable ? translation : undefined);
  const notes = notesOf(blocks, translatable ? translation : undefined);
  const showOriginal = original || !translatable || notes.none;
  const criterion = (id?: string) => {
    const c = criteria.find((x) => x.id === id);
    return c ? localName(locale, c.namePl, c.nameEn) : "";
  };
  const shown = (b: Block) => (showOriginal || b.translated === undefined ? { text: b.original, lang: ORIGINAL } : { text: b.translated, lang: translation!.language });
  const Title = titleAs;
  const title = blocks.find((b) => b.field === "title");
  const rest = blocks.filter((b) => b.field !== "title");
  return (
    <div className="translated-practice" aria-describedby={translatable ? notesId : undefined}>
      {title ? (
        <Title lang={shown(title).lang} className="practice-title">
          {shown(title).text}
        </Title>
      ) : null}
      {translatable ? (
        <div id={notesId} className="translation-notes">
          {notes.none ? (
            <p className="notice" role="note">
              {t("translation.noneYet", { language: languageName(lang) })}
            </p>
          ) : (
            <>
              {showOriginal ? <p className="badge">{t("translation.showingOriginal")}</p> : null}
              {!showOriginal && notes.machine ? (
                <p className="notice" role="note">
                  {t("translation.machineNote")}
                </p>
              ) : null}
              {!showOriginal && notes.outdated ? (
                <p className="notice" role="note">
                  {t("translation.outdatedNote")}
                </p>
              ) : null}
              {!showOriginal && notes.partial ? (
                <p className="notice" role="note">
                  {t("translation.partialNote")}
                </p>
              ) : null}
              <p>
                <button type="button" className="link" aria-pressed={original} onClick={() => setOriginal((o) => !o)}>
                  {original ? t("translation.showTranslation", { language: languageName(translation!.language) }) : t("translation.showOriginal")}
                </button>
              </p>
            </>
          )}
        </div>
      ) : null}
      {rest.map((b) => {
        const s = shown(b);
        const fallback = translatable && !notes.none && !showOriginal && b.translated === undefined;
        return (
          <div key={b.field} className="translated-block" data-field={b.field}>
            {b.criterionId ? <h5 className="criterion-name">{criterion(b.criterionId)}</h5> : null}
            <p className="pre" lang={s.lang}>
              {s.text}
            </p>
            {fallback ? <p className="hint">{t("translation.blockOriginal")}</p> : null}
            {!showOriginal && b.outdated ? <p className="hint">{t("translation.blockOutdated")}</p> : null}
          </div>
        );
      })}
    </div>
  );
}
