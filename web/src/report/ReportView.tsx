import { textIn } from "../shared/localized";
import type { Category, Criterion } from "../gen/miasta/v1/edition_pb.js";
import type { Practice, Report } from "../gen/miasta/v1/report_pb.js";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { useLocale, useT } from "../i18n";
import { BlockHints, TranslationNotice, usePracticeReading } from "../translation/TranslatedPractice";
import { isTargetLanguage, narrativeField } from "../translation/translationMath";
import { outcomeKey } from "./outcomes";
import { AttachmentList, PublishedAttachments } from "./Attachments";

/**
 * ReportView is a report to read whole: what an organiser accepts or returns. Given a jurors'
 * language and the report's translations into it, the practices read as jurors read them (the
 * translation where there is one, the original one tap away, notes on what is missing or outdated);
 * the introduction and follow-ups are not translated and stay in Polish.
 */
export function ReportView({
  report: r,
  categories,
  criteria,
  publishing = false,
  lang = "pl",
  translations,
}: {
  report: Report;
  categories: Category[];
  criteria: Criterion[];
  /** Organisers choose which files the public may read (once the practice is distinguished and announced). */
  publishing?: boolean;
  /** The language to read the practices in: pl (the original) or a jurors' language. */
  lang?: string;
  /** The report's translations into lang, by practice id. */
  translations?: Map<string, PracticeTranslation>;
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
  const translated = isTargetLanguage(lang);
  const untranslated = translated ? <p className="hint">{t("report.previewNotTranslated")}</p> : null;
  return (
    <div className="report-view">
      <h4>{t("report.introduction")}</h4>
      <p className="pre" lang={translated ? "pl" : undefined}>
        {r.introduction || "—"}
      </p>
      {untranslated}
      <h4>{t("report.practices")}</h4>
      <ol>
        {r.practices.map((p, i) =>
          translated ? (
            <TranslatedItem
              key={p.id || i}
              practice={p}
              translation={translations?.get(p.id)}
              lang={lang}
              category={category(p.categoryId)}
              criterion={criterion}
            />
          ) : (
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
          ),
        )}
      </ol>
      {r.followUps.length ? (
        <>
          <h4>{t("report.followUps")}</h4>
          {untranslated}
          <ul>
            {r.followUps.map((f) => (
              <li key={f.previousNominationId}>
                <strong lang={translated ? "pl" : undefined}>{f.previousTitle}</strong>: {t(outcomeKey(f.outcome))}
                {f.narrative ? (
                  <p className="pre" lang={translated ? "pl" : undefined}>
                    {f.narrative}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** TranslatedItem is one practice of a ReportView as jurors reading lang see it. */
function TranslatedItem({
  practice: p,
  translation,
  lang,
  category,
  criterion,
}: {
  practice: Practice;
  translation: PracticeTranslation | undefined;
  lang: string;
  category: string;
  criterion: (id: string) => string;
}) {
  const reading = usePracticeReading(p, translation, lang);
  const title = reading.shown("title") ?? { text: p.title, lang: "pl", fallback: false, outdated: false };
  const description = reading.shown("description");
  return (
    <li data-testid="preview-practice">
      <strong lang={title.lang}>{title.text}</strong> <span className="muted">{category}</span>
      {title.fallback || title.outdated ? <BlockHints shown={title} /> : null}
      <TranslationNotice reading={reading} lang={lang} translation={translation} />
      {description ? (
        <>
          <p className="pre" lang={description.lang}>
            {description.text}
          </p>
          <BlockHints shown={description} />
        </>
      ) : null}
      <dl lang="pl">
        <PracticeFacts practice={p} />
      </dl>
      <dl>
        {p.narratives.map((n) => {
          const s = reading.shown(narrativeField(n.criterionId));
          return (
            <div key={n.criterionId}>
              <dt>{criterion(n.criterionId)}</dt>
              <dd>
                <p className="pre" lang={s?.lang ?? "pl"}>
                  {s?.text ?? n.text}
                </p>
                {s ? <BlockHints shown={s} /> : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </li>
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
