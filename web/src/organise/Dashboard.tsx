import { useId, useRef, useState } from "react";
import { Link } from "react-router";
import { api } from "../shared/api";
import { Deadline, ErrorNote, ServerText, stageName } from "../shared/components";
import { Stage, type DashboardPerson, type Edition, type EditionDashboard } from "../gen/miasta/v1/edition_pb.js";
import { MailStatus } from "../gen/miasta/v1/mail_pb.js";
import { type Loaded } from "../shared/hooks";
import { useT, type MessageId } from "../i18n";
import { uuid } from "../shared/uuid";
import { counts, late, type Section } from "./dashboardMath";

/** sectionLink is the URL of a section of the organiser page (the browser's back button returns). */
export const sectionLink = (s: Section) => "?section=" + s;

const deadlineKey: Partial<Record<Stage, MessageId>> = {
  [Stage.REPORTING]: "edition.reportingDeadline",
  [Stage.JURY]: "edition.juryDeadline",
  [Stage.TALLIED]: "edition.ceremony",
};

/** DashboardView is the landing view: the stage and its deadline, what blocks the next move, the counts that matter, and who is late. */
export function DashboardView({ edition, dashboard }: { edition: Edition; dashboard: Loaded<EditionDashboard> }) {
  const t = useT();
  const d = dashboard.data;
  if (!d) return <ErrorNote error={dashboard.error} />;
  const s = edition.stage;
  const key = deadlineKey[s];
  return (
    <section aria-labelledby="dashboard-title" data-testid="dashboard">
      <h2 id="dashboard-title">{t("dashboard.title", { stage: stageName(t, s) })}</h2>
      {key ? (
        d.stageDeadline ? (
          <Deadline label={t(key)} at={d.stageDeadline} />
        ) : (
          <p className="notice">{t("dashboard.noDeadline", { deadline: t(key) })}</p>
        )
      ) : null}
      {d.nextStage !== Stage.UNSPECIFIED ? (
        <div className="card">
          <h3>{t("dashboard.before", { stage: stageName(t, d.nextStage) })}</h3>
          {d.blockers.length === 0 && d.warnings.length === 0 ? <p className="notice ok">{t("dashboard.ready")}</p> : null}
          {d.nextStage === Stage.JURY && !edition.timeline?.juryDeadline ? (
            <p className="notice">
              {t("dashboard.nextDeadlineUnset", { deadline: t("edition.juryDeadline") })} <Link to={sectionLink("setup")}>{t("organise.section.setup")}</Link>
            </p>
          ) : null}
          {d.blockers.length > 0 ? (
            <ul className="blockers" aria-label={t("dashboard.blockers")}>
              {d.blockers.map((b, i) => (
                <li key={i}>
                  <ServerText id={b.reason} args={b.args} english={b.message} />
                  {b.overridable ? <span className="hint"> {t("dashboard.overridable")}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {d.warnings.length > 0 ? (
            <div className="notice" data-testid="dashboard-warnings">
              <p>{t(("dashboard.warning." + d.warnings[0].type) as MessageId, { count: d.warnings.length })}</p>
              <ul>
                {d.warnings.map((w) => (
                  <li key={w.subject}>{w.description}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}
      <ul className="counts" aria-label={t("dashboard.counts")}>
        {counts(d).map((c) => (
          <li key={c.id}>
            <Link to={sectionLink(c.section)}>
              <strong>{c.of !== undefined ? t("dashboard.nOf", { n: c.n, of: c.of }) : c.n}</strong> {t(("dashboard.count." + c.id) as MessageId)}
            </Link>
          </li>
        ))}
      </ul>
      <Reminders edition={edition} people={late(d.people, s)} onSent={dashboard.reload} />
    </section>
  );
}

/** Reminders lists who is late with a "remind now" each: the reminder is queued in the outbox, held for review if the policy says so. */
function Reminders({ edition, people, onSent }: { edition: Edition; people: DashboardPerson[]; onSent: () => void }) {
  const t = useT();
  const [sent, setSent] = useState<Record<string, MailStatus>>({});
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  if (people.length === 0) return null;
  async function remind(p: DashboardPerson) {
    setBusy(p.invitationId);
    setError(undefined);
    try {
      const r = await api.mail.sendReminder({ editionId: edition.id, invitationId: p.invitationId });
      setSent((m) => ({ ...m, [p.invitationId]: r.mail?.status ?? MailStatus.HELD }));
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }
  const title = edition.stage === Stage.JURY ? t("dashboard.notCast") : t("dashboard.notSubmitted");
  return (
    <div className="card">
      <h3 id="late-title">{title}</h3>
      <ul className="late" aria-labelledby="late-title">
        {people.map((p) => (
          <li key={p.invitationId} data-testid={"late-" + p.displayName}>
            <span>
              {p.displayName} <span className="hint">({p.cityName}{p.signedIn ? "" : ", " + t("dashboard.notSignedIn")})</span>
            </span>{" "}
            {sent[p.invitationId] !== undefined ? (
              <span role="status">{sent[p.invitationId] === MailStatus.HELD ? t("dashboard.reminderHeld") : t("dashboard.reminderQueued")}</span>
            ) : (
              <button type="button" disabled={busy !== undefined} onClick={() => remind(p)}>
                {t("dashboard.remind", { name: p.displayName })}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </div>
  );
}

/** MessageRole writes one text to every expert or juror of the edition, queued through the outbox, one mail each. */
export function MessageRole({ edition }: { edition: Edition }) {
  const t = useT();
  const ids = useId();
  const [role, setRole] = useState("EXPERT");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // One request id per message: a second click, or a retry after a lost answer, queues nothing more.
  const requestId = useRef(uuid());
  async function send() {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.mail.messageRole({ editionId: edition.id, role, subject: subject.trim(), body, requestId: requestId.current });
      setDone(t("dashboard.messageQueued", { count: r.recipients }));
      setSubject("");
      setBody("");
      requestId.current = uuid();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="card">
      <summary>{t("dashboard.message")}</summary>
      <div className="field">
        <label htmlFor={ids + "r"}>{t("dashboard.messageTo")}</label>
        <select id={ids + "r"} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="EXPERT">{t("dashboard.toExperts")}</option>
          <option value="JUROR">{t("dashboard.toJurors")}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids + "s"}>{t("mail.subject")}</label>
        <input id={ids + "s"} value={subject} maxLength={300} onChange={(e) => setSubject(e.target.value.replace(/[\r\n]/g, " "))} />
      </div>
      <div className="field">
        <label htmlFor={ids + "b"}>{t("mail.body")}</label>
        <textarea id={ids + "b"} rows={6} value={body} maxLength={20000} onChange={(e) => setBody(e.target.value)} />
      </div>
      <p className="hint">{t("dashboard.messageHint")}</p>
      <p className="actions">
        <button type="button" className="primary" disabled={busy || !subject.trim() || !body.trim()} onClick={send}>
          {t("dashboard.messageSend")}
        </button>
        <span role="status">{done}</span>
      </p>
      <ErrorNote error={error} />
    </details>
  );
}
