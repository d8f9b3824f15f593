import { useId, useState } from "react";
import { textIn } from "../shared/localized";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { type Category, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { ProgressState } from "../gen/miasta/v1/jury_pb.js";
import { allPages, useLoad } from "../shared/hooks";
import { useLocale, useT, type MessageId } from "../i18n";
import { notCast } from "./peopleMath";

const progressKeys: Record<ProgressState, MessageId> = {
  [ProgressState.UNSPECIFIED]: "progress.NOT_STARTED",
  [ProgressState.NOT_STARTED]: "progress.NOT_STARTED",
  [ProgressState.DRAFT]: "progress.DRAFT",
  [ProgressState.CAST]: "progress.CAST",
  [ProgressState.RECUSED]: "progress.RECUSED",
};

/** readsSummary says which languages a juror read translations in for their last cast, and of how many practices. */
function readsSummary(reads: { language: string }[]): string {
  const by = new Map<string, number>();
  for (const r of reads) by.set(r.language, (by.get(r.language) ?? 0) + 1);
  return [...by].map(([l, n]) => `${l} (${n})`).join(", ");
}

/** JuryProgress shows who has finished what per category, never a score, until the round closes. */
export function JuryProgress({ edition, categories }: { edition: Edition; categories: Category[] }) {
  const t = useT();
  const { locale } = useLocale();
  const progress = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.jury.getJuryProgress({ editionId: edition.id, pageSize: 100, pageToken });
        return { items: r.jurors, next: r.nextPageToken };
      }),
    [edition.id, edition.stage],
  );
  const used = categories.filter((c) => progress.data?.some((j) => j.categories.some((p) => p.categoryId === c.id)));
  const ids = useId();
  // Who still has something to cast, and the grid's order: by name, or the late first.
  const [lateOnly, setLateOnly] = useState(false);
  const late = new Set(notCast(progress.data?.filter((j) => !j.revokeTime) ?? []));
  const rows = (progress.data ?? []).filter((j) => !lateOnly || late.has(j.displayName));
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">{t("organise.juryProgress")}</h2>
      <p className="hint">{t("organise.juryProgressSecret")}</p>
      <ErrorNote error={progress.error} />
      <p className="filters">
        <button type="button" onClick={progress.reload}>
          {t("common.refresh")}
        </button>{" "}
        <label className="choice" htmlFor={ids + "late"}>
          <input id={ids + "late"} type="checkbox" checked={lateOnly} onChange={(e) => setLateOnly(e.target.checked)} /> {t("progress.lateOnly", { count: late.size })}
        </label>
      </p>
      <div className="scroll" role="region" tabIndex={0} aria-labelledby="progress-title">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">{t("organise.juror")}</th>
              {used.map((c) => (
                <th scope="col" key={c.id}>
                  {c.number}
                  <span className="visually-hidden">. {textIn(locale, c.names)}</span>
                </th>
              ))}
              <th scope="col">{t("progress.translationsRead")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((j) => (
              <tr key={j.assignmentId}>
                <th scope="row">
                  {j.displayName}
                  {j.revokeTime ? <span className="hint"> · {t("progress.revoked")}</span> : null}
                </th>
                {used.map((c) => {
                  const st = j.categories.find((p) => p.categoryId === c.id)?.state;
                  // A category the server leaves out had nothing for this juror to score: neither cast nor missing.
                  if (st === undefined)
                    return (
                      <td key={c.id} className="state-none" title={t("progress.nothing")}>
                        —<span className="visually-hidden"> {t("progress.nothing")}</span>
                      </td>
                    );
                  return (
                    <td key={c.id} className={"state-" + ProgressState[st].toLowerCase()}>
                      {t(progressKeys[st])}
                    </td>
                  );
                })}
                <td>{readsSummary(j.translationsRead) || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

