import { textIn } from "../shared/localized";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, errorCode } from "../shared/api";
import { Code } from "@connectrpc/connect";
import { DemonstrationNote, ErrorNote, Loading, download } from "../shared/components";
import { PastEditionPage } from "../archive/PastEdition";
import { ShareLinks } from "../archive/ShareLinks";
import { exactRational, formatInstant, formatRational } from "../shared/format";
import type { Criterion } from "../gen/miasta/v1/edition_pb.js";
import { ExportFormat, type CategoryResult, type NominationResult, type StageStep } from "../gen/miasta/v1/results_pb.js";
import { Stage } from "../gen/miasta/v1/edition_pb.js";
import { Explanation } from "./explain";
import { BrowserVerify } from "./BrowserVerify";
import { useLoad } from "../shared/hooks";
import { Local, pick } from "../shared/localized";
import type { CriterionScale, ScoreScale } from "../gen/miasta/v1/archive_pb.js";
import { ChartSlot, DistributionChart, RankingChart, ScoreOnScale, ratNumber, useCategoryName, useTitle } from "../archive/common";
import { useLocale, useT } from "../i18n";

/**
 * ResultsPage is public: an edition's results (/results/{year}), or one category's
 * (/results/{year}/category/{number}): every nominated practice ranked, each score on its scale, the
 * charts, how each score came about, and how to check it all.
 */
export function ResultsPage() {
  const { year = "", number } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const cat = useCategoryName();
  const y = Number.parseInt(year, 10);
  const only = number === undefined ? undefined : Number.parseInt(number, 10);
  const loaded = useLoad(async () => {
    // One round trip: the results carry the edition's criteria and scales, and the practices' titles
    // in the reader's language where they are translated.
    const [res, key] = await Promise.all([api.archive.getPublicEditionResults({ year: y, language: locale }), api.audit.getPublicKey({})]);
    // The page, its charts and its tables name the practices in the reader's language; the ranking
    // shows the original beside a translated title.
    const originals = new Map<string, string>();
    for (const c of res.categories) {
      for (const n of c.nominations) {
        const p = n.nomination?.practice;
        const translated = p ? res.translatedTitles[p.id] : undefined;
        if (p && translated) {
          originals.set(p.id, p.title);
          p.title = translated;
        }
      }
    }
    return { res, criteria: res.criteria, key: key.verifierKey, originals };
  }, [y, locale]);
  const res = loaded.data?.res;
  const name = res ? pick(res.edition?.names, locale).text : "";
  const shown = only === undefined ? undefined : res?.categories.find((c) => c.category?.number === only);
  useTitle(res ? (shown ? `${cat(shown.category)} — ${name}` : t("results.title", { name })) : undefined);
  // A year the platform did not run may be a past edition, entered from its published record.
  if (loaded.error && !loaded.data && errorCode(loaded.error) === Code.NotFound && only === undefined) return <PastEditionPage year={y} />;
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data || !res) return <Loading />;
  const { criteria, key, originals } = loaded.data;
  const e = res.edition!;
  const withNominations = res.categories.filter((c) => c.nominations.length > 0);
  const empty = res.categories.filter((c) => c.nominations.length === 0);
  const ctx: Ctx = { year: e.year, scale: res.scale, scales: res.criterionScales, criteria, originals };
  const dates = (
    <p className="dates">
      <span>{t("archive.announcedOn", { time: formatInstant(e.announceTime, locale) })}</span>
      {e.ceremonyTime ? <span>{t("archive.ceremonyOn", { time: formatInstant(e.ceremonyTime, locale) })}</span> : null}
      {e.ceremonyPlace ? <span>{e.ceremonyPlace}</span> : null}
    </p>
  );
  if (only !== undefined) {
    return (
      <div className="archive">
        <nav className="crumbs" aria-label={t("archive.crumbs")}>
          <Link to="/results">{t("archive.editionsTitle")}</Link> › <Link to={`/results/${e.year}`}>{name}</Link>
        </nav>
        {shown ? (
          <>
            <header className="archive-hero">
              <p className="eyebrow">{t("archive.categoryEyebrow", { year: e.year })}</p>
              <h1>{cat(shown.category)}</h1>
              {dates}
              {e.demonstration ? <DemonstrationNote /> : null}
            </header>
            <CategorySection result={shown} ctx={ctx} level={2} />
          </>
        ) : (
          <h1>{t("common.notFound")}</h1>
        )}
      </div>
    );
  }
  return (
    <div className="archive">
      <nav className="crumbs" aria-label={t("archive.crumbs")}>
        <Link to="/results">{t("archive.editionsTitle")}</Link> › {e.year}
      </nav>
      <header className="archive-hero">
        <p className="eyebrow">{t("archive.editionEyebrow", { year: e.year })}</p>
        <h1>{t("results.title", { name })}</h1>
        {dates}
        {e.demonstration ? <DemonstrationNote /> : null}
        <p className="lead">
          {t("archive.editionLead", { nominations: e.nominationCount, distinctions: e.distinctionCount, cities: e.cityCount, categories: e.categoryCount })}
        </p>
      </header>
      <section aria-labelledby="winners-title">
        <h2 id="winners-title">{t("results.winners")}</h2>
        <ul className="winners" data-testid="winners">
          {res.categories.flatMap((c) =>
            c.nominations
              .filter((n) => n.winner)
              .map((n) => (
                <li key={n.nomination!.id}>
                  <Link className="cat" to={`/results/${e.year}/category/${c.category!.number}`}>
                    {cat(c.category)}
                  </Link>
                  <Link className="city" to={`/cities/${n.nomination!.city!.id}`}>
                    {n.nomination!.city!.name}
                  </Link>
                  <Link className="practice" to={`/practices/${n.nomination!.practice!.id}`}>
                    {n.nomination!.practice!.title}
                  </Link>
                  <span className="muted">
                    <ScoreOnScale score={n.score} scale={res.scale} />
                  </span>
                </li>
              )),
          )}
        </ul>
        {Object.keys(res.recommendations).length ? (
          <div className="jury-recommendations" data-testid="recommendations">
            <h3>{t("archive.recommendations")}</h3>
            <p className="pre">
              <Local texts={res.recommendations} />
            </p>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="ranking-title">
        <h2 id="ranking-title">{t("archive.rankingTitle")}</h2>
        <p className="hint">{t("archive.rankingIntro", { min: Number(res.scale?.min ?? 0n), max: Number(res.scale?.max ?? 0n) })}</p>
        {withNominations.map((c) => (
          <CategorySection key={c.category!.id} result={c} ctx={ctx} level={3} />
        ))}
        {empty.length ? (
          <div className="card compact" data-testid="empty-categories">
            <h3>{t("archive.emptyCategories", { count: empty.length })}</h3>
            <ul className="inline-list">
              {empty.map((c) => (
                <li key={c.category!.id}>{cat(c.category)}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>
      {res.distribution && res.distribution.count > 0 ? (
        <section aria-labelledby="distribution-title">
          <h2 id="distribution-title">{t("archive.distributionTitle")}</h2>
          <p className="hint">{t("archive.distributionIntro")}</p>
          <ChartSlot>
            <DistributionChart
              year={e.year}
              total={res.distribution.count}
              bins={res.distribution.bins.map((b) => ({ lower: Number(b.lower), upper: Number(b.upper), count: b.count }))}
            />
          </ChartSlot>
        </section>
      ) : null}
      {res.history.length ? <History steps={res.history} /> : null}
      <Verify year={e.year} checkpoint={res.checkpoint} verifierKey={key} />
      <ShareLinks year={e.year} editionName={name} licence={e.dataLicence} level={2} />
    </div>
  );
}

interface Ctx {
  year: number;
  scale: ScoreScale | undefined;
  scales: CriterionScale[];
  criteria: Criterion[];
  /** The original titles of the practices shown translated, by practice id. */
  originals: Map<string, string>;
}

/** CategorySection is one category's ranking: the practices in order, the chart, the details. */
function CategorySection({ result, ctx, level }: { result: CategoryResult; ctx: Ctx; level: 2 | 3 }) {
  const t = useT();
  const { locale } = useLocale();
  const cat = useCategoryName();
  const c = result.category!;
  const H = level === 2 ? "h2" : "h3";
  const Sub = level === 2 ? "h3" : "h4";
  const max = Number(ctx.scale?.max ?? 0n);
  const min = Number(ctx.scale?.min ?? 0n);
  const ranked = result.nominations.filter((n) => n.score);
  const critNameOf = (id: string) => {
    const x = ctx.criteria.find((k) => k.id === id);
    return x ? pick(x.names, locale).text : id;
  };
  return (
    <section className="category" aria-labelledby={`cat-${c.number}`} data-testid="category">
      <H id={`cat-${c.number}`}>
        {level === 3 ? <Link to={`/results/${ctx.year}/category/${c.number}`}>{cat(c)}</Link> : t("archive.rankingTitle")}
      </H>
      {result.nominations.length === 0 ? <p className="muted">{t("results.noNominations")}</p> : null}
      <ol className="ranking" hidden={result.nominations.length === 0}>
        {result.nominations.map((n) => {
          const nom = n.nomination!;
          return (
            <li key={nom.id} className={n.winner ? "winner" : ""} data-testid="ranked">
              <span className="rank" aria-label={t("archive.rankN", { rank: n.rank })}>
                {n.rank || "–"}
              </span>
              <div className="body">
                <p className="practice-title">
                  <Link to={`/practices/${nom.practice!.id}`} lang={ctx.originals.has(nom.practice!.id) ? locale : "pl"}>
                    {nom.practice!.title}
                  </Link>
                  {ctx.originals.has(nom.practice!.id) ? (
                    <span className="original" lang="pl">
                      {ctx.originals.get(nom.practice!.id)}
                    </span>
                  ) : null}
                  {n.winner ? <span className="badge award">{t("archive.distinguished")}</span> : null}
                  {!n.quorumMet ? <span className="badge">{t("results.noQuorum")}</span> : null}
                </p>
                <p className="city-line">
                  <Link to={`/cities/${nom.city!.id}`}>{nom.city!.name}</Link>
                </p>
                {nom.practice!.description ? <p className="summary">{nom.practice!.description}</p> : null}
                {Object.keys(n.justification).length ? (
                  <blockquote className="justification" data-testid="justification">
                    <span className="visually-hidden">{t("archive.justification")}: </span>
                    <Local texts={n.justification} />
                  </blockquote>
                ) : null}
              </div>
              <span className="points">
                <ScoreOnScale score={n.score} scale={ctx.scale} />
              </span>
            </li>
          );
        })}
      </ol>
      {ranked.length ? (
        <ChartSlot>
          <RankingChart
            category={cat(c)}
            min={min}
            max={max}
            bars={ranked.map((n) => ({
              label: `${n.rank}. ${n.nomination!.city!.name}`,
              title: n.nomination!.practice!.title,
              value: ratNumber(n.score),
              text: formatRational(n.score, locale),
              winner: n.winner,
            }))}
          />
        </ChartSlot>
      ) : null}
      {result.decisions.length ? (
        <div className="decisions">
          <Sub>{t("results.decisions")}</Sub>
          <ul data-testid="decisions">
            {result.decisions.map((d, i) => (
              <li key={i}>
                {t("results.decision", {
                  order: d.nominationIds.map((id) => nameOf(result, id, critNameOf)).join(" › "),
                  reason: d.reason,
                })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <details className="more">
        <summary>{t("results.breakdown")}</summary>
        <CategoryTable result={result} criteria={ctx.criteria} scales={ctx.scales} />
      </details>
    </section>
  );
}

function CategoryTable({ result, criteria, scales }: { result: CategoryResult; criteria: Criterion[]; scales: CriterionScale[] }) {
  const t = useT();
  const { locale } = useLocale();
  const c = result.category!;
  const critName = (id: string) => {
    const x = criteria.find((k) => k.id === id);
    return x ? textIn(locale, x.names) : id;
  };
  return (
    <div>
      {result.nominations.length === 0 ? <p className="muted">{t("results.noNominations")}</p> : null}
      {/* A phone scrolls the criteria's columns inside this region, not the page. */}
      <div className="scroll" role="region" tabIndex={0} hidden={result.nominations.length === 0} aria-label={t("results.tableCaption", { category: textIn(locale, c.names) })}>
        <table>
          <caption className="visually-hidden">{t("results.tableCaption", { category: textIn(locale, c.names) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("results.rank")}</th>
              <th scope="col">{t("results.practice")}</th>
              <th scope="col">{t("results.score")}</th>
              {result.nominations[0]?.criteria.map((cb) => (
                <th scope="col" key={cb.criterionId}>
                  {critName(cb.criterionId)}
                  {cb.nonRanking ? " " + t("results.nonRankingMark") : ""}
                  <span className="hint">{scaleOf(scales, cb.criterionId)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.nominations.map((n) => (
              <Row key={n.nomination!.id} n={n} />
            ))}
          </tbody>
        </table>
      </div>
      {result.nominations.map((n) => (
        <details key={n.nomination!.id}>
          <summary>{t("results.howScored", { practice: n.nomination!.practice!.title })}</summary>
          <JurorTable n={n} critName={critName} name={(id) => nameOf(result, id, critName)} />
        </details>
      ))}
    </div>
  );
}

/** scaleOf is a criterion's range and weight: "0–5, ×2". */
function scaleOf(scales: CriterionScale[], id: string): string {
  const s = scales.find((x) => x.criterionId === id);
  return s ? `${s.min}–${s.max}${s.weight !== 1 ? `, ×${s.weight}` : ""}` : "";
}

/** nameOf is what a reader knows an id of an explanation by: a practice's title and city, or a criterion. */
function nameOf(result: CategoryResult, id: string, critName: (id: string) => string): string {
  const n = result.nominations.find((x) => x.nomination?.id === id)?.nomination;
  return n ? `„${n.practice?.title}” (${n.city?.name})` : critName(id);
}

/** History lists every move back and every override of the edition: no step back is silent. */
function History({ steps }: { steps: StageStep[] }) {
  const t = useT();
  const { locale } = useLocale();
  const stage = (s: Stage) => t(`stage.${Stage[s]}` as never);
  return (
    <section aria-labelledby="history-title" className="card">
      <h2 id="history-title">{t("results.history")}</h2>
      <p className="hint">{t("results.historyIntro")}</p>
      <ul data-testid="history">
        {steps.map((s, i) => (
          <li key={i}>
            {t(s.override ? "results.override" : "results.stepBack", {
              time: formatInstant(s.changeTime, locale),
              organiser: s.organiser,
              from: stage(s.from),
              to: stage(s.to),
              reason: s.reason,
            })}
            {s.setAsideTallyHash ? (
              <p className="hint">
                {s.setAsideWinners.length
                  ? t("results.setAside", {
                      hash: s.setAsideTallyHash.slice(0, 19) + "…",
                      winners: s.setAsideWinners.map((n) => `„${n.practice?.title}” (${n.city?.name})`).join(", "),
                    })
                  : t("results.setAsideNone", { hash: s.setAsideTallyHash.slice(0, 19) + "…" })}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Row({ n }: { n: NominationResult }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <tr className={n.winner ? "winner" : ""}>
      <td>
        {n.rank}
        {n.winner ? <span className="badge ok"> {t("results.winnerYes")}</span> : null}
      </td>
      <th scope="row">
        {n.nomination!.practice!.title} <span className="muted">— {n.nomination!.city!.name}</span>
        {!n.quorumMet ? <span className="badge"> {t("results.noQuorum")}</span> : null}
      </th>
      <td title={exactRational(n.score)}>{formatRational(n.score, locale)}</td>
      {n.criteria.map((cb) => (
        <td key={cb.criterionId} title={exactRational(cb.score)}>
          {formatRational(cb.score, locale)}
        </td>
      ))}
    </tr>
  );
}

function JurorTable({ n, critName, name }: { n: NominationResult; critName: (id: string) => string; name: (id: string) => string }) {
  const t = useT();
  const crits = n.criteria.map((c) => c.criterionId);
  return (
    <>
      <div className="scroll" role="region" tabIndex={0} aria-label={t("results.breakdown")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("results.juror")}</th>
              {crits.map((c) => (
                <th scope="col" key={c}>
                  {critName(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {n.jurors.map((j) => (
              <tr key={j.juror}>
                <th scope="row">{j.juror}</th>
                {crits.map((c) => (
                  <td key={c}>{j.scores.find((s) => s.criterionId === c)?.value ?? "—"}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {n.recusals.length ? <p className="hint">{t("results.recusals", { count: n.recusals.length })}</p> : null}
      {n.explanationItems.length ? <Explanation items={n.explanationItems} name={name} /> : null}
    </>
  );
}

function Verify({ year, checkpoint, verifierKey }: { year: number; checkpoint: string; verifierKey: string }) {
  const t = useT();
  const [error, setError] = useState<unknown>();
  async function exportAs(format: ExportFormat, ext: string) {
    setError(undefined);
    try {
      const r = await api.results.exportResults({ year, format });
      download(`miasta-${year}-results.${ext}`, r.content as BlobPart, r.contentType);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby="verify-title" className="verify">
      <h2 id="verify-title">{t("verify.title")}</h2>
      <p>{t("verify.intro")}</p>
      <BrowserVerify year={year} verifierKey={verifierKey} />
      <h3>{t("verify.checkpoint")}</h3>
      {checkpoint ? (
        <>
          <p>{t("verify.checkpointHint")}</p>
          <pre data-testid="checkpoint">{checkpoint}</pre>
          <p className="actions">
            <button type="button" onClick={() => download(`miasta-${year}-checkpoint.txt`, checkpoint, "text/plain")}>
              {t("verify.saveCheckpoint")}
            </button>
          </p>
        </>
      ) : (
        <p role="status">{t("verify.checkpointPending")}</p>
      )}
      <h3>{t("verify.key")}</h3>
      <pre>{verifierKey}</pre>
      <p className="actions">
        {/* A plain download: the server streams the file (gzip-coded), the page holds none of it. */}
        <a className="button primary" href={`/audit/${year}/bundle.json`} download={`miasta-${year}-bundle.json`}>
          {t("verify.downloadBundle")}
        </a>
        <button type="button" onClick={() => exportAs(ExportFormat.JSON, "json")}>
          {t("verify.exportJson")}
        </button>
        <button type="button" onClick={() => exportAs(ExportFormat.CSV, "csv")}>
          {t("verify.exportCsv")}
        </button>
      </p>
      <ErrorNote error={error} />
      <h3>{t("verify.how")}</h3>
      <ol>
        <li>{t("verify.step1")}</li>
        <li>
          {t("verify.step2")}
          <pre>{`miasta audit verify -key '${verifierKey}' -checkpoint miasta-${year}-checkpoint.txt miasta-${year}-bundle.json`}</pre>
        </li>
        <li>{t("verify.step3")}</li>
      </ol>
    </section>
  );
}
