import { useId, useState } from "react";
import type { Edition } from "../gen/miasta/v1/edition_pb.js";
import { TranslationStatus, XliffProblemKind, type ImportXliffResponse } from "../gen/miasta/v1/translation_pb.js";
import { api } from "../shared/api";
import { ErrorNote, download } from "../shared/components";
import { LOCALE_NAMES, useT, type MessageId } from "../i18n";

const LANGUAGES = ["en", "uk", "es", "vi"] as const;
const STATUSES = [TranslationStatus.MACHINE, TranslationStatus.DRAFT, TranslationStatus.REVIEWED];

/** problemKey is the sentence for an import problem's kind, in the reader's language. */
function problemKey(k: XliffProblemKind): MessageId {
  return ("xliff.problem." + XliffProblemKind[k]) as MessageId;
}

/**
 * TranslationExchange exports a language's texts as XLIFF 2.0 for a translation agency and imports the
 * translated file back: a dry run first, listing every bad unit, then the import.
 */
export function TranslationExchange({ edition }: { edition: Edition }) {
  const t = useT();
  const ids = useId();
  const [lang, setLang] = useState<string>("uk");
  const [missingOnly, setMissingOnly] = useState(false);
  const [status, setStatus] = useState(TranslationStatus.DRAFT);
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | undefined>();
  const [result, setResult] = useState<{ res: ImportXliffResponse; dryRun: boolean } | undefined>();
  const [error, setError] = useState<unknown>();
  async function exportFile() {
    setError(undefined);
    try {
      const r = await api.translations.exportXliff({ editionId: edition.id, language: lang, missingOnly });
      download(r.fileName, r.xliff as BlobPart, "application/xliff+xml");
    } catch (err) {
      setError(err);
    }
  }
  async function importFile(dryRun: boolean) {
    if (!file) return;
    setError(undefined);
    setResult(undefined);
    try {
      const res = await api.translations.importXliff({ editionId: edition.id, language: lang, xliff: file.bytes, dryRun, status });
      setResult({ res, dryRun });
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby={ids + "h"}>
      <h2 id={ids + "h"}>{t("xliff.title")}</h2>
      <p className="hint">{t("xliff.hint")}</p>
      <div className="field">
        <label htmlFor={ids + "l"}>{t("xliff.language")}</label>
        <select
          id={ids + "l"}
          value={lang}
          onChange={(e) => {
            setLang(e.target.value);
            setResult(undefined);
          }}
        >
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
      </div>
      <p className="actions">
        <label>
          <input type="checkbox" checked={missingOnly} onChange={(e) => setMissingOnly(e.target.checked)} /> {t("xliff.missingOnly")}
        </label>
        <button type="button" onClick={exportFile}>
          {t("xliff.export")}
        </button>
      </p>
      <div className="field">
        <label htmlFor={ids + "f"}>{t("xliff.file")}</label>
        <input
          id={ids + "f"}
          type="file"
          accept=".xlf,.xliff,application/xliff+xml,application/xml,text/xml"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            setResult(undefined);
            setFile(f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : undefined);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={ids + "s"}>{t("xliff.status")}</label>
        <select id={ids + "s"} value={status} onChange={(e) => setStatus(Number(e.target.value) as TranslationStatus)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(("translation.status." + TranslationStatus[s]) as MessageId)}
            </option>
          ))}
        </select>
      </div>
      <p className="actions">
        <button type="button" disabled={!file} onClick={() => importFile(true)}>
          {t("xliff.check")}
        </button>
        <button type="button" className="primary" disabled={!file || !result?.dryRun || result.res.problems.length > 0} onClick={() => importFile(false)}>
          {t("xliff.import")}
        </button>
        <span className="hint">{file?.name}</span>
      </p>
      <ErrorNote error={error} />
      {result ? (
        <div role="status">
          {result.res.problems.length > 0 ? (
            <>
              <p className="error">{t("xliff.problems", { count: result.res.problems.length })}</p>
              <div className="scroll" role="region" tabIndex={0} aria-label={t("xliff.problemsTable")}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t("xliff.unit")}</th>
                      <th scope="col">{t("people.line")}</th>
                      <th scope="col">{t("people.reason")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.res.problems.map((p, i) => (
                      <tr key={i}>
                        <td className="code">{p.unitId || t("xliff.wholeFile")}</td>
                        <td>{p.line || ""}</td>
                        <td>{t(problemKey(p.kind))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : result.dryRun ? (
            <p>{t("xliff.checked", { units: result.res.units, changed: result.res.changed })}</p>
          ) : (
            <p>{t("xliff.imported", { count: result.res.imported })}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
