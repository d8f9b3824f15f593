// One versioned autosave for everything a person types that the server keeps with a version (a report,
// a ballot): a quiet moment after the last change it saves against the version the page holds; a
// save that meets a newer version shows both (a conflict) instead of overwriting; a save the network
// lost is tried again when the browser is back online, and after a growing pause; and nothing typed
// is lost to a closed tab without a warning.
import { useCallback, useEffect, useRef, useState } from "react";
import { Code, ConnectError } from "./api";
import type { SaveState } from "./components";
import { useDebouncedSave, useUnloadWarning } from "./hooks";

export interface AutosaveOptions<D, S> {
  /** What is on screen now. */
  draft: D;
  /** The version of the server's copy the page started from. */
  version: bigint;
  /** Editing is allowed and nothing else (a submit, a cast) is under way. */
  enabled: boolean;
  delayMs: number;
  /** Saves d over the server's copy of expectedVersion; resolves to the server's new copy. */
  save: (d: D, expectedVersion: bigint) => Promise<S>;
  versionOf: (s: S) => bigint;
  /** The server's current copy an error carries when the save met a newer version. */
  conflictOf: (err: unknown) => S | undefined;
  /** Called with the server's copy after each save, and the draft that save sent. */
  onSaved: (saved: S, sent: D) => void;
}

export interface Autosave<D, S> {
  state: SaveState;
  /** The server's newer copy, while a save met it. */
  conflict: S | undefined;
  /** Call on every change to the draft. */
  changed(): void;
  /** Saves d now, over expectedVersion (the page's version when not given). */
  saveNow(d: D, expectedVersion?: bigint): Promise<S | undefined>;
  /** Waits for the save in flight and saves what it did not carry: true when the server has it all. */
  flush(latest: () => D): Promise<boolean>;
  /** Resolves a conflict by saving d over the server's newer copy; returns that copy. */
  keepMine(d: D): S | undefined;
  /** Resolves a conflict by taking the server's newer copy (what was typed is dropped); returns it. */
  takeTheirs(): S | undefined;
  /** Another call (a submit, a cast, a recusal) changed the server's copy to this version. */
  serverChanged(version: bigint): void;
  /** The version the next save is made against. */
  version(): bigint;
}

/** transient errors are worth trying again unchanged: the network or the server, not the content. */
export function transient(err: unknown): boolean {
  switch (ConnectError.from(err).code) {
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Unknown: // a fetch that never reached the server
    case Code.ResourceExhausted:
    case Code.Internal:
      return true;
    default:
      return false;
  }
}

/** retryDelay is the pause before the n-th automatic retry (n from 0): 2 s doubling up to a minute. */
export function retryDelay(n: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.min(n, 5));
}

export function useVersionedAutosave<D, S>(o: AutosaveOptions<D, S>): Autosave<D, S> {
  const [state, setState] = useState<SaveState>({ kind: "clean" });
  const [conflict, setConflict] = useState<S | undefined>();
  const edits = useRef(0); // bumps on every change, so a save knows whether it is still current
  const savedEdits = useRef(0); // the edit count the server has
  const versionRef = useRef(o.version);
  const retries = useRef(0);
  const opts = useRef(o);
  opts.current = o;

  const saveNow = useCallback(async (d: D, expectedVersion?: bigint): Promise<S | undefined> => {
    const at = edits.current;
    setState({ kind: "saving" });
    try {
      const saved = await opts.current.save(d, expectedVersion ?? versionRef.current);
      versionRef.current = opts.current.versionOf(saved);
      retries.current = 0;
      opts.current.onSaved(saved, d);
      if (edits.current === at) {
        savedEdits.current = at;
        setState({ kind: "clean", savedAt: new Date() });
      } else {
        setState({ kind: "dirty" }); // more was typed meanwhile: save again soon
      }
      return saved;
    } catch (err) {
      const current = opts.current.conflictOf(err);
      if (current) {
        setConflict(current);
        setState({ kind: "conflict" });
      } else {
        setState({ kind: "failed", error: err });
      }
      return undefined;
    }
  }, []);

  const inFlight = useDebouncedSave(state.kind === "dirty" && o.enabled, o.delayMs, () =>
    saveNow(opts.current.draft, versionRef.current),
  );

  // A save the network or the server lost is tried again: at once when the browser is back online,
  // else after a pause that grows with each failure.
  useEffect(() => {
    if (state.kind !== "failed" || !transient(state.error)) return;
    const again = () => setState((s) => (s.kind === "failed" ? { kind: "dirty" } : s));
    const id = window.setTimeout(() => {
      retries.current++;
      again();
    }, retryDelay(retries.current));
    window.addEventListener("online", again);
    return () => {
      window.clearTimeout(id);
      window.removeEventListener("online", again);
    };
  }, [state]);

  useUnloadWarning(state.kind !== "clean");

  const changed = useCallback(() => {
    edits.current++;
    // The same state while it stays dirty: what shows it need not re-render on every key.
    setState((s) => (s.kind === "conflict" || s.kind === "dirty" ? s : { kind: "dirty" }));
  }, []);

  const flush = useCallback(
    async (latest: () => D) => {
      if (inFlight.current) await inFlight.current;
      // Read after the save in flight: the latest draft and the version that save produced.
      if (edits.current === savedEdits.current) return true;
      return (await saveNow(latest(), versionRef.current)) !== undefined;
    },
    [inFlight, saveNow],
  );

  const keepMine = useCallback(
    (d: D) => {
      if (!conflict) return undefined;
      const theirs = conflict;
      setConflict(undefined);
      versionRef.current = opts.current.versionOf(theirs);
      void saveNow(d, versionRef.current);
      return theirs;
    },
    [conflict, saveNow],
  );

  const takeTheirs = useCallback(() => {
    if (!conflict) return undefined;
    const theirs = conflict;
    versionRef.current = opts.current.versionOf(theirs);
    setConflict(undefined);
    savedEdits.current = edits.current;
    setState({ kind: "clean" });
    return theirs;
  }, [conflict]);

  const serverChanged = useCallback((version: bigint) => {
    versionRef.current = version;
  }, []);

  const version = useCallback(() => versionRef.current, []);

  return { state, conflict, changed, saveNow, flush, keepMine, takeTheirs, serverChanged, version };
}
