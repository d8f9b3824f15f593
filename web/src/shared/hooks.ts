import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** useLoad runs load when deps change and on reload(); a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** useNow ticks every interval, for countdowns. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** allPages calls list with successive page tokens until the server has no more. */
export async function allPages<T>(list: (pageToken: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const out: T[] = [];
  let token = "";
  for (let i = 0; i < 1000; i++) {
    const { items, next } = await list(token);
    out.push(...items);
    if (!next) return out;
    token = next;
  }
  return out;
}

/**
 * useDebouncedSave runs save a quiet moment (delayMs) after the last change while pending is true,
 * one save at a time. It returns the save in flight, for actions that must wait for it.
 */
export function useDebouncedSave(pending: boolean, delayMs: number, save: () => Promise<unknown>) {
  const inFlight = useRef<Promise<unknown> | undefined>(undefined);
  const latest = useRef({ pending, save });
  latest.current = { pending, save };
  useEffect(
    () => () => {
      // Leaving the page (an in-app link) sends what is still waiting for its quiet moment.
      if (latest.current.pending && !inFlight.current) void latest.current.save();
    },
    [],
  );
  useEffect(() => {
    if (!pending) return;
    const id = setTimeout(() => {
      if (inFlight.current) return;
      inFlight.current = save().finally(() => (inFlight.current = undefined));
    }, delayMs);
    return () => clearTimeout(id);
  }, [pending, delayMs, save]);
  return inFlight;
}

/** useUnloadWarning asks before the tab closes or reloads while active (something typed is unsaved). */
export function useUnloadWarning(active: boolean) {
  useEffect(() => {
    if (!active) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [active]);
}
