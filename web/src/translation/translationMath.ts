// Pure helpers of the translations: which block of a practice shows what, and what a cast says was read.
import type { Practice } from "../gen/miasta/v1/report_pb.js";
import { TranslationStatus, type PracticeTranslation, type SourceText } from "../gen/miasta/v1/translation_pb.js";

/** The languages translations are made into (the originals are Polish). */
export const TARGET_LANGUAGES = ["en", "uk", "es", "vi"] as const;
export type TargetLanguage = (typeof TARGET_LANGUAGES)[number];

export function isTargetLanguage(l: string): l is TargetLanguage {
  return (TARGET_LANGUAGES as readonly string[]).includes(l);
}

/** The field of a criterion's narrative, as the API names it. */
export function narrativeField(criterionId: string): string {
  return "narrative." + criterionId;
}

/** Block is one text of a practice as a reader sees it: the translation when there is one, else the original. */
export interface Block {
  field: string; // "title", "description" or "narrative.<criterion id>"
  criterionId?: string;
  original: string;
  /** The translation of this text, when there is one. */
  translated?: string;
  /** The original changed after it was translated. */
  outdated: boolean;
}

/** blocksOf lists a practice's texts (title, description, narratives in the report's order; empty ones left out) with their translation. */
export function blocksOf(p: Pick<Practice, "title" | "description" | "narratives">, tr?: PracticeTranslation): Block[] {
  const texts = new Map((tr?.texts ?? []).map((t) => [t.field, t]));
  const out: Block[] = [];
  const add = (field: string, original: string, criterionId?: string) => {
    if (!original.trim()) return;
    const t = texts.get(field);
    out.push({ field, criterionId, original, translated: t?.text, outdated: !!t?.outdated });
  };
  add("title", p.title);
  add("description", p.description);
  for (const n of p.narratives) add(narrativeField(n.criterionId), n.text, n.criterionId);
  return out;
}

/** What a reader should be told about a translation as a whole. */
export interface TranslationNotes {
  /** No translation at all: the original is shown. */
  none: boolean;
  /** Some texts have no translation: those show the original. */
  partial: boolean;
  outdated: boolean;
  machine: boolean;
}

export function notesOf(blocks: Block[], tr?: PracticeTranslation): TranslationNotes {
  const translated = blocks.filter((b) => b.translated !== undefined).length;
  return {
    none: !tr || translated === 0,
    partial: translated > 0 && translated < blocks.length,
    outdated: blocks.some((b) => b.outdated),
    machine: tr?.status === TranslationStatus.MACHINE,
  };
}

/** A translation a juror read, as CastBallotRequest.translations_read takes it. */
export interface TranslationReadInit {
  practiceId: string;
  language: string;
  version: bigint;
}

/**
 * readsOf builds the cast request's translations_read: the version of every translation the juror had
 * on screen (of the practices they score, when given), once each, in a stable order.
 */
export function readsOf(translations: Iterable<PracticeTranslation>, practiceIds?: Iterable<string>): TranslationReadInit[] {
  const only = practiceIds ? new Set(practiceIds) : undefined;
  const out: TranslationReadInit[] = [];
  const seen = new Set<string>();
  for (const t of translations) {
    const key = t.practiceId + "/" + t.language;
    if (t.version <= 0n || seen.has(key) || (only && !only.has(t.practiceId))) continue;
    seen.add(key);
    out.push({ practiceId: t.practiceId, language: t.language, version: t.version });
  }
  return out.sort((a, b) => (a.practiceId + a.language < b.practiceId + b.language ? -1 : 1));
}

/** DraftText is a translator's text of one field and the version of the original it translates. */
export interface DraftText {
  text: string;
  sourceSha256: string;
}

export type Draft = Record<string, DraftText>;

/** draftOf is a translation as the translator's editor holds it, by field. */
export function draftOf(tr: PracticeTranslation | undefined): Draft {
  const out: Draft = {};
  for (const t of tr?.texts ?? []) out[t.field] = { text: t.text, sourceSha256: t.sourceSha256 };
  return out;
}

/** edited is the draft after the translator typed text into field: it now translates the original they see. */
export function edited(d: Draft, source: SourceText, text: string): Draft {
  return { ...d, [source.field]: { text, sourceSha256: source.sha256 } };
}

/** outdatedIn reports whether a draft's text of a field translates another version of the original than the current. */
export function outdatedIn(d: Draft, source: SourceText): boolean {
  const t = d[source.field];
  return !!t && !!t.text.trim() && t.sourceSha256 !== source.sha256;
}

/** textsOf is the save request's texts, in the original's order, leaving out empty ones. */
export function textsOf(d: Draft, sources: SourceText[]) {
  return sources
    .filter((s) => d[s.field]?.text.trim())
    .map((s) => ({ field: s.field, text: d[s.field].text, sourceSha256: d[s.field].sourceSha256 }));
}
