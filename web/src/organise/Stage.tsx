import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useId, useState } from "react";
import { Code, api, errorCode, preconditionViolations } from "../shared/api";
import { ConfirmDialog, ErrorNote, stageName } from "../shared/components";
import { fromWarsawInput, warsawInputValue } from "../shared/format";
import { Stage, TimelineSchema, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { useT, type MessageId } from "../i18n";
import { warningsOf, type Named } from "./dashboardMath";

export const STAGES = [Stage.DRAFT, Stage.REPORTING, Stage.REVIEW, Stage.JURY, Stage.TALLIED, Stage.ANNOUNCED];

const advanceKey: Partial<Record<Stage, MessageId>> = {
  [Stage.REPORTING]: "organise.toREPORTING",
  [Stage.REVIEW]: "organise.toREVIEW",
  [Stage.JURY]: "organise.toJURY",
  [Stage.TALLIED]: "organise.toTALLIED",
  [Stage.ANNOUNCED]: "organise.toANNOUNCED",
};

type TimelineField = "reportingDeadline" | "juryDeadline" | "ceremonyTime";

/** TimelineEditor sets the deadlines as Warsaw wall-clock times, whatever the organiser's own zone. */
export function TimelineEditor({ edition, onSaved }: { edition: Edition; onSaved: () => void }) {
  const t = useT();
  const ids = useId();
  const fields: [TimelineField, MessageId][] = [
    ["reportingDeadline", "edition.reportingDeadline"],
    ["juryDeadline", "edition.juryDeadline"],
    ["ceremonyTime", "edition.ceremony"],
  ];
  const [values, setValues] = useState<Record<TimelineField, string>>(() => ({
    reportingDeadline: warsawInputValue(edition.timeline?.reportingDeadline),
    juryDeadline: warsawInputValue(edition.timeline?.juryDeadline),
    ceremonyTime: warsawInputValue(edition.timeline?.ceremonyTime),
  }));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  async function save() {
    setError(undefined);
    setSaved(false);
    const timeline = create(TimelineSchema);
    for (const [f] of fields) {
      const d = fromWarsawInput(values[f]);
      if (d) timeline[f] = timestampFromDate(d);
    }
    try {
      await api.editions.setTimeline({ editionId: edition.id, timeline });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details className="card">
      <summary>{t("organise.timeline")}</summary>
      <fieldset disabled={edition.stage === Stage.ANNOUNCED} className="plain">
        <legend className="visually-hidden">{t("organise.timeline")}</legend>
        {fields.map(([f, label]) => (
          <div className="field" key={f}>
            <label htmlFor={ids + f}>{t("organise.warsawTime", { label: t(label) })}</label>
            <input
              id={ids + f}
              type="datetime-local"
              value={values[f]}
              onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
            />
          </div>
        ))}
        <p className="actions">
          <button type="button" onClick={save}>
            {t("organise.saveTimeline")}
          </button>
          <span role="status">{saved ? t("organise.timelineSaved") : ""}</span>
        </p>
      </fieldset>
      <ErrorNote error={error} />
    </details>
  );
}

/** StageControl moves the edition one stage on, with a reason for the log: to open the jury early (an override), or to go on despite the move's warnings, which it names. */
export function StageControl({ edition, warnings, onChanged }: { edition: Edition; warnings: Named[]; onChanged: () => void }) {
  const t = useT();
  const next = STAGES[STAGES.indexOf(edition.stage) + 1] as Stage | undefined;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [override, setOverride] = useState(false);
  const [needsOverride, setNeedsOverride] = useState(false);
  const [refused, setRefused] = useState<Named[]>([]);
  const [error, setError] = useState<unknown>();
  const reasonId = useId();
  if (next === undefined) return null;
  // What the dashboard warned of, or what the server named when it refused (it may know more by now).
  const shown = refused.length > 0 ? refused : warningsOf(warnings);
  async function go() {
    setError(undefined);
    const why = reason.trim();
    try {
      await api.editions.changeStage({
        editionId: edition.id,
        stage: next,
        reason: why,
        overrideUnacceptedReports: override,
        acknowledgeWarnings: shown.length > 0 && why !== "",
      });
      setOpen(false);
      setReason("");
      setOverride(false);
      setRefused([]);
      onChanged();
    } catch (err) {
      const named = warningsOf(preconditionViolations(err));
      if (named.length > 0) setRefused(named);
      else if (next === Stage.JURY && errorCode(err) === Code.FailedPrecondition) setNeedsOverride(true);
      setError(err);
    }
  }
  return (
    <section className="stage-control" aria-labelledby="stage-control-title">
      <h2 id="stage-control-title" className="visually-hidden">
        {t("organise.nextStep")}
      </h2>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        {t(advanceKey[next]!)}
      </button>
      <ConfirmDialog
        open={open}
        title={t(advanceKey[next]!)}
        confirmLabel={t("organise.confirmStage")}
        onConfirm={go}
        onCancel={() => {
          setOpen(false);
          setError(undefined);
        }}
        confirmDisabled={override && !reason.trim()}
      >
        <p>{t("organise.stageExplain", { from: stageName(t, edition.stage), to: stageName(t, next) })}</p>
        {shown.length > 0 ? (
          <div className="notice" data-testid="stage-warnings">
            <p>{t(("dashboard.warning." + shown[0].type) as MessageId, { count: shown.length })}</p>
            <ul>
              {shown.map((w) => (
                <li key={w.subject}>{w.description}</li>
              ))}
            </ul>
            <p>{t("organise.acknowledge")}</p>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={reasonId}>{t("organise.reason")}</label>
          <textarea id={reasonId} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        {next === Stage.JURY && needsOverride ? (
          <div className="field checkbox">
            <input id={reasonId + "-o"} type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
            <label htmlFor={reasonId + "-o"}>{t("organise.override")}</label>
          </div>
        ) : null}
        <ErrorNote error={error} />
      </ConfirmDialog>
    </section>
  );
}
