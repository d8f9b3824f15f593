import { textIn } from "../shared/localized";
import { useState } from "react";
import { useParams } from "react-router";
import { api } from "../shared/api";
import { ErrorNote, Loading, download } from "../shared/components";
import { exactRational, formatInstant, formatRational } from "../shared/format";
import type { Criterion } from "../gen/miasta/v1/edition_pb.js";
import { ExportFormat, type CategoryResult, type NominationResult, type StageStep } from "../gen/miasta/v1/results_pb.js";
import { Stage } from "../gen/miasta/v1/edition_pb.js";
import { Explanation } from "./explain";
import { BrowserVerify } from "./BrowserVerify";
import { useLoad } from "../shared/hooks";
import { useLocale, useT } from "../i18n";

/** ResultsPage is public: the winners, how each score came about, and how to check it all. */
export function ResultsPage() {
  const { year = "" } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const y = Number.parseInt(year, 10);
  const loaded = useLoad(async () => {
    // One round trip: the results carry the edition's criteria.
    const [res, key] = await Promise.all([api.results.getPublicResults({ year: y }), api.audit.getPublicKey({})]);
    return { res, criteria: res.criteria, key: key.verifierKey };
  }, [y]);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const { res, criteria, key } = loaded.data;
  const e = res.edition!;
  return (
    <>
      <h1>{t("results.title", { name: textIn(locale, e.names) || e.name })}</h1>
      {e.timeline?.ceremonyTime ? <p>{t("results.ceremony", { time: formatInstant(e.timeline.ceremonyTime, locale) })}</p> : null}
      <section aria-labelledby="winners-title">
        <h2 id="winners-title">{t("results.winners")}</h2>
        <ul className="winners" data-testid="winners">
          {res.categories.flatMap((c) =>
            c.nominations
              .filter((n) => n.winner)
              .map((n) => (
                <li key={n.nomination!.id}>
                  <span className="cat">
                    {c.category!.number}. {textIn(locale, c.category!.names)}
                  </span>
                  <strong className="city">{n.nomination!.city!.name}</strong>
                  <span className="practice">{n.nomination!.practice!.title}</span>
                </li>
              )),
          )}
        </ul>
      </section>
      <section aria-labelledby="breakdown-title">
        <h2 id="breakdown-title">{t("results.breakdown")}</h2>
        {res.categories.map((c) => (
          <CategoryTable key={c.category!.id} result={c} criteria={criteria} />
        ))}
      </section>
      {res.history.length ? <History steps={res.history} /> : null}
      <Verify year={e.year} checkpoint={res.checkpoint} verifierKey={key} />
    </>
  );
}

function CategoryTable({ result, criteria }: { result: CategoryResult; criteria: Criterion[] }) {
  const t = useT();
  const { locale } = useLocale();
  const c = result.category!;
  const critName = (id: string) => {
    const x = criteria.find((k) => k.id === id);
    return x ? textIn(locale, x.names) : id;
  };
  return (
    <div className="card">
      <h3>
        {c.number}. {textIn(locale, c.names)}
      </h3>
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
      {result.decisions.length ? (
        <div className="decisions">
          <h4>{t("results.decisions")}</h4>
          <ul data-testid="decisions">
            {result.decisions.map((d, i) => (
              <li key={i}>
                {t("results.decision", {
                  order: d.nominationIds.map((id) => nameOf(result, id, critName)).join(" › "),
                  reason: d.reason,
                })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
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
