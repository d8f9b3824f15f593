// What the archive's pages share: a practice's card, a score on its scale, the lazily loaded charts and
// the page title. In the pages' shared chunk (vite.config.ts), so that no page's first download grows.
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { Link } from "react-router";
import type { PracticeSummary, PublicCategory, ScoreScale } from "../gen/miasta/v1/archive_pb.js";
import type { Rational } from "../gen/miasta/v1/results_pb.js";
import { useLocale, useT } from "../i18n";
import { pick } from "../shared/localized";
import { formatRational, exactRational } from "../shared/format";

/** Charts load with the first page that draws one: Plot is not part of any page's first download. */
export const RankingChart = lazy(() => import("./charts").then((m) => ({ default: m.RankingChart })));
export const CriteriaChart = lazy(() => import("./charts").then((m) => ({ default: m.CriteriaChart })));
export const DistributionChart = lazy(() => import("./charts").then((m) => ({ default: m.DistributionChart })));

/** ChartSlot holds a chart's place while its code loads. */
export function ChartSlot({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="chart-placeholder" />}>{children}</Suspense>;
}

/** useTitle sets the document's title for the page: "what — Miasta Otwarte". */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} — Miasta Otwarte`;
    return () => {
      document.title = before;
    };
  }, [title]);
}

/** ratNumber is a rational as a number, for drawing only (never for deciding anything). */
export function ratNumber(r: Rational | undefined): number {
  if (!r || r.denominator === 0n) return 0;
  return Number((r.numerator * 1000n) / r.denominator) / 1000;
}

/** ScoreOnScale shows "14 / 20", the exact fraction in its title. */
export function ScoreOnScale({ score, scale }: { score: Rational | undefined; scale: ScoreScale | undefined }) {
  const t = useT();
  const { locale } = useLocale();
  if (!score) return <span className="muted">{t("archive.notRanked")}</span>;
  const max = scale ? Number(scale.max).toLocaleString(locale) : "";
  return (
    <span className="score" title={exactRational(score)}>
      <strong>{formatRational(score, locale)}</strong>
      {scale ? <span className="of"> / {max}</span> : null}
    </span>
  );
}

/** categoryName is a category's name in the reader's language, with its number. */
export function useCategoryName(): (c: PublicCategory | { number: number; names: { [k: string]: string } } | undefined) => string {
  const { locale } = useLocale();
  return (c) => (c ? `${c.number}. ${pick(c.names, locale).text}` : "");
}

/** PracticeCard is a practice in a list: title (its page), city, category, result. */
export function PracticeCard({ p, showYear, showCity = true }: { p: PracticeSummary; showYear?: boolean; showCity?: boolean }) {
  const t = useT();
  const cat = useCategoryName();
  return (
    <article className={"practice-card" + (p.distinguished ? " distinguished" : "")}>
      <p className="kicker">
        {showYear ? (
          <>
            <Link to={`/results/${p.year}`}>{p.year}</Link>
            {" · "}
          </>
        ) : null}
        <Link to={`/results/${p.year}/category/${p.category?.number}`}>{cat(p.category)}</Link>
      </p>
      <h3 className="practice-title">
        <Link to={`/practices/${p.practiceId}`}>{p.title}</Link>
      </h3>
      {showCity && p.city ? (
        <p className="city-line">
          <Link to={`/cities/${p.city.id}`}>{p.city.name}</Link>
        </p>
      ) : null}
      {p.summary ? <p className="summary">{p.summary}</p> : null}
      <p className="result-line">
        {p.distinguished ? <span className="badge award">{t("archive.distinguished")}</span> : null}
        {p.nominationId ? (
          <>
            {p.rank ? <span>{t("archive.rankN", { rank: p.rank })}</span> : null}
            <ScoreOnScale score={p.score} scale={p.scale} />
          </>
        ) : (
          <span className="muted">{t("archive.notNominated")}</span>
        )}
      </p>
    </article>
  );
}
