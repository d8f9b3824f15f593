// Where the local copies of reports are kept (localDraft.ts), apart from how they are stored, so that
// sign-out can clear them without the report's protobuf code.
const PREFIX = "miasta.draft.";

/** draftKey names one person's copy of one report: on a shared computer, nobody else is offered it. */
export function draftKey(userId: string, editionId: string, cityId: string): string {
  return `${PREFIX}${userId}.${editionId}.${cityId}`;
}

/** clearAllDrafts removes every local copy, at sign-out. */
export function clearAllDrafts(storage: Storage): void {
  try {
    for (const k of Object.keys(storage)) if (k.startsWith(PREFIX)) storage.removeItem(k);
  } catch {
    // Storage refused: nothing was kept either.
  }
}
