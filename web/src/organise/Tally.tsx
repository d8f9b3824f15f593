import { textIn } from "../shared/localized";
import { Explanation } from "../results/explain";
import { useId, useState } from "react";
import { api, listCriteria } from "../shared/api";
import { ErrorNote, Scroll } from "../shared/components";
import { formatRational } from "../shared/format";
import { Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { TieBreak, type NominationResult } from "../gen/miasta/v1/results_pb.js";
import { useLoad } from "../shared/hooks";
import { type Locale, useLocale, useT } from "../i18n";
import { tiedGroups } from "./tallyMath";
import { Justification, Recommendations } from "./JuryTexts";

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

/** tallyName is what an organiser knows an id of an explanation by: a practice's title and city, or a
 * criterion's name. */
function tallyName(noms: NominationResult[], criteria: Criterion[], locale: Locale, id: string): string {
  const n = noms.find((x) => x.nomination?.id === id)?.nomination;
  if (n) return `„${n.practice?.title}” (${n.city?.name})`;
  const c = criteria.find((x) => x.id === id);
  return c ? textIn(locale, c.names) : id;
}

/** TallyReview shows the tally with each rank's explanation, and asks for the jury's decision on a tie. */
export function TallyReview({ edition, categories }: { edition: Edition; categories: Category[] }) {
  const t = useT();
  const { locale } = useLocale();
  const tally = useLoad(() => api.results.getTally({ editionId: edition.id }), [edition.id, edition.stage]);
  const criteria = useLoad(() => listCriteria(edition.id), [edition.id]).data ?? [];
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
            <h3>{c ? `${c.number}. ${textIn(locale, c.names)}` : ""}</h3>
            {cr.nominations.length === 0 ? <p className="muted">{t("results.noNominations")}</p> : null}
            <Scroll hidden={cr.nominations.length === 0} label={c ? `${c.number}. ${textIn(locale, c.names)}` : ""}>
              <table>
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
                        {n.explanationItems.length ? (
                          <details>
                            <summary>{t("organise.explanation")}</summary>
                            <Explanation items={n.explanationItems} name={(id) => tallyName(cr.nominations, criteria, locale, id)} />
                          </details>
                        ) : null}
                      </th>
                      <td title={n.scoreText}>{formatRational(n.score, locale)}</td>
                      <td>{n.winner ? t("results.winnerYes") : n.quorumMet ? "" : t("results.noQuorum")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            {cr.nominations
              .filter((n) => n.winner || Object.keys(n.justification).length > 0)
              .map((n) => (
                <Justification
                  key={n.nomination!.id}
                  editionId={edition.id}
                  nominationId={n.nomination!.id}
                  practice={`${n.nomination!.practice!.title} — ${n.nomination!.city!.name}`}
                  text={n.justification}
                  editable={edition.stage === Stage.TALLIED}
                  stale={!n.winner}
                />
              ))}
            {edition.stage === Stage.TALLIED && data?.rule?.tieBreaks.includes(TieBreak.JURY_DECISION)
              ? tiedGroups(cr.nominations, data.rule?.winnersPerCategory ?? 1).map((group) => (
                  <JuryDecision key={group[0].nomination!.id} edition={edition} categoryId={c!.id} tied={group} onDone={tally.reload} />
                ))
              : null}
          </div>
        );
      })}
      {data ? <Recommendations editionId={edition.id} text={data.recommendations} editable={edition.stage === Stage.TALLIED} /> : null}
    </section>
  );
}

