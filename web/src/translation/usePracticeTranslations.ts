// The juror's side of translations: the shortlist's practices in one language, for the ballot page.
import { useCallback, useMemo } from "react";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { api } from "../shared/api";
import { useLoad } from "../shared/hooks";
import { isTargetLanguage, readsOf, type TranslationReadInit } from "./translationMath";

export interface PracticeTranslations {
  /** The translations into lang of the shortlist's practices, by practice id (none for Polish). */
  byPractice: Map<string, PracticeTranslation>;
  loading: boolean;
  error: unknown;
  reload: () => void;
  /**
   * reads is CastBallotRequest.translations_read: the version of each translation of the given
   * practices (the ones the juror scores; all when not given) that the page showed.
   */
  reads: (practiceIds?: Iterable<string>) => TranslationReadInit[];
}

/**
 * usePracticeTranslations loads, for a juror of the edition (from the jury round on) or an organiser,
 * the translations into lang of every nominated practice, with their status, outdated marks and
 * versions, never who made them. Polish, the originals' language, loads nothing.
 */
export function usePracticeTranslations(editionId: string, lang: string): PracticeTranslations {
  const loaded = useLoad(async () => {
    if (!editionId || !isTargetLanguage(lang)) return [] as PracticeTranslation[];
    return (await api.translations.listBallotTranslations({ editionId, language: lang })).translations;
  }, [editionId, lang]);
  const byPractice = useMemo(() => new Map((loaded.data ?? []).map((t) => [t.practiceId, t])), [loaded.data]);
  const reads = useCallback((practiceIds?: Iterable<string>) => readsOf(byPractice.values(), practiceIds), [byPractice]);
  return { byPractice, loading: loaded.loading, error: loaded.error, reload: loaded.reload, reads };
}
