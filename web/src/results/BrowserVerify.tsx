// Verification in the reader's browser: the edition's bundle checked by the independent verifier in
// a Web Worker (nothing is sent back), every check of the specification listed in the reader's
// language, the witnesses that cosigned, and a cheap gossip: the browser remembers the last checkpoint
// it verified for this site and makes every later bundle prove that its log extends it (check K4), so
// a site showing this reader another history than before is caught.
import { useEffect, useId, useState } from "react";
import { CHECK_ORDER, type CheckId, type Result, type Summary } from "../../../verifier/src/index.ts";
import { useLocale, useT, type MessageId } from "../i18n";
import { formatInstant } from "../shared/format";
import type { VerifyReply, VerifyRequest } from "./verify.worker";

const REMEMBERED = "miasta.verifiedCheckpoint";

interface Remembered {
  note: string;
  size: number;
  time: string;
}

function remembered(): Remembered | undefined {
  try {
    const r = JSON.parse(localStorage.getItem(REMEMBERED) ?? "null") as Remembered | null;
    return r && typeof r.note === "string" && typeof r.size === "number" ? r : undefined;
  } catch {
    return undefined;
  }
}

type State =
  | { phase: "idle" }
  | { phase: "running"; loaded: number; total: number; check?: CheckId }
  | { phase: "done"; result: Result; pinned?: Remembered }
  | { phase: "error"; message: string };

function sizeOf(note: string): number {
  return Number(note.split("\n")[1] ?? -1);
}

/** run verifies the bundle at url in a fresh worker, reporting progress to set. */
function run(req: VerifyRequest, set: (s: State) => void, pinned?: Remembered): () => void {
  const w = new Worker(new URL("./verify.worker.ts", import.meta.url), { type: "module" });
  let state: State = { phase: "running", loaded: 0, total: 0 };
  set(state);
  w.onmessage = (e: MessageEvent<VerifyReply>) => {
    const r = e.data;
    if (r.kind === "download" && state.phase === "running") state = { ...state, loaded: r.loaded, total: r.total };
    else if (r.kind === "check" && state.phase === "running") state = { ...state, check: r.check };
    else if (r.kind === "error") state = { phase: "error", message: r.message };
    else if (r.kind === "done") {
      state = { phase: "done", result: r.result, pinned };
      if (r.result.ok && r.checkpoint && !req.receipt) {
        const next: Remembered = { note: r.checkpoint, size: sizeOf(r.checkpoint), time: new Date().toISOString() };
        if (!pinned || next.size >= pinned.size) localStorage.setItem(REMEMBERED, JSON.stringify(next));
      }
      w.terminate();
    }
    set(state);
  };
  w.onerror = () => set({ phase: "error", message: "the verifier could not start" });
  w.postMessage(req);
  return () => w.terminate();
}

/** BrowserVerify verifies the year's bundle once the page opens, and checks receipts on demand. */
export function BrowserVerify({ year, verifierKey }: { year: number; verifierKey: string }) {
  const t = useT();
  const [state, setState] = useState<State>({ phase: "idle" });
  const [receiptState, setReceiptState] = useState<State>({ phase: "idle" });
  const [receipt, setReceipt] = useState("");
  const ids = useId();
  const url = `/audit/${year}/bundle.json`;

  useEffect(() => {
    if (!verifierKey || typeof Worker === "undefined") return;
    const pinned = remembered();
    // A remembered checkpoint larger than the bundle's log cannot be checked against it here: K4
    // would refuse it, rightly, and the result says so.
    return run({ url, key: verifierKey, checkpoints: pinned ? [pinned.note] : [], witnesses: true }, setState, pinned);
  }, [url, verifierKey]);

  return (
    <section aria-labelledby={ids + "t"} className="browser-verify" data-testid="browser-verify">
      <h3 id={ids + "t"}>{t("bv.title")}</h3>
      <p>{t("bv.intro")}</p>
      <Progress state={state} />
      {state.phase === "done" ? <Outcome result={state.result} pinned={state.pinned} /> : null}
      {state.phase === "error" ? (
        <p className="error" role="alert">
          {t("bv.error")} <span lang="en">{state.message}</span>
        </p>
      ) : null}
      <details className="proves">
        <summary>{t("bv.provesTitle")}</summary>
        <p>{t("bv.proves")}</p>
        <p>{t("bv.provesNot")}</p>
      </details>
      <h3>{t("bv.receiptTitle")}</h3>
      <form
        className="receipt-check"
        onSubmit={(e) => {
          e.preventDefault();
          run({ url, key: verifierKey, checkpoints: [], witnesses: false, receipt: receipt.trim() }, setReceiptState);
        }}
      >
        <div className="field">
          <label htmlFor={ids + "r"}>{t("bv.receiptLabel")}</label>
          <input id={ids + "r"} value={receipt} onChange={(e) => setReceipt(e.target.value)} placeholder="sha256:…" spellCheck={false} autoComplete="off" />
        </div>
        <button type="submit" disabled={!/^sha256:[0-9a-f]{64}$/.test(receipt.trim())}>
          {t("bv.receiptCheck")}
        </button>
      </form>
      {receiptState.phase === "running" ? <p role="status">{t("bv.receiptRunning")}</p> : null}
      {receiptState.phase === "done" ? <ReceiptOutcome result={receiptState.result} /> : null}
      {receiptState.phase === "error" ? <p className="error" role="alert">{t("bv.error")}</p> : null}
      {state.phase === "done" ? <RememberedHint /> : null}
    </section>
  );
}

/** RememberedHint says which checkpoint this browser now remembers for the site. */
function RememberedHint() {
  const t = useT();
  const { locale } = useLocale();
  const r = remembered();
  return r ? <p className="hint">{t("bv.remembered", { size: r.size, time: formatInstant(new Date(r.time), locale) })}</p> : null;
}

function Progress({ state }: { state: State }) {
  const t = useT();
  const done = state.phase === "done" ? CHECK_ORDER.length : state.phase === "running" && state.check ? CHECK_ORDER.indexOf(state.check) : 0;
  const failed = state.phase === "done" && !state.result.ok ? state.result.check : undefined;
  return (
    <>
      <progress max={CHECK_ORDER.length} value={done} aria-label={t("bv.progress")} />
      <p role="status" data-testid="bv-status">
        {state.phase === "running"
          ? state.check
            ? t("bv.checking", { check: t(`check.${state.check}` as MessageId) })
            : t("bv.downloading", { kb: Math.round(state.loaded / 1000) })
          : state.phase === "done"
            ? state.result.ok
              ? t("bv.passed", { count: CHECK_ORDER.length })
              : t("bv.failed", { check: failed ?? "", name: t(`check.${failed}` as MessageId) })
            : ""}
      </p>
      {state.phase === "done" ? (
        <ol className="checks">
          {CHECK_ORDER.map((c) => {
            const i = CHECK_ORDER.indexOf(c);
            const f = failed ? CHECK_ORDER.indexOf(failed) : CHECK_ORDER.length;
            const mark = i < f ? "ok" : i === f ? "failed" : "skipped";
            return (
              <li key={c} className={mark} data-check={c} data-state={mark}>
                <span aria-hidden="true">{mark === "ok" ? "✓" : mark === "failed" ? "✗" : "–"}</span> <b>{c}</b> {t(`check.${c}` as MessageId)}
                <span className="visually-hidden"> {t(`bv.state.${mark}` as MessageId)}</span>
              </li>
            );
          })}
        </ol>
      ) : null}
    </>
  );
}

function Outcome({ result, pinned }: { result: Result; pinned?: Remembered }) {
  const t = useT();
  if (!result.ok) {
    return (
      <div className="notice warn" role="alert" data-testid="bv-failed">
        <p>{result.check === "K4" && pinned ? t("bv.splitView", { size: pinned.size }) : t("bv.tampered")}</p>
        <p lang="en" className="code">{result.message}</p>
      </div>
    );
  }
  const s: Summary = result.summary;
  return (
    <div className="notice ok" data-testid="bv-ok">
      <p>{t("bv.ok", { size: s.checkpoint_size, casts: s.counted_casts ?? 0 })}</p>
      {pinned ? <p data-testid="bv-consistent">{t("bv.consistent", { size: pinned.size })}</p> : <p>{t("bv.firstVisit")}</p>}
      {s.witnesses.length ? (
        <ul className="plain" data-testid="bv-witnesses">
          {s.witnesses.map((w) => (
            <li key={w.key}>{w.cosigned ? t("bv.witnessCosigned", { name: w.key.split("+")[0], time: w.time ?? "" }) : t("bv.witnessNot", { name: w.key.split("+")[0] })}</li>
          ))}
        </ul>
      ) : (
        <p>{t("bv.noWitnesses")}</p>
      )}
    </div>
  );
}

function ReceiptOutcome({ result }: { result: Result }) {
  const t = useT();
  if (!result.ok) {
    return (
      <p className="notice warn" role="alert" data-testid="receipt-result">
        {result.check === "P1" ? t("bv.receiptMissing") : t("bv.tampered")} <span lang="en">{result.message}</span>
      </p>
    );
  }
  const r = result.summary.receipt!;
  return (
    <p className="notice ok" role="status" data-testid="receipt-result">
      {t("bv.receiptFound", { leaf: r.leaf_index })} {t(`bv.receipt.${r.status}` as MessageId)} {t("bv.receiptCast")} <code>{r.cast_id}</code>
    </p>
  );
}
