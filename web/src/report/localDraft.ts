// A copy of unsaved typing in the browser's storage, so that a closed tab, a lost connection or an
// expired session never loses what an expert typed. It remembers the report version it was typed on,
// so restoring it after someone else saved goes through the usual conflict, never over their work.
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { FollowUpSchema, PracticeSchema, type FollowUp, type Practice } from "../gen/miasta/v1/report_pb.js";

export interface LocalDraft {
  baseVersion: bigint;
  savedAt: Date;
  introduction: string;
  practices: Practice[];
  followUps: FollowUp[];
}

interface Stored {
  baseVersion: string;
  savedAt: string;
  introduction: string;
  practices: JsonValue[];
  followUps: JsonValue[];
}

export { clearAllDrafts, draftKey } from "./draftKeys";

export function storeDraft(storage: Storage, key: string, d: LocalDraft): void {
  const s: Stored = {
    baseVersion: d.baseVersion.toString(),
    savedAt: d.savedAt.toISOString(),
    introduction: d.introduction,
    practices: d.practices.map((p) => toJson(PracticeSchema, p)),
    followUps: d.followUps.map((f) => toJson(FollowUpSchema, f)),
  };
  try {
    storage.setItem(key, JSON.stringify(s));
  } catch {
    // Storage full or refused: the server copy and the unload warning remain.
  }
}

/** loadDraft returns the stored copy, or undefined when there is none or it cannot be read. */
export function loadDraft(storage: Storage, key: string): LocalDraft | undefined {
  try {
    const raw = storage.getItem(key);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Stored;
    return {
      baseVersion: BigInt(s.baseVersion),
      savedAt: new Date(s.savedAt),
      introduction: s.introduction ?? "",
      practices: (s.practices ?? []).map((p) => fromJson(PracticeSchema, p)),
      followUps: (s.followUps ?? []).map((f) => fromJson(FollowUpSchema, f)),
    };
  } catch {
    return undefined;
  }
}

export function clearDraft(storage: Storage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Nothing to do: an unreadable copy is ignored on load anyway.
  }
}

