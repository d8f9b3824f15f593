import { useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../shared/api";
import { DemonstrationNote, ErrorNote, Loading } from "../shared/components";
import { ShareLinks } from "./ShareLinks";
import { formatRational } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { pick } from "../shared/localized";
import { AttachmentList } from "../report/Attachments";
import { EvidenceLinks } from "../report/ReportView";
import { Explanation } from "../results/explain";
import { LOCALE_NAMES, isLocale, useLocale, useT } from "../i18n";
import { ChartSlot, CriteriaChart, PracticeCard, ScoreOnScale, ratNumber, useCategoryName, useTitle } from "./common";

/**
 * PracticePage is /practices/{id}: a public practice whole, in the reader's language where a
 * translation exists (the original one tap away, its language marked), with its result, its criteria
 * chart and similar practices elsewhere.
 */
export function PracticePage() {
  const { practiceId = "" } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const cat = useCategoryName();
  const [original, setOriginal] = useState(false);
  const loaded = useLoad(() => api.archive.getPublicPractice({ practiceId, language: locale === "pl" ? "" : locale }), [practiceId, locale]);
  const d = loaded.data;
  const tr = d?.translation && !original ? d.translation : undefined;
  useTitle(d ? (tr?.title || d.practice?.title) : undefined);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!d) return <Loading />;
  const p = d.practice!;
  const s = d.summary!;
  const critName = (id: string) => {
    const c = d.criteria.find((x) => x.id === id);
    return c ? pick(c.names, locale).text : id;
  };
  const lang = tr ? tr.language : d.originalLanguage;
  const title = tr?.title || p.title;
  const description = tr?.description || p.description;
  const narratives = p.narratives.map((n) => ({ criterionId: n.criterionId, text: tr?.narratives.find((x) => x.criterionId === n.criterionId)?.text || n.text }));
  const langName = (l: string) => (isLocale(l) ? LOCALE_NAMES[l] : l);
  const r = d.result;
  const edName = pick(d.edition?.names, locale).text || String(s.year);
  return (
    <div className="archive">
      <nav className="crumbs" aria-label={t("archive.crumbs")}>
        <Link to="/results">{t("archive.editionsTitle")}</Link> › <Link to={`/results/${s.year}`}>{edName}</Link> ›{" "}
        <Link to={`/results/${s.year}/category/${s.category?.number}`}>{cat(s.category)}</Link>
      </nav>
      <article lang={lang}>
        <header className="archive-hero">
          <p className="eyebrow" lang={locale}>
            {s.distinguished ? t("archive.distinctionIn", { year: s.year }) : t("archive.practiceIn", { year: s.year })}
          </p>
          <h1>{title}</h1>
          <p className="city-line big" lang={locale}>
            <Link to={`/cities/${s.city!.id}`}>{s.city!.name}</Link>
            {" · "}
            <Link to={`/results/${s.year}/category/${s.category?.number}`}>{cat(s.category)}</Link>
          </p>
          {r ? (
            <p className="result-line big" lang={locale} data-testid="practice-result">
              {s.distinguished ? <span className="badge award">{t("archive.distinguished")}</span> : null}
              {r.rank ? <span>{t("archive.rankOf", { rank: r.rank, count: d.categorySize })}</span> : null}
              <ScoreOnScale score={r.score} scale={s.scale} />
            </p>
          ) : (
            <p className="muted" lang={locale}>
              {t("archive.notNominated")}
            </p>
          )}
          {d.translation ? (
            <p className="notice translation-switch" lang={locale}>
              {original
                ? t("archive.showingOriginal", { language: langName(d.originalLanguage) })
                : t("archive.showingTranslation", { language: langName(d.translation.language), status: t(`translation.status.${d.translation.status}` as never) })}{" "}
              <button type="button" className="link" onClick={() => setOriginal(!original)}>
                {original ? t("archive.toTranslation", { language: langName(d.translation.language) }) : t("archive.toOriginal", { language: langName(d.originalLanguage) })}
              </button>
              {!original && d.translation.outdatedFields.length ? <span className="hint">{t("translation.outdatedNote")}</span> : null}
            </p>
          ) : locale !== d.originalLanguage ? (
            <p className="hint" lang={locale}>
              {t("archive.noTranslation", { language: langName(d.originalLanguage) })}
            </p>
          ) : null}
        </header>
        {d.edition?.demonstration ? <DemonstrationNote /> : null}
        {/* The jury's justification of the distinction (issue 19, item 2) goes here. */}
        <div className="practice-body">
          {description ? <p className="pre description">{description}</p> : null}
          <dl className="facts" lang={locale}>
            {p.sinceYear ? (
              <div>
                <dt>{t("practice.sinceYear")}</dt>
                <dd>{p.sinceYear}</dd>
              </div>
            ) : null}
            {p.partners ? (
              <div>
                <dt>{t("practice.partners")}</dt>
                <dd className="pre" lang={d.originalLanguage}>
                  {p.partners}
                </dd>
              </div>
            ) : null}
            {p.targetGroups ? (
              <div>
                <dt>{t("practice.targetGroups")}</dt>
                <dd className="pre" lang={d.originalLanguage}>
                  {p.targetGroups}
                </dd>
              </div>
            ) : null}
          </dl>
          {narratives.length ? (
            <section aria-labelledby="narratives-title">
              <h2 id="narratives-title" lang={locale}>
                {t("practice.narratives")}
              </h2>
              {narratives.map((n) => (
                <div key={n.criterionId} className="narrative">
                  <h3 lang={locale}>{critName(n.criterionId)}</h3>
                  <p className="pre">{n.text}</p>
                </div>
              ))}
            </section>
          ) : null}
          {p.evidenceLinks.length ? (
            <section aria-labelledby="links-title" lang={locale}>
              <h2 id="links-title">{t("practice.evidenceLinks")}</h2>
              <EvidenceLinks links={p.evidenceLinks} />
            </section>
          ) : null}
          {p.attachments.length ? (
            <section aria-labelledby="files-title" lang={locale}>
              <h2 id="files-title">{t("archive.files")}</h2>
              <AttachmentList attachments={p.attachments} />
            </section>
          ) : null}
        </div>
      </article>
      {r ? (
        <section aria-labelledby="scores-title" className="scores">
          <h2 id="scores-title">{t("archive.juryScores")}</h2>
          <ChartSlot>
            <CriteriaChart
              practice={p.title}
              criteria={r.criteria.map((c) => {
                const sc = d.criterionScales.find((x) => x.criterionId === c.criterionId);
                return {
                  name: critName(c.criterionId),
                  value: ratNumber(c.score),
                  text: formatRational(c.score, locale),
                  min: sc?.min ?? 0,
                  max: sc?.max ?? 0,
                  weight: sc?.weight ?? 1,
                  nonRanking: c.nonRanking,
                };
              })}
            />
          </ChartSlot>
          {r.explanationItems.length ? (
            <>
              <h3>{t("archive.howPlaced")}</h3>
              <Explanation items={r.explanationItems} name={(id) => (id === r.nomination?.id ? `„${p.title}”` : critName(id))} />
            </>
          ) : null}
          {d.decisions.length ? (
            <>
              <h3>{t("results.decisions")}</h3>
              <ul>
                {d.decisions.map((x, i) => (
                  <li key={i}>{x.reason}</li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
      {s.distinguished && r?.nomination ? (
        <ShareLinks
          year={s.year}
          editionName={edName}
          licence={d.edition?.dataLicence}
          distinction={{ nominationId: r.nomination.id, practiceId: s.practiceId, city: s.city!.name, category: cat(s.category) }}
        />
      ) : null}
      {d.similar.length ? (
        <section aria-labelledby="similar-title">
          <h2 id="similar-title">{t("archive.similar")}</h2>
          <p className="hint">{t("archive.similarIntro")}</p>
          <div className="practice-grid" data-testid="similar">
            {d.similar.map((x) => (
              <PracticeCard key={x.practiceId} p={x} showYear />
            ))}
          </div>
        </section>
      ) : null}
    </div>
  );
}
