import { useId, useState } from "react";
import type { Criterion } from "../gen/miasta/v1/edition_pb.js";
import type { Practice } from "../gen/miasta/v1/report_pb.js";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { LOCALE_NAMES, isLocale, useLocale, useT } from "../i18n";
import { textIn } from "../shared/localized";
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

/** Shown is what a block displays: its text and that text's language. */
export interface Shown {
  text: string;
  lang: string;
  /** The reader asked for a translation this block does not have: the original stands in. */
  fallback: boolean;
  /** The original changed after this translation was made. */
  outdated: boolean;
}

/** PracticeReading is a practice in the reader's language, with the original one tap away. */
export interface PracticeReading {
  translatable: boolean;
  notes: ReturnType<typeof notesOf>;
  /** The reader chose to see the original (or there is nothing else to see). */
  showOriginal: boolean;
  original: boolean;
  setOriginal: (o: boolean | ((o: boolean) => boolean)) => void;
  /** The blocks present, in the report's order. */
  blocks: Block[];
  /** What a field shows; undefined when the practice has no such text. */
  shown: (field: string) => Shown | undefined;
}

/** usePracticeReading decides, per block, whether the translation or the original is shown. */
export function usePracticeReading(practice: Practice, translation: PracticeTranslation | undefined, lang: string): PracticeReading {
  const [original, setOriginal] = useState(false);
  const translatable = isTargetLanguage(lang);
  const blocks = blocksOf(practice, translatable ? translation : undefined);
  const notes = notesOf(blocks, translatable ? translation : undefined);
  const showOriginal = original || !translatable || notes.none;
  const shown = (field: string): Shown | undefined => {
    const b = blocks.find((x) => x.field === field);
    if (!b) return undefined;
    if (showOriginal || b.translated === undefined) {
      return { text: b.original, lang: ORIGINAL, fallback: translatable && !notes.none && !showOriginal, outdated: false };
    }
    return { text: b.translated, lang: translation!.language, fallback: false, outdated: b.outdated };
  };
  return { translatable, notes, showOriginal, original, setOriginal, blocks, shown };
}

/**
 * TranslationNotice says what the reader sees (no translation yet, the original, a machine's,
 * outdated or partial translation) and offers the original or the translation one tap away.
 */
export function TranslationNotice({ reading, lang, translation, id }: { reading: PracticeReading; lang: string; translation?: PracticeTranslation; id?: string }) {
  const t = useT();
  if (!reading.translatable) return null;
  const { notes, showOriginal, original } = reading;
  return (
    <div id={id} className="translation-notes">
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
            <button type="button" className="link" aria-pressed={original} onClick={() => reading.setOriginal((o) => !o)}>
              {original ? t("translation.showTranslation", { language: languageName(translation!.language) }) : t("translation.showOriginal")}
            </button>
          </p>
        </>
      )}
    </div>
  );
}

/** BlockHints marks a block that falls back to the original or whose original moved on. */
export function BlockHints({ shown }: { shown: Shown }) {
  const t = useT();
  return (
    <>
      {shown.fallback ? <p className="hint">{t("translation.blockOriginal")}</p> : null}
      {shown.outdated ? <p className="hint">{t("translation.blockOutdated")}</p> : null}
    </>
  );
}

/**
 * TranslatedPractice shows a practice's title, description and narratives in the reader's language,
 * with the original one tap away. Every block carries the lang of what it shows; a visible note says
 * when a text falls back to the original, when the original changed after it was translated and when
 * the translation is a machine's.
 */
export function TranslatedPractice({ practice, translation, lang, criteria, titleAs = "h3" }: TranslatedPracticeProps) {
  const { locale } = useLocale();
  const notesId = useId();
  const reading = usePracticeReading(practice, translation, lang);
  const criterion = (id?: string) => textIn(locale, criteria.find((x) => x.id === id)?.names);
  const Title = titleAs;
  const title = reading.shown("title");
  return (
    <div className="translated-practice" aria-describedby={reading.translatable ? notesId : undefined}>
      {title ? (
        <Title lang={title.lang} className="practice-title">
          {title.text}
        </Title>
      ) : null}
      <TranslationNotice reading={reading} lang={lang} translation={translation} id={notesId} />
      {reading.blocks
        .filter((b) => b.field !== "title")
        .map((b) => {
          const s = reading.shown(b.field)!;
          return (
            <div key={b.field} className="translated-block" data-field={b.field}>
              {b.criterionId ? <h5 className="criterion-name">{criterion(b.criterionId)}</h5> : null}
              <p className="pre" lang={s.lang}>
                {s.text}
              </p>
              <BlockHints shown={s} />
            </div>
          );
        })}
    </div>
  );
}
