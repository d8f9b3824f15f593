import { useId, useRef, useState } from "react";
import { api, conflictDetail } from "../shared/api";
import { transient, useVersionedAutosave } from "../shared/autosave";
import { ErrorNote, Loading, SaveIndicator, Scroll } from "../shared/components";
import { formatInstant } from "../shared/format";
import type { Edition } from "../gen/miasta/v1/edition_pb.js";
import { MailDelivery, MailKind, MailStatus, OutboxMailConflictSchema, type OutboxMail } from "../gen/miasta/v1/mail_pb.js";
import { allPages, useLoad } from "../shared/hooks";
import { LOCALE_NAMES, isLocale, useLocale, useT, type MessageId } from "../i18n";

const KINDS = [
  MailKind.INVITATION,
  MailKind.REPORTING_OPENED,
  MailKind.REPORTING_REMINDER,
  MailKind.REPORT_RETURNED,
  MailKind.JURY_OPENED,
  MailKind.BALLOT_REMINDER,
  MailKind.RESULTS_ANNOUNCED,
  MailKind.MESSAGE,
];
const AUTOSAVE_MS = 1200;

interface MailDraft {
  subject: string;
  body: string;
}

const STATUSES = [MailStatus.HELD, MailStatus.PENDING, MailStatus.SENT, MailStatus.FAILED, MailStatus.DISCARDED];
const kindKey = (k: MailKind) => ("mail." + MailKind[k]) as MessageId;
const statusKey = (s: MailStatus) => ("mail." + MailStatus[s]) as MessageId;

/** MailPanel is the edition's outbox: the policy per kind, and every queued mail to review or follow. */
export function MailPanel({ edition }: { edition: Edition }) {
  const t = useT();
  const ids = useId();
  const [status, setStatus] = useState<MailStatus>(MailStatus.HELD);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const policy = useLoad(() => api.mail.getMailPolicy({ editionId: edition.id }), [edition.id]);
  const outbox = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.mail.listOutbox({ editionId: edition.id, status, pageSize: 100, pageToken });
        return { items: r.mails, next: r.nextPageToken };
      }),
    [edition.id, status, edition.stage],
  );
  async function setPolicy(kind: MailKind, delivery: MailDelivery) {
    setError(undefined);
    try {
      await api.mail.setMailPolicy({ editionId: edition.id, kind, delivery });
      policy.reload();
    } catch (err) {
      setError(err);
    }
  }
  async function releaseAll(mails: OutboxMail[]) {
    setBusy(true);
    setError(undefined);
    try {
      for (const m of mails) await api.mail.releaseOutboxMail({ mailId: m.id, expectedVersion: m.version });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      outbox.reload();
    }
  }
  // From the mails' own status, never the filter's: the list on screen may still be the last filter's.
  const held = status === MailStatus.HELD ? (outbox.data ?? []).filter((m) => m.status === MailStatus.HELD) : [];
  return (
    <section aria-labelledby="mail-title">
      <h2 id="mail-title">{t("mail.title")}</h2>
      <p>{t("mail.intro")}</p>
      <details>
        <summary>{t("mail.policy")}</summary>
        <Scroll label={t("mail.policy")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("mail.kind")}</th>
                <th scope="col">{t("mail.delivery")}</th>
              </tr>
            </thead>
            <tbody>
              {KINDS.map((k) => {
                const p = policy.data?.policies.find((x) => x.kind === k);
                return (
                  <tr key={k}>
                    <th scope="row">{t(kindKey(k))}</th>
                    <td>
                      <select
                        aria-label={t("mail.deliveryOf", { kind: t(kindKey(k)) })}
                        value={p?.delivery ?? MailDelivery.REVIEW}
                        onChange={(e) => setPolicy(k, Number(e.target.value) as MailDelivery)}
                      >
                        <option value={MailDelivery.REVIEW}>{t("mail.REVIEW")}</option>
                        <option value={MailDelivery.AUTOMATIC}>{t("mail.AUTOMATIC")}</option>
                      </select>
                    </td>
                  </tr>
                );
              })}
              <tr>
                <th scope="row">{t(kindKey(MailKind.BALLOT_RECEIPT))}</th>
                <td>{t("mail.receiptFixed")}</td>
              </tr>
            </tbody>
          </table>
        </Scroll>
      </details>
      <div className="field">
        <label htmlFor={ids + "s"}>{t("mail.showStatus")}</label>
        <select id={ids + "s"} value={status} onChange={(e) => setStatus(Number(e.target.value) as MailStatus)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(statusKey(s))}
            </option>
          ))}
          <option value={MailStatus.UNSPECIFIED}>{t("mail.ALL")}</option>
        </select>
      </div>
      <ErrorNote error={error ?? outbox.error ?? policy.error} />
      {held.length > 1 ? (
        <p>
          <button type="button" className="primary" disabled={busy} onClick={() => releaseAll(held)}>
            {t("mail.releaseAll", { count: held.length })}
          </button>
        </p>
      ) : null}
      {!outbox.data ? <Loading /> : outbox.data.length === 0 ? <p>{t("mail.none")}</p> : null}
      <ul className="plain mail-list">
        {outbox.data?.map((m) => (
          <li key={m.id}>
            <MailItem mail={m} onChanged={outbox.reload} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** MailItem is one queued mail; a held one's subject and text save as they are typed. */
function MailItem({ mail, onChanged }: { mail: OutboxMail; onChanged: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const ids = useId();
  const [current, setCurrent] = useState(mail); // the server's copy
  const [draft, setDraft] = useState<MailDraft>({ subject: mail.subject, body: mail.body });
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const [error, setError] = useState<unknown>();
  const held = current.status === MailStatus.HELD;
  const to = `${mail.recipientName} <${mail.recipientEmail}>`;
  const auto = useVersionedAutosave<MailDraft, OutboxMail>({
    draft,
    version: mail.version,
    enabled: held,
    delayMs: AUTOSAVE_MS,
    save: async (d, expectedVersion) =>
      (await api.mail.editOutboxMail({ mailId: mail.id, expectedVersion, subject: d.subject, body: d.body })).mail!,
    versionOf: (m) => m.version,
    conflictOf: (err) => conflictDetail(err, OutboxMailConflictSchema)?.current,
    onSaved: (saved) => setCurrent(saved),
  });
  const edit = (f: (d: MailDraft) => MailDraft) => {
    auto.changed();
    setDraft(f);
  };
  /** act sends what was typed first, then f against the version that produced. */
  async function act(f: (version: bigint) => Promise<unknown>) {
    setError(undefined);
    try {
      if (!(await auto.flush(() => draftRef.current))) return;
      await f(auto.version());
      onChanged();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details className="card">
      <summary>
        <span className="badge">{t(statusKey(current.status))}</span> {t(kindKey(mail.kind))} — {to} —{" "}
        <em>{current.subject}</em> {current.edited ? <span className="muted">({t("mail.edited")})</span> : null}
      </summary>
      <p className="hint">
        {isLocale(mail.language) ? LOCALE_NAMES[mail.language] : mail.language} · {formatInstant(mail.createTime, locale)} ·{" "}
        {t("mail.attempts")}: {mail.attempts}
        {mail.lastError ? " · " + t("mail.lastError", { error: mail.lastError }) : ""}
      </p>
      <fieldset disabled={!held} className="plain">
        <legend className="visually-hidden">{t("mail.open", { to })}</legend>
        <div className="field">
          <label htmlFor={ids + "s"}>{t("mail.subject")}</label>
          <input id={ids + "s"} value={draft.subject} onChange={(e) => edit((d) => ({ ...d, subject: e.target.value }))} />
        </div>
        <div className="field">
          <label htmlFor={ids + "b"}>{t("mail.body")}</label>
          <textarea id={ids + "b"} rows={8} value={draft.body} onChange={(e) => edit((d) => ({ ...d, body: e.target.value }))} />
        </div>
      </fieldset>
      {held ? <SaveIndicator state={auto.state} /> : null}
      {auto.state.kind === "failed" && !transient(auto.state.error) ? <ErrorNote error={auto.state.error} /> : null}
      {auto.conflict ? (
        <div className="conflict" role="alert">
          <p>{t("mail.conflict", { subject: auto.conflict.subject })}</p>
          <p className="actions">
            <button type="button" className="primary" onClick={() => {
                const theirs = auto.keepMine(draft);
                if (theirs) setCurrent(theirs);
              }}>
              {t("conflict.keepMine")}
            </button>
            <button
              type="button"
              onClick={() => {
                const theirs = auto.takeTheirs();
                if (!theirs) return;
                setCurrent(theirs);
                setDraft({ subject: theirs.subject, body: theirs.body });
              }}
            >
              {t("conflict.takeTheirs")}
            </button>
          </p>
        </div>
      ) : null}
      <p className="actions">
        {held ? (
          <>
            <button
              type="button"
              className="primary"
              disabled={!!auto.conflict}
              onClick={() => act((v) => api.mail.releaseOutboxMail({ mailId: mail.id, expectedVersion: v }))}
            >
              {t("mail.release")}
            </button>
          </>
        ) : null}
        {current.status === MailStatus.FAILED ? (
          <button type="button" onClick={() => act((v) => api.mail.releaseOutboxMail({ mailId: mail.id, expectedVersion: v }))}>
            {t("mail.release")}
          </button>
        ) : null}
        {held || current.status === MailStatus.FAILED ? (
          <button type="button" className="danger" onClick={() => act((v) => api.mail.discardOutboxMail({ mailId: mail.id, expectedVersion: v }))}>
            {t("mail.discard")}
          </button>
        ) : null}
      </p>
      <ErrorNote error={error} />
    </details>
  );
}
