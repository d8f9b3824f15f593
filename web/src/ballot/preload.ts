import { EditionService } from "../gen/miasta/v1/edition_pb.js";
import { preload, preloadCategories, preloadCriteria } from "../shared/api";
import { isTargetLanguage } from "../translation/translationMath";

// The first page of nominations, as BallotPage asks for it.
const NOMINATIONS_PAGE = 100;

/**
 * preloadBallot sends the calls BallotPage makes when it opens, all at once, while its code is still
 * on the way (shared/preload.ts). They must stay the page's own calls, request for request:
 * preload.test.tsx renders the page and fails when it asks for anything not preloaded here, or
 * leaves something preloaded unasked.
 */
export async function preloadBallot(editionId: string, lang?: string) {
  void preload(EditionService.method.getEdition, { editionId });
  preloadCategories(editionId);
  preloadCriteria(editionId);
  // The jury's and the results' code comes with the page's (the server preloads it with the HTML).
  const [{ JuryService }, { ResultsService }, { TranslationService }] = await Promise.all([
    import("../gen/miasta/v1/jury_pb.js"),
    import("../gen/miasta/v1/results_pb.js"),
    import("../gen/miasta/v1/translation_pb.js"),
  ]);
  void preload(ResultsService.method.getTallyRule, { editionId });
  void preload(JuryService.method.listBallotNominations, { editionId, pageSize: NOMINATIONS_PAGE });
  void preload(JuryService.method.getBallot, { editionId });
  // The reports in the juror's language, when the page starts in one translations are made into.
  if (lang && isTargetLanguage(lang)) void preload(TranslationService.method.listBallotTranslations, { editionId, language: lang });
}
