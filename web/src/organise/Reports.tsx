import { textIn } from "../shared/localized";
import { useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote, Loading, Scroll } from "../shared/components";
import { formatInstant } from "../shared/format";
import { Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { ReportStatus, type Nomination, type Report, type ReportStatusSummary } from "../gen/miasta/v1/report_pb.js";
import { allPages, useLoad, type Loaded } from "../shared/hooks";
import { useLocale, useT } from "../i18n";
import { reportStatusKey } from "../report/status";
import { ReportView } from "../report/ReportView";

/** useReportStatuses is every city's report status, which the reports table and the shortlist share. */
export function useReportStatuses(edition: Edition): Loaded<ReportStatusSummary[]> {
  return useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.reports.listReportStatuses({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.reports, next: r.nextPageToken };
      }),
    [edition.id, edition.stage, edition.cities.length],
  );
}

/** Reports is each city's report status, with the whole report to read, accept or return. */
export function Reports(props: {
  edition: Edition;
  categories: Category[];
  criteria: Criterion[];
  statuses: Loaded<ReportStatusSummary[]>;
}) {
  const { edition, categories, criteria, statuses } = props;
  const t = useT();
  const { locale } = useLocale();
  const [reading, setReading] = useState<string | undefined>();
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">{t("organise.reports")}</h2>
      <ErrorNote error={statuses.error} />
      <Scroll labelledBy="reports-title">
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
      </Scroll>
      {reading ? (
        <ReportReview
          key={reading}
          categories={categories}
          criteria={criteria}
          edition={edition}
          summary={statuses.data!.find((s) => s.city!.id === reading)!}
          onDone={statuses.reload}
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
      <ReportView report={r} categories={categories} criteria={criteria} publishing />
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


/** Shortlist nominates accepted reports' practices, by category, while the edition is in review. */
export function Shortlist(props: { edition: Edition; categories: Category[]; statuses: ReportStatusSummary[] }) {
  const { edition, categories } = props;
  const t = useT();
  const { locale } = useLocale();
  // Only accepted reports' practices can be shortlisted; the list follows their versions.
  const accepted = props.statuses.filter((s) => s.status === ReportStatus.ACCEPTED);
  const acceptedKey = accepted.map((s) => `${s.city!.id}@${s.version}`).join(",");
  const data = useLoad(async () => {
    const [reports, nominations] = await Promise.all([
      Promise.all(accepted.map((s) => api.reports.getReport({ editionId: edition.id, cityId: s.city!.id }).then((r) => r.report!))),
      allPages(async (pageToken) => {
        const r = await api.reports.listNominations({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.nominations, next: r.nextPageToken };
      }),
    ]);
    return { reports, nominations };
  }, [edition.id, acceptedKey]);
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
              {c.number}. {textIn(locale, c.names)}
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

