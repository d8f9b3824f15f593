import { textIn } from "../shared/localized";
import type { Category, Criterion } from "../gen/miasta/v1/edition_pb.js";
import type { Practice, Report } from "../gen/miasta/v1/report_pb.js";
import { useLocale, useT } from "../i18n";
import { outcomeKey } from "./outcomes";
import { AttachmentList, PublishedAttachments } from "./Attachments";

/** ReportView is a report to read whole: what an organiser accepts or returns. */
export function ReportView({
  report: r,
  categories,
  criteria,
  publishing = false,
}: {
  report: Report;
  categories: Category[];
  criteria: Criterion[];
  /** Organisers choose which files the public may read (once the practice is distinguished and announced). */
  publishing?: boolean;
}) {
  const t = useT();
  const { locale } = useLocale();
  const category = (id: string) => {
    const c = categories.find((x) => x.id === id);
    return c ? `${c.number}. ${textIn(locale, c.names)}` : "";
  };
  const criterion = (id: string) => {
    const c = criteria.find((x) => x.id === id);
    return c ? textIn(locale, c.names) : id;
  };
  return (
    <div className="report-view">
      <h4>{t("report.introduction")}</h4>
      <p className="pre">{r.introduction || "—"}</p>
      <h4>{t("report.practices")}</h4>
      <ol>
        {r.practices.map((p) => (
          <li key={p.id}>
            <strong>{p.title}</strong> <span className="muted">{category(p.categoryId)}</span>
            <p className="pre">{p.description}</p>
            <dl>
              <PracticeFacts practice={p} publishing={publishing} />
              {p.narratives.map((n) => (
                <div key={n.criterionId}>
                  <dt>{criterion(n.criterionId)}</dt>
                  <dd className="pre">{n.text}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ol>
      {r.followUps.length ? (
        <>
          <h4>{t("report.followUps")}</h4>
          <ul>
            {r.followUps.map((f) => (
              <li key={f.previousNominationId}>
                <strong>{f.previousTitle}</strong>: {t(outcomeKey(f.outcome))}
                {f.narrative ? <p className="pre">{f.narrative}</p> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** PracticeFacts are a practice's since-year, partners, target groups and links, as dt/dd pairs of a <dl>. */
export function PracticeFacts({ practice: p, files = true, publishing = false }: { practice: Practice; files?: boolean; publishing?: boolean }) {
  const t = useT();
  return (
    <>
      {p.sinceYear ? (
        <>
          <dt>{t("practice.sinceYear")}</dt>
          <dd>{p.sinceYear}</dd>
        </>
      ) : null}
      {p.partners ? (
        <>
          <dt>{t("practice.partners")}</dt>
          <dd>{p.partners}</dd>
        </>
      ) : null}
      {p.targetGroups ? (
        <>
          <dt>{t("practice.targetGroups")}</dt>
          <dd>{p.targetGroups}</dd>
        </>
      ) : null}
      {p.evidenceLinks.length ? (
        <>
          <dt>{t("practice.evidenceLinks")}</dt>
          <dd>
            <EvidenceLinks links={p.evidenceLinks} />
          </dd>
        </>
      ) : null}
      {files && p.attachments.length ? (
        <>
          <dt>{t("attachment.title")}</dt>
          <dd>
            {publishing ? <PublishedAttachments attachments={p.attachments} /> : <AttachmentList attachments={p.attachments} />}
          </dd>
        </>
      ) : null}
    </>
  );
}

/** EvidenceLinks lists a practice's links; they open elsewhere and tell the site nothing about us. */
export function EvidenceLinks({ links }: { links: string[] }) {
  return (
    <ul className="plain">
      {links
        .filter((l) => /^https?:\/\//.test(l))
        .map((l) => (
          <li key={l}>
            <a href={l} target="_blank" rel="noopener noreferrer">
              {l}
            </a>
          </li>
        ))}
    </ul>
  );
}
