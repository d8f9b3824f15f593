import { create } from "@bufbuild/protobuf";
import { useId, useState } from "react";
import { Link, useParams } from "react-router";
import { Code, api, errorCode, listCategories, listCriteria } from "../api";
import { ConfirmDialog, Deadline, ErrorNote, Loading, SignInNeeded, StageBadge, stageName, useMe } from "../components";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatInstant, formatRational, fromWarsawInput, warsawInputValue } from "../format";
import { Stage, TimelineSchema, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { ProgressState } from "../gen/miasta/v1/jury_pb.js";
import { ReportStatus, type Nomination, type Report, type ReportStatusSummary } from "../gen/miasta/v1/report_pb.js";
import {
  AggregationMethod,
  CriterionRuleSchema,
  ScoreLabelSchema,
  TallyRuleSchema,
  TieBreak,
  type NominationResult,
  type TallyRule,
} from "../gen/miasta/v1/results_pb.js";
import { allPages, useLoad } from "../hooks";
import { localName, useLocale, useT, type MessageId } from "../i18n";
import { MailPanel } from "./Mail";
import { People } from "./People";
import { reportStatusKey } from "./Report";
import { ReportView } from "./ReportView";
import { tiedGroups } from "./tallyMath";

const STAGES = [Stage.DRAFT, Stage.REPORTING, Stage.REVIEW, Stage.JURY, Stage.TALLIED, Stage.ANNOUNCED];

const advanceKey: Partial<Record<Stage, MessageId>> = {
  [Stage.REPORTING]: "organise.toREPORTING",
  [Stage.REVIEW]: "organise.toREVIEW",
  [Stage.JURY]: "organise.toJURY",
  [Stage.TALLIED]: "organise.toTALLIED",
  [Stage.ANNOUNCED]: "organise.toANNOUNCED",
};

/** OrganisePage is the edition dashboard: stage, reports, shortlist, rule, jury progress, tally. */
export function OrganisePage() {
  const { editionId = "" } = useParams();
  const t = useT();
  const { me, signedIn, loading: meLoading } = useMe();
  const [reportsChanged, setReportsChanged] = useState(0);
  const loaded = useLoad(async () => {
    const [e, cats, crits] = await Promise.all([
      api.editions.getEdition({ editionId }),
      listCategories(editionId),
      listCriteria(editionId),
    ]);
    return { edition: e.edition!, categories: cats, criteria: crits };
  }, [editionId]);
  if (!meLoading && !signedIn) return <SignInNeeded />;
  if (!meLoading && me && !me.organiser) return <p className="error">{t("organise.notOrganiser")}</p>;
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const { edition, categories, criteria } = loaded.data;
  const s = edition.stage;
  return (
    <>
      <h1>
        {edition.name} <StageBadge stage={s} />
      </h1>
      <ol className="stepper" aria-label={t("organise.stages")}>
        {STAGES.map((st) => (
          <li key={st} aria-current={st === s ? "step" : undefined} className={st < s ? "done" : st === s ? "current" : ""}>
            {stageName(t, st)}
          </li>
        ))}
      </ol>
      <Deadline label={t("edition.reportingDeadline")} at={edition.timeline?.reportingDeadline} />
      <Deadline label={t("edition.juryDeadline")} at={edition.timeline?.juryDeadline} />
      <TimelineEditor edition={edition} onSaved={loaded.reload} />
      <StageControl edition={edition} onChanged={loaded.reload} />
      <Reports edition={edition} categories={categories} criteria={criteria} onChange={() => setReportsChanged((n) => n + 1)} />
      <People edition={edition} />
      <MailPanel edition={edition} />
      {s >= Stage.REVIEW ? <Shortlist edition={edition} categories={categories} reportsChanged={reportsChanged} /> : null}
      <RuleEditor edition={edition} criteria={criteria} />
      {s >= Stage.JURY ? <JuryProgress edition={edition} categories={categories} /> : null}
      {s >= Stage.TALLIED ? <TallyReview edition={edition} categories={categories} /> : null}
      {s === Stage.ANNOUNCED ? (
        <p>
          <Link to={`/results/${edition.year}`}>{t("home.results")}</Link>
        </p>
      ) : null}
    </>
  );
}

type TimelineField = "reportingDeadline" | "juryDeadline" | "ceremonyTime";

/** TimelineEditor sets the deadlines as Warsaw wall-clock times, whatever the organiser's own zone. */
function TimelineEditor({ edition, onSaved }: { edition: Edition; onSaved: () => void }) {
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

function StageControl({ edition, onChanged }: { edition: Edition; onChanged: () => void }) {
  const t = useT();
  const next = STAGES[STAGES.indexOf(edition.stage) + 1] as Stage | undefined;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [override, setOverride] = useState(false);
  const [needsOverride, setNeedsOverride] = useState(false);
  const [error, setError] = useState<unknown>();
  const reasonId = useId();
  if (next === undefined) return null;
  async function go() {
    setError(undefined);
    try {
      await api.editions.changeStage({ editionId: edition.id, stage: next, reason: reason.trim(), overrideUnacceptedReports: override });
      setOpen(false);
      setReason("");
      setOverride(false);
      onChanged();
    } catch (err) {
      if (next === Stage.JURY && errorCode(err) === Code.FailedPrecondition) setNeedsOverride(true);
      setError(err);
    }
  }
  return (
    <section className="stage-control" aria-labelledby="stage-control-title">
      <h2 id="stage-control-title">{t("organise.nextStep")}</h2>
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

function Reports(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; onChange: () => void }) {
  const { edition, categories, criteria, onChange } = props;
  const t = useT();
  const { locale } = useLocale();
  const statuses = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.reports.listReportStatuses({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.reports, next: r.nextPageToken };
      }),
    [edition.id, edition.stage],
  );
  const [reading, setReading] = useState<string | undefined>();
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">{t("organise.reports")}</h2>
      <ErrorNote error={statuses.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t("organise.city")}</th>
            <th scope="col">{t("report.status")}</th>
            <th scope="col">{t("organise.practices")}</th>
            <th scope="col">{t("organise.updated")}</th>
            <th scope="col">{t("organise.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {statuses.data?.map((r) => (
            <tr key={r.city!.id} data-testid={"report-row-" + r.city!.name}>
              <th scope="row">{r.city!.name}</th>
              <td>{t(reportStatusKey[r.status])}</td>
              <td>{r.practiceCount}</td>
              <td>{r.updateTime ? formatInstant(r.updateTime, locale) : "—"}</td>
              <td>
                {r.status !== ReportStatus.NOT_STARTED ? (
                  <button type="button" className="link" onClick={() => setReading(reading === r.city!.id ? undefined : r.city!.id)}>
                    {reading === r.city!.id ? t("organise.hide") : t("organise.read", { city: r.city!.name })}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {reading ? (
        <ReportReview
          key={reading}
          categories={categories}
          criteria={criteria}
          edition={edition}
          summary={statuses.data!.find((s) => s.city!.id === reading)!}
          onDone={() => {
            statuses.reload();
            onChange();
          }}
        />
      ) : null}
    </section>
  );
}

function ReportReview(props: {
  edition: Edition;
  summary: ReportStatusSummary;
  categories: Category[];
  criteria: Criterion[];
  onDone: () => void;
}) {
  const { edition, summary, categories, criteria, onDone } = props;
  const t = useT();
  const report = useLoad(
    () => api.reports.getReport({ editionId: edition.id, cityId: summary.city!.id }),
    [edition.id, summary.city!.id, summary.version],
  );
  const [comment, setComment] = useState("");
  const [error, setError] = useState<unknown>();
  const commentId = useId();
  const r: Report | undefined = report.data?.report;
  if (!r) return <ErrorNote error={report.error} />;
  const canDecide = r.status === ReportStatus.SUBMITTED;
  async function act(kind: "accept" | "return") {
    setError(undefined);
    try {
      if (kind === "accept") await api.reports.acceptReport({ editionId: edition.id, cityId: r!.city!.id, expectedVersion: r!.version });
      else await api.reports.returnReport({ editionId: edition.id, cityId: r!.city!.id, expectedVersion: r!.version, comment });
      onDone();
      report.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <article className="card report-review" aria-labelledby="review-title">
      <h3 id="review-title">{t("report.title", { city: r.city!.name })}</h3>
      <ReportView report={r} categories={categories} criteria={criteria} />
      {canDecide ? (
        <>
          <p className="actions">
            <button type="button" className="primary" onClick={() => act("accept")}>
              {t("organise.accept")}
            </button>
          </p>
          <div className="field">
            <label htmlFor={commentId}>{t("organise.returnComment")}</label>
            <textarea id={commentId} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
          </div>
          <p className="actions">
            <button type="button" onClick={() => act("return")} disabled={!comment.trim()}>
              {t("organise.return")}
            </button>
          </p>
        </>
      ) : null}
      <ErrorNote error={error} />
    </article>
  );
}

function Shortlist({ edition, categories, reportsChanged }: { edition: Edition; categories: Category[]; reportsChanged: number }) {
  const t = useT();
  const { locale } = useLocale();
  const data = useLoad(async () => {
    const [statuses, nominations] = await Promise.all([
      allPages(async (pageToken) => {
        const r = await api.reports.listReportStatuses({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.reports, next: r.nextPageToken };
      }),
      allPages(async (pageToken) => {
        const r = await api.reports.listNominations({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.nominations, next: r.nextPageToken };
      }),
    ]);
    // Only accepted reports' practices can be shortlisted.
    const reports = await Promise.all(
      statuses
        .filter((s) => s.status === ReportStatus.ACCEPTED)
        .map((s) => api.reports.getReport({ editionId: edition.id, cityId: s.city!.id }).then((r) => r.report!)),
    );
    return { reports, nominations };
  }, [edition.id, reportsChanged]);
  const [error, setError] = useState<unknown>();
  const editable = edition.stage === Stage.REVIEW;
  if (!data.data) return data.error ? <ErrorNote error={data.error} /> : <Loading />;
  const byPractice = new Map<string, Nomination>(data.data.nominations.map((n) => [n.practice!.id, n]));
  async function toggle(practiceId: string) {
    setError(undefined);
    try {
      const n = byPractice.get(practiceId);
      if (n) await api.reports.unnominate({ nominationId: n.id });
      else await api.reports.nominate({ editionId: edition.id, practiceId });
      data.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby="shortlist-title">
      <h2 id="shortlist-title">{t("organise.shortlist")}</h2>
      <p>{t("organise.shortlistCount", { count: data.data.nominations.length })}</p>
      <ErrorNote error={error} />
      {categories.map((c) => {
        const practices = data.data!.reports.flatMap((r) => r.practices.filter((p) => p.categoryId === c.id).map((p) => ({ p, r })));
        if (practices.length === 0) return null;
        return (
          <div key={c.id} className="card">
            <h3>
              {c.number}. {localName(locale, c.namePl, c.nameEn)}
            </h3>
            <ul className="plain">
              {practices.map(({ p, r }) => {
                const nominated = byPractice.has(p.id);
                return (
                  <li key={p.id}>
                    <span className={nominated ? "badge ok" : "badge"}>{nominated ? t("organise.nominated") : t("organise.notNominated")}</span>{" "}
                    <strong>{p.title}</strong> — {r.city!.name}{" "}
                    {editable ? (
                      <button type="button" onClick={() => toggle(p.id)}>
                        {nominated ? t("organise.unnominate", { title: p.title }) : t("organise.nominate", { title: p.title })}
                      </button>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

const methodKeys: [AggregationMethod, MessageId][] = [
  [AggregationMethod.WEIGHTED_MEAN, "rule.WEIGHTED_MEAN"],
  [AggregationMethod.MEDIAN, "rule.MEDIAN"],
  [AggregationMethod.TRIMMED_MEAN, "rule.TRIMMED_MEAN"],
  [AggregationMethod.MAJORITY_JUDGMENT, "rule.MAJORITY_JUDGMENT"],
];

function defaultRule(criteria: Criterion[]): TallyRule {
  return create(TallyRuleSchema, {
    method: AggregationMethod.WEIGHTED_MEAN,
    quorum: 2,
    winnersPerCategory: 1,
    // A tie the other steps leave is for the jury to decide, with a recorded reason.
    tieBreaks: [TieBreak.MORE_TOP_MARKS, TieBreak.HIGHER_MEDIAN, TieBreak.CRITERIA_IN_ORDER, TieBreak.JURY_DECISION],
    criteria: criteria.map((c) =>
      create(CriterionRuleSchema, {
        criterionId: c.id,
        minScore: 0,
        maxScore: 5,
        weight: 1,
        labels: [
          create(ScoreLabelSchema, { value: 0, labelPl: "brak", labelEn: "none" }),
          create(ScoreLabelSchema, { value: 5, labelPl: "wzorcowa", labelEn: "exemplary" }),
        ],
      }),
    ),
  });
}

function RuleEditor({ edition, criteria }: { edition: Edition; criteria: Criterion[] }) {
  const t = useT();
  const { locale } = useLocale();
  const loaded = useLoad(async () => {
    try {
      return { rule: (await api.results.getTallyRule({ editionId: edition.id })).rule!, stored: true };
    } catch (err) {
      if (errorCode(err) === Code.NotFound) return { rule: defaultRule(criteria), stored: false };
      throw err;
    }
  }, [edition.id]);
  const [rule, setRule] = useState<TallyRule | undefined>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const ids = useId();
  const r = rule ?? loaded.data?.rule;
  if (!r) return loaded.error ? <ErrorNote error={loaded.error} /> : <Loading />;
  const frozen = r.frozen || edition.stage >= Stage.JURY;
  const set = (patch: Partial<TallyRule>) => {
    setSaved(false);
    setRule({ ...r, ...patch });
  };
  async function save() {
    setError(undefined);
    try {
      const res = await api.results.setTallyRule({ editionId: edition.id, rule: r, expectedVersion: r!.version });
      setRule(res.rule);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby="rule-title">
      <h2 id="rule-title">{t("rule.title")}</h2>
      <p>{frozen ? t("rule.frozen") : loaded.data?.stored || saved ? t("rule.saved") : t("rule.notSet")}</p>
      {r.ruleHash ? (
        <p className="hint">
          {t("rule.hash")} <code>{r.ruleHash}</code>
        </p>
      ) : null}
      <fieldset disabled={frozen} className="plain">
        <legend className="visually-hidden">{t("rule.title")}</legend>
        <div className="field">
          <label htmlFor={ids + "m"}>{t("rule.method")}</label>
          <select
            id={ids + "m"}
            value={r.method}
            onChange={(e) => {
              const method = Number(e.target.value) as AggregationMethod;
              set({ method, trimCount: method === AggregationMethod.TRIMMED_MEAN ? Math.max(r.trimCount, 1) : 0 });
            }}
          >
            {methodKeys.map(([m, k]) => (
              <option key={m} value={m}>
                {t(k)}
              </option>
            ))}
          </select>
        </div>
        {r.method === AggregationMethod.TRIMMED_MEAN ? (
          <div className="field">
            <label htmlFor={ids + "t"}>{t("rule.trimCount")}</label>
            <input id={ids + "t"} type="number" min={1} value={r.trimCount} onChange={(e) => set({ trimCount: Number(e.target.value) })} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids + "q"}>{t("rule.quorum")}</label>
          <input id={ids + "q"} type="number" min={1} value={r.quorum} onChange={(e) => set({ quorum: Number(e.target.value) })} />
        </div>
        <div className="field">
          <label htmlFor={ids + "w"}>{t("rule.winners")}</label>
          <input
            id={ids + "w"}
            type="number"
            min={1}
            value={r.winnersPerCategory}
            onChange={(e) => set({ winnersPerCategory: Number(e.target.value) })}
          />
        </div>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("rule.criterion")}</th>
              <th scope="col">{t("rule.weight")}</th>
              <th scope="col">{t("rule.scale")}</th>
              <th scope="col">{t("rule.nonRanking")}</th>
            </tr>
          </thead>
          <tbody>
            {r.criteria.map((cr, i) => {
              const c = criteria.find((x) => x.id === cr.criterionId);
              const name = c ? localName(locale, c.namePl, c.nameEn) : cr.criterionId;
              const setCr = (patch: Partial<typeof cr>) => set({ criteria: r.criteria.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
              return (
                <tr key={cr.criterionId}>
                  <th scope="row">{name}</th>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={t("rule.weightOf", { criterion: name })}
                      value={cr.weight}
                      onChange={(e) => setCr({ weight: Number(e.target.value) })}
                    />
                  </td>
                  <td>
                    {cr.minScore}–{cr.maxScore}
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t("rule.nonRankingOf", { criterion: name })}
                      checked={cr.nonRanking}
                      onChange={(e) => setCr({ nonRanking: e.target.checked })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!frozen ? (
          <p className="actions">
            <button type="button" className="primary" onClick={save}>
              {t("rule.save")}
            </button>
            <span role="status">{saved ? t("rule.saved") : ""}</span>
          </p>
        ) : null}
      </fieldset>
      <ErrorNote error={error} />
    </section>
  );
}

const progressKeys: Record<ProgressState, MessageId> = {
  [ProgressState.UNSPECIFIED]: "progress.NOT_STARTED",
  [ProgressState.NOT_STARTED]: "progress.NOT_STARTED",
  [ProgressState.DRAFT]: "progress.DRAFT",
  [ProgressState.CAST]: "progress.CAST",
  [ProgressState.RECUSED]: "progress.RECUSED",
};

function JuryProgress({ edition, categories }: { edition: Edition; categories: Category[] }) {
  const t = useT();
  const { locale } = useLocale();
  const progress = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.jury.getJuryProgress({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.jurors, next: r.nextPageToken };
      }),
    [edition.id, edition.stage],
  );
  const used = categories.filter((c) => progress.data?.some((j) => j.categories.some((p) => p.categoryId === c.id)));
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">{t("organise.juryProgress")}</h2>
      <p className="hint">{t("organise.juryProgressSecret")}</p>
      <ErrorNote error={progress.error} />
      <p>
        <button type="button" onClick={progress.reload}>
          {t("common.refresh")}
        </button>
      </p>
      <div className="scroll">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">{t("organise.juror")}</th>
              {used.map((c) => (
                <th scope="col" key={c.id}>
                  {c.number}
                  <span className="visually-hidden">. {localName(locale, c.namePl, c.nameEn)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {progress.data?.map((j) => (
              <tr key={j.assignmentId}>
                <th scope="row">{j.displayName}</th>
                {used.map((c) => {
                  const st = j.categories.find((p) => p.categoryId === c.id)?.state ?? ProgressState.NOT_STARTED;
                  return (
                    <td key={c.id} className={"state-" + ProgressState[st].toLowerCase()}>
                      {t(progressKeys[st])}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function JuryDecision(props: { edition: Edition; categoryId: string; tied: NominationResult[]; onDone: () => void }) {
  const t = useT();
  const ids = useId();
  const [order, setOrder] = useState(props.tied);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const up = (i: number) => setOrder((o) => [...o.slice(0, i - 1), o[i], o[i - 1], ...o.slice(i + 1)]);
  async function record() {
    setError(undefined);
    try {
      await api.results.recordJuryDecision({
        editionId: props.edition.id,
        categoryId: props.categoryId,
        nominationIds: order.map((n) => n.nomination!.id),
        reason: reason.trim(),
      });
      props.onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div className="notice">
      <h4>{t("decision.title", { rank: props.tied[0].rank })}</h4>
      <p>{t("decision.explain")}</p>
      <ol>
        {order.map((n, i) => (
          <li key={n.nomination!.id}>
            {n.nomination!.practice!.title} — {n.nomination!.city!.name}{" "}
            {i > 0 ? (
              <button type="button" onClick={() => up(i)}>
                {t("decision.up", { title: n.nomination!.practice!.title })}
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      <div className="field">
        <label htmlFor={ids}>{t("decision.reason")}</label>
        <textarea id={ids} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button type="button" className="primary" disabled={!reason.trim()} onClick={record}>
        {t("decision.record")}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

function TallyReview({ edition, categories }: { edition: Edition; categories: Category[] }) {
  const t = useT();
  const { locale } = useLocale();
  const tally = useLoad(() => api.results.getTally({ editionId: edition.id }), [edition.id, edition.stage]);
  const data = tally.data?.tally;
  return (
    <section aria-labelledby="tally-title">
      <h2 id="tally-title">{t("organise.tally")}</h2>
      <ErrorNote error={tally.error} />
      {data ? (
        <p className="hint">
          {t("organise.tallyHash")} <code>{data.tallyHash}</code>
        </p>
      ) : null}
      {data?.categories.map((cr) => {
        const c = cr.category ?? categories.find((x) => x.id === cr.category?.id);
        return (
          <div className="card" key={c?.id}>
            <h3>{c ? `${c.number}. ${localName(locale, c.namePl, c.nameEn)}` : ""}</h3>
            {cr.nominations.length === 0 ? <p className="muted">{t("results.noNominations")}</p> : null}
            <table hidden={cr.nominations.length === 0}>
              <thead>
                <tr>
                  <th scope="col">{t("results.rank")}</th>
                  <th scope="col">{t("results.practice")}</th>
                  <th scope="col">{t("results.score")}</th>
                  <th scope="col">{t("results.winner")}</th>
                </tr>
              </thead>
              <tbody>
                {cr.nominations.map((n) => (
                  <tr key={n.nomination!.id}>
                    <td>{n.rank > 0 ? n.rank : "—"}</td>
                    <th scope="row">
                      {n.nomination!.practice!.title} — {n.nomination!.city!.name}
                      {n.explanation.length ? (
                        <details>
                          <summary>{t("organise.explanation")}</summary>
                          <ul>
                            {n.explanation.map((line, i) => (
                              <li key={i}>{line}</li>
                            ))}
                          </ul>
                        </details>
                      ) : null}
                    </th>
                    <td title={n.scoreText}>{formatRational(n.score, locale)}</td>
                    <td>{n.winner ? t("results.winnerYes") : n.quorumMet ? "" : t("results.noQuorum")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {edition.stage === Stage.TALLIED && data?.rule?.tieBreaks.includes(TieBreak.JURY_DECISION)
              ? tiedGroups(cr.nominations, data.rule?.winnersPerCategory ?? 1).map((group) => (
                  <JuryDecision key={group[0].nomination!.id} edition={edition} categoryId={c!.id} tied={group} onDone={tally.reload} />
                ))
              : null}
          </div>
        );
      })}
    </section>
  );
}
