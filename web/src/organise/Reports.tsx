import { textIn } from "../shared/localized";
import { useId, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
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

type SortKey = "city" | "status" | "updated";

/** Reports is each city's report status, sortable and filterable by status; a report opens in a view of its own (?city=…), to read, accept or return. */
export function Reports(props: {
  edition: Edition;
  categories: Category[];
  criteria: Criterion[];
  statuses: Loaded<ReportStatusSummary[]>;
}) {
  const { edition, categories, criteria, statuses } = props;
  const t = useT();
  const { locale } = useLocale();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const reading = params.get("city") ?? undefined;
  const [sort, setSort] = useState<SortKey>("city");
  const [only, setOnly] = useState<ReportStatus | "all">("all");
  const ids = useId();
  const rows = useMemo(() => {
    const all = (statuses.data ?? []).filter((r) => only === "all" || r.status === only);
    const by: Record<SortKey, (a: ReportStatusSummary, b: ReportStatusSummary) => number> = {
      city: () => 0, // the server's order: Polish alphabetical
      status: (a, b) => a.status - b.status,
      updated: (a, b) => Number((b.updateTime?.seconds ?? 0n) - (a.updateTime?.seconds ?? 0n)),
    };
    return [...all].sort(by[sort]);
  }, [statuses.data, sort, only]);
  const summary = reading ? statuses.data?.find((s) => s.city!.id === reading) : undefined;
  if (reading) {
    return (
      <section aria-labelledby="reports-title">
        <p>
          <Link to="?section=reports">← {t("organise.backToReports")}</Link>
        </p>
        <h2 id="reports-title" className="visually-hidden">
          {t("organise.reports")}
        </h2>
        <ErrorNote error={statuses.error} />
        {summary ? (
          <ReportReview key={reading} categories={categories} criteria={criteria} edition={edition} summary={summary} onDone={statuses.reload} />
        ) : statuses.data ? (
          <p className="error">{t("organise.noSuchReport")}</p>
        ) : (
          <Loading />
        )}
      </section>
    );
  }
  const present = new Set((statuses.data ?? []).map((r) => r.status));
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">{t("organise.reports")}</h2>
      <ErrorNote error={statuses.error} />
      <div className="filters">
        <label htmlFor={ids + "f"}>{t("organise.filterStatus")}</label>{" "}
        <select id={ids + "f"} value={String(only)} onChange={(e) => setOnly(e.target.value === "all" ? "all" : (Number(e.target.value) as ReportStatus))}>
          <option value="all">{t("organise.allStatuses")}</option>
          {[ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED]
            .filter((st) => present.has(st))
            .map((st) => (
              <option key={st} value={st}>
                {t(reportStatusKey[st])}
              </option>
            ))}
        </select>{" "}
        <label htmlFor={ids + "s"}>{t("organise.sortBy")}</label>{" "}
        <select id={ids + "s"} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          <option value="city">{t("organise.city")}</option>
          <option value="status">{t("report.status")}</option>
          <option value="updated">{t("organise.updated")}</option>
        </select>
      </div>
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
            {rows.map((r) => (
              <tr key={r.city!.id} data-testid={"report-row-" + r.city!.name}>
                <th scope="row">{r.city!.name}</th>
                <td>{t(reportStatusKey[r.status])}</td>
                <td>{r.practiceCount}</td>
                <td>{r.updateTime ? formatInstant(r.updateTime, locale) : "—"}</td>
                <td>
                  {r.status !== ReportStatus.NOT_STARTED ? (
                    <button type="button" className="link" onClick={() => navigate("?section=reports&city=" + r.city!.id)}>
                      {t("organise.read", { city: r.city!.name })}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
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

