import { useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote, Scroll, download } from "../shared/components";
import { textIn } from "../shared/localized";
import type { Category, Edition } from "../gen/miasta/v1/edition_pb.js";
import { DeliberationFormat, MarkState, type Deliberation as DeliberationData, type DeliberationCategory } from "../gen/miasta/v1/results_pb.js";
import { useLoad } from "../shared/hooks";
import { useLocale, useT, type MessageId } from "../i18n";
import { agreementLevel, formatAlpha, formatShare, rowCells, winnerTitles } from "./deliberationMath";

/** Deliberation ("Obrady jury") shows the organisers, after the close, every juror's marks, how far
 * each juror lies from the others, the jury's agreement and the tally's sensitivity to one juror. */
export function Deliberation({ edition, onChanged }: { edition: Edition; categories: Category[]; onChanged: () => void }) {
  const t = useT();
  const ids = useId();
  const loaded = useLoad(() => api.results.getDeliberation({ editionId: edition.id }), [edition.id, edition.stage, edition.deliberationNames]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const d = loaded.data?.deliberation;
  async function save(format: DeliberationFormat) {
    setError(undefined);
    try {
      const res = await api.results.exportDeliberation({ editionId: edition.id, format });
      download(res.filename, new Uint8Array(res.content), res.contentType);
    } catch (err) {
      setError(err);
    }
  }
  async function setNames(names: boolean) {
    setError(undefined);
    setBusy(true);
    try {
      await api.editions.setDeliberationNames({ editionId: edition.id, names });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby={`${ids}-title`} className="deliberation">
      <h2 id={`${ids}-title`}>{t("deliberation.title")}</h2>
      <p className="hint">{t("deliberation.intro")}</p>
      <p className="actions">
        <button type="button" onClick={() => save(DeliberationFormat.XLSX)} disabled={!d}>
          {t("deliberation.downloadXlsx")}
        </button>
        <button type="button" onClick={() => save(DeliberationFormat.CSV)} disabled={!d}>
          {t("deliberation.downloadCsv")}
        </button>
      </p>
      <label className="choice">
        <input type="checkbox" checked={edition.deliberationNames} disabled={busy} onChange={(e) => setNames(e.target.checked)} />
        {t("deliberation.names")}
      </label>
      <ErrorNote error={error ?? loaded.error} />
      {d ? <Jurors d={d} /> : null}
      {/* Categories with nothing on the shortlist have nothing to deliberate. */}
      {d?.categories.filter((c) => c.nominations.length > 0).map((c) => <CategoryMatrix key={c.category?.id} d={d} c={c} />)}
    </section>
  );
}

function Jurors({ d }: { d: DeliberationData }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <div className="card">
      <h3>{t("deliberation.jurors")}</h3>
      <p className="hint">{t("deliberation.deviationHint")}</p>
      <Scroll label={t("deliberation.jurors")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("deliberation.juror")}</th>
              <th scope="col">{t("deliberation.deviation")}</th>
              <th scope="col">{t("deliberation.compared")}</th>
            </tr>
          </thead>
          <tbody>
            {d.jurors.map((j) => (
              <tr key={j.label} className={j.outlier ? "outlier" : undefined}>
                <th scope="row">
                  {j.label}
                  {j.outlier ? <strong className="flag"> {t("deliberation.outlier")}</strong> : null}
                  {!j.cast ? <span className="muted"> ({t("deliberation.noCast")})</span> : null}
                </th>
                <td>{formatShare(j.deviation, locale)}</td>
                <td>{j.comparedMarks}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <p className="hint">{t("deliberation.outlierHint")}</p>
    </div>
  );
}

function CategoryMatrix({ d, c }: { d: DeliberationData; c: DeliberationCategory }) {
  const t = useT();
  const { locale } = useLocale();
  const title = c.category ? `${c.category.number}. ${textIn(locale, c.category.names)}` : "";
  const level = agreementLevel(c.agreement?.alpha);
  const criterionName = (id: string) => {
    const cr = d.criteria.find((x) => x.criterionId === id);
    return cr ? textIn(locale, cr.names) || cr.namePl : id;
  };
  return (
    <div className="card">
      <h3>{title}</h3>
      {c.nominations.length > 0 ? (
        <p className="hint">
          {t("deliberation.criteria")}{" "}
          {d.criteria.map((cr, k) => (
            <span key={cr.criterionId}>
              {k > 0 ? " · " : ""}
              {cr.number}. {criterionName(cr.criterionId)} ({cr.minScore}–{cr.maxScore})
            </span>
          ))}
        </p>
      ) : null}
      {c.nominations.map((n) => (
        <div key={n.nominationId} className="matrix-nomination">
          <h4>
            {n.practiceTitle} — {n.cityName}
            {n.winner ? <strong> · {t("results.winnerYes")}</strong> : null}
          </h4>
          <Scroll label={t("deliberation.matrix", { category: title, practice: n.practiceTitle })}>
            <table className="matrix">
              <thead>
                <tr>
                  <th scope="col">{t("deliberation.juror")}</th>
                  {d.criteria.map((cr) => (
                    <th scope="col" key={cr.criterionId}>
                      <abbr title={criterionName(cr.criterionId)}>{cr.number}.</abbr>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {n.rows.map((row) => {
                  const cell = rowCells(row);
                  return (
                    <tr key={row.juror}>
                      <th scope="row">{d.jurors[row.juror]?.label}</th>
                      {cell.kind === "marks" ? (
                        cell.marks.map((m, k) => (
                          <td
                            key={k}
                            className={m.outlier ? "outlier" : undefined}
                            title={m.othersMean !== undefined ? t("deliberation.othersMean", { mean: formatAlpha(m.othersMean, locale) }) : undefined}
                          >
                            {m.value}
                            {m.outlier ? <span className="visually-hidden"> ({t("deliberation.outlier")})</span> : null}
                          </td>
                        ))
                      ) : (
                        <td colSpan={d.criteria.length} className="state">
                          {t(`deliberation.state.${MarkState[cell.state]}` as MessageId)}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Scroll>
        </div>
      ))}
      <p>
        <strong>{t("deliberation.agreement")}:</strong> {formatAlpha(c.agreement?.alpha, locale)}
        {level ? <> ({t(`deliberation.level.${level}` as MessageId)})</> : <> — {t("deliberation.agreementUndefined")}</>}
      </p>
      {c.criteriaAgreement.length > 1 ? (
        <ul className="hint">
          {c.criteriaAgreement.map((a) => (
            <li key={a.criterionId}>
              {criterionName(a.criterionId)}: {formatAlpha(a.alpha, locale)}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="hint">{t("deliberation.agreementExplain")}</p>
      <h4>{t("deliberation.sensitivityTitle")}</h4>
      {c.sensitivity.length === 0 ? (
        <p>{t("deliberation.sensitivityNone")}</p>
      ) : (
        <ul>
          {c.sensitivity.map((s) => (
            <li key={s.juror} className="outlier">
              {t("deliberation.sensitivity", {
                juror: d.jurors[s.juror]?.label ?? "",
                winners: winnerTitles(c, s.winnerIds) ?? t("deliberation.sensitivityNobody"),
              })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
