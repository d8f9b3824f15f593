import { createContext, memo, useContext, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Link, NavLink, useLocation } from "react-router";
import { Code, ConnectError, api, errorCode, errorInfo, fieldOf, preconditionViolations } from "./api";
import { fill, ruleKind, useServerMessages } from "./serverMessages";
import { transient } from "./autosave";
import { formatInstant, remaining } from "./format";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Stage } from "../gen/miasta/v1/edition_pb.js";
import type { Me } from "../gen/miasta/v1/identity_pb.js";
import { useLoad, useNow } from "./hooks";
import { clearAllDrafts } from "../report/draftKeys";
import { LOCALES, LOCALE_NAMES, isLocale, useLocale, useT, type MessageId } from "../i18n";

// ---- who is signed in ----

interface MeValue {
  me: Me | undefined; // undefined while loading or when signed out
  signedIn: boolean;
  loading: boolean;
}

const MeContext = createContext<MeValue>({ me: undefined, signedIn: false, loading: true });

export function MeProvider({ children }: { children: ReactNode }) {
  const { data, loading } = useLoad(async () => {
    try {
      return (await api.identity.getMe({})).me;
    } catch (err) {
      if (errorCode(err) === Code.Unauthenticated) return undefined;
      throw err;
    }
  }, []);
  const { suggest } = useLocale();
  useEffect(() => {
    // A juror invited in Vietnamese sees Vietnamese on first sign-in, until they choose otherwise.
    const invited = data?.assignments.find((a) => a.language)?.language;
    if (invited) suggest(invited);
  }, [data, suggest]);
  return <MeContext.Provider value={{ me: data, signedIn: !!data, loading }}>{children}</MeContext.Provider>;
}

export function useMe(): MeValue {
  return useContext(MeContext);
}

/** loginHref starts the sign-in; lang asks the server's provider chooser for the page's language. */
export function loginHref(returnTo: string, lang?: string): string {
  return "/auth/login?return_to=" + encodeURIComponent(returnTo) + (lang ? "&lang=" + encodeURIComponent(lang) : "");
}

// ---- page frame ----

export function Layout({ children }: { children: ReactNode }) {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const { me, signedIn, loading } = useMe();
  const location = useLocation();
  const langId = useId();
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // A new page: move focus to its content so screen readers and keyboards start there.
    mainRef.current?.focus();
  }, [location.pathname]);
  const [logoutFailed, setLogoutFailed] = useState(false);
  async function logout() {
    const res = await fetch("/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
    if (!res?.ok) {
      setLogoutFailed(true); // still signed in: say so rather than pretend
      return;
    }
    clearAllDrafts(window.localStorage);
    window.location.assign("/");
  }
  return (
    <>
      <a className="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header className="top">
        <div className="brand">
          <Link to="/">Miasta Otwarte</Link>
        </div>
        <nav aria-label={t("nav.label")}>
          <NavLink to="/" end>
            {t("nav.home")}
          </NavLink>
          <NavLink to="/results" end>
            {t("nav.archive")}
          </NavLink>
          <NavLink to="/search">{t("nav.search")}</NavLink>
        </nav>
        <div className="tools">
          <label htmlFor={langId}>{t("nav.language")}</label>
          <select id={langId} value={locale} onChange={(e) => isLocale(e.target.value) && setLocale(e.target.value)}>
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
          {loading ? null : signedIn ? (
            <>
              <span className="who">{t("nav.signedInAs", { name: me?.user?.name || me?.user?.email || "" })}</span>
              <button type="button" className="link" onClick={logout}>
                {t("nav.signOut")}
              </button>
              {logoutFailed ? <span role="alert">{t("nav.signOutFailed")}</span> : null}
            </>
          ) : (
            <a href={loginHref(location.pathname, locale)}>{t("nav.signIn")}</a>
          )}
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
      <footer className="bottom">
        <Link to="/privacy">{t("nav.privacy")}</Link>
      </footer>
    </>
  );
}

// ---- small pieces ----

/** DemonstrationNote marks an edition's invented data wherever the edition is shown (its results, its
 * practices and cities, lists of editions): a banner, or a short tag inline. */
export function DemonstrationNote({ inline = false }: { inline?: boolean }) {
  const t = useT();
  if (inline) return <span className="demo-tag" title={t("demo.mark")}>{t("demo.tag")}</span>;
  return (
    <p className="demo-mark" role="note" data-testid="demonstration">
      {t("demo.mark")}
    </p>
  );
}

/** ErrorNote explains a failed call: a sentence for its Connect code, the server's detail, the field. */
export function ErrorNote({ error }: { error: unknown }) {
  const t = useT();
  const { locale } = useLocale();
  if (!error) return null;
  const err = ConnectError.from(error);
  const key = ("error." + Code[err.code]) as MessageId;
  const field = fieldOf(error);
  const sentence = t(key); // every Connect code has its sentence in every catalogue
  const missing = preconditionViolations(error).filter((v) => v.type === "TEXT_MISSING");
  if (missing.length > 0) {
    // "<subject>/<what>/<language>": counted per language, for the texts panel to fill in.
    const per = new Map<string, number>();
    for (const v of missing) {
      const lang = v.subject.split("/").pop() ?? "";
      per.set(lang, (per.get(lang) ?? 0) + 1);
    }
    return (
      <div className="error" role="alert">
        <p>{t("texts.missingBeforeJury", { count: missing.length })}</p>
        <ul>
          {[...per].map(([l, n]) => (
            <li key={l}>
              <span lang={l}>{isLocale(l) ? LOCALE_NAMES[l] : l}</span>: {n}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="error" role="alert">
      <p>{sentence}</p>
      {err.code === Code.Unauthenticated ? (
        <p>
          <a href={loginHref(window.location.pathname, locale)}>{t("nav.signIn")}</a>
        </p>
      ) : null}
      <ErrorDetail error={error} field={field} />
    </div>
  );
}

/**
 * ErrorDetail says what the server found wrong in the reader's language: each refused field with its
 * rule, or the server's message from its catalogue; a message no catalogue has yet is shown as sent,
 * marked as English.
 */
function ErrorDetail({ error, field }: { error: unknown; field: string | undefined }) {
  const t = useT();
  const { locale } = useLocale();
  const err = ConnectError.from(error);
  const info = errorInfo(error);
  const messages = useServerMessages(locale, !!info && info.reason !== "VALIDATION");
  if (info?.reason === "VALIDATION") {
    return (
      <ul className="detail">
        {Object.entries(info.metadata).map(([f, rule]) => (
          <li key={f}>
            {t("error.field", { field: f })} {t(`error.rule.${ruleKind(rule)}` as MessageId)}
          </li>
        ))}
      </ul>
    );
  }
  const text = info && messages?.[info.reason];
  if (text) {
    return (
      <p className="detail">
        {field ? t("error.field", { field }) + " " : ""}
        {fill(text, info.metadata)}
      </p>
    );
  }
  if (!err.rawMessage) return null;
  return (
    <p className="detail">
      {field ? t("error.field", { field }) + " " : ""}
      {locale === "en" ? null : <span className="hint">{t("error.inEnglish")} </span>}
      <span lang="en">{err.rawMessage}</span>
    </p>
  );
}


/**
 * ServerText is a message the server sent with its catalogue key (id) and arguments, in the reader's
 * language once the catalogue has loaded; until then, or for a message no catalogue has, the English
 * text, marked as English.
 */
export function ServerText({ id, args, english }: { id: string; args: Record<string, string>; english: string }) {
  const { locale } = useLocale();
  const messages = useServerMessages(locale, !!id);
  const text = id ? messages?.[id] : undefined;
  if (text) return <>{fill(text, args)}</>;
  return locale === "en" ? <>{english}</> : <span lang="en">{english}</span>;
}

/**
 * Scroll holds a table that may be wider than a phone: it scrolls sideways within itself, and as a
 * named region that takes focus it can be scrolled from the keyboard too.
 */
export function Scroll({ label, labelledBy, hidden, children }: { label?: string; labelledBy?: string; hidden?: boolean; children: ReactNode }) {
  return (
    <div className="scroll" role="region" tabIndex={0} aria-label={label} aria-labelledby={labelledBy} hidden={hidden}>
      {children}
    </div>
  );
}
export function Loading() {
  const t = useT();
  return (
    <p className="loading" role="status">
      {t("common.loading")}
    </p>
  );
}

/** SignInNeeded replaces a page that needs a signed-in user. */
export function SignInNeeded() {
  const t = useT();
  const { locale } = useLocale();
  const location = useLocation();
  return (
    <section>
      <h1>{t("auth.needed")}</h1>
      <p>
        <a className="button primary" href={loginHref(location.pathname, locale)}>
          {t("nav.signIn")}
        </a>
      </p>
    </section>
  );
}

const stageKeys: Record<Stage, MessageId> = {
  [Stage.UNSPECIFIED]: "stage.UNSPECIFIED",
  [Stage.DRAFT]: "stage.DRAFT",
  [Stage.REPORTING]: "stage.REPORTING",
  [Stage.REVIEW]: "stage.REVIEW",
  [Stage.JURY]: "stage.JURY",
  [Stage.TALLIED]: "stage.TALLIED",
  [Stage.ANNOUNCED]: "stage.ANNOUNCED",
};

export function StageBadge({ stage }: { stage: Stage }) {
  const t = useT();
  return <span className={"badge stage-" + Stage[stage].toLowerCase()}>{t(stageKeys[stage])}</span>;
}

export function stageName(t: ReturnType<typeof useT>, stage: Stage): string {
  return t(stageKeys[stage]);
}

/** Deadline shows an instant in Warsaw time and, until it passes, how long is left (memo: formatting is costly). */
export const Deadline = memo(function Deadline({ label, at }: { label: string; at: Timestamp | undefined }) {
  const t = useT();
  const { locale } = useLocale();
  const now = useNow();
  if (!at) return null;
  const left = remaining(at, now);
  return (
    <p className="deadline">
      <strong>{label}:</strong> {formatInstant(at, locale)}{" "}
      <span className={left.past ? "past" : left.days < 2 ? "soon" : ""}>
        {left.past
          ? t("deadline.passed")
          : left.days > 0
            ? t("deadline.daysLeft", { days: left.days, hours: left.hours })
            : t("deadline.hoursLeft", { hours: left.hours, minutes: left.minutes })}
      </span>
    </p>
  );
});

export type SaveState =
  | { kind: "clean"; savedAt?: Date }
  | { kind: "dirty" }
  | { kind: "saving" }
  | { kind: "failed"; error: unknown }
  | { kind: "conflict" };

/** SaveIndicator tells, politely to screen readers, whether what was typed is safe on the server (memo: typing leaves the state as it is). */
export const SaveIndicator = memo(function SaveIndicator({ state }: { state: SaveState }) {
  const t = useT();
  const { locale } = useLocale();
  let text: string;
  switch (state.kind) {
    case "clean":
      text = state.savedAt
        ? t("save.savedAt", {
            time: new Intl.DateTimeFormat(locale, { timeStyle: "medium", timeZone: "Europe/Warsaw" }).format(state.savedAt),
          })
        : t("save.upToDate");
      break;
    case "dirty":
      text = t("save.dirty");
      break;
    case "saving":
      text = t("save.saving");
      break;
    case "failed":
      text = transient(state.error) ? t("save.retrying") : t("save.failed");
      break;
    case "conflict":
      text = t("save.conflict");
      break;
  }
  return (
    <p className={"save-state save-" + state.kind} role="status" aria-live="polite" data-testid="save-state">
      {text}
    </p>
  );
});

/**
 * ConfirmDialog is a modal <dialog>: the browser traps focus in it and Escape closes it. open drives
 * it; onConfirm runs on the confirm button.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  confirmDisabled?: boolean;
}) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal?.();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onCancel} className="confirm">
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
        <button type="button" className="primary" onClick={props.onConfirm} disabled={props.confirmDisabled}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** download saves bytes under a file name, through a temporary object URL. */
export function download(name: string, data: BlobPart, type: string) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
