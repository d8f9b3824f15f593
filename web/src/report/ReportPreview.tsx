import { useId, useMemo, useState } from "react";
import type { Category, Criterion } from "../gen/miasta/v1/edition_pb.js";
import type { Report } from "../gen/miasta/v1/report_pb.js";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { LOCALE_NAMES, useT } from "../i18n";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { useLoad } from "../shared/hooks";
import { TARGET_LANGUAGES, type TargetLanguage } from "../translation/translationMath";
import { ReportView } from "./ReportView";

/**
 * ReportPreview is the expert's report as its readers will see it: the original (Polish), as the
 * organisers read it, or in any language the report has a translation into, as jurors reading that
 * language will (the translations as the server holds them, marked outdated against the report's
 * saved text; they reload with every save).
 */
export function ReportPreview({
  editionId,
  cityId,
  version,
  report,
  categories,
  criteria,
}: {
  editionId: string;
  cityId: string;
  /** The report's version on the server: a new one may make a translation outdated. */
  version: bigint;
  /** The report with the text on screen. */
  report: Report;
  categories: Category[];
  criteria: Criterion[];
}) {
  const t = useT();
  const selectId = useId();
  const loaded = useLoad(async () => (await api.translations.listReportTranslations({ editionId, cityId })).translations, [editionId, cityId, version]);
  const byLanguage = useMemo(() => {
    const out = new Map<string, Map<string, PracticeTranslation>>();
    for (const tr of loaded.data ?? []) {
      const m = out.get(tr.language) ?? new Map<string, PracticeTranslation>();
      m.set(tr.practiceId, tr);
      out.set(tr.language, m);
    }
    return out;
  }, [loaded.data]);
  const languages: TargetLanguage[] = TARGET_LANGUAGES.filter((l) => byLanguage.has(l));
  const [chosen, setChosen] = useState("pl");
  const lang = byLanguage.has(chosen) ? chosen : "pl";
  const translations = byLanguage.get(lang);
  const outdated = [...(translations?.values() ?? [])].some((x) => x.outdated);
  const language = lang === "pl" ? LOCALE_NAMES.pl : LOCALE_NAMES[lang as TargetLanguage];
  return (
    <>
      <p className="hint">{t("report.previewHint")}</p>
      {loaded.error ? <ErrorNote error={loaded.error} /> : null}
      {loaded.data && languages.length === 0 ? (
        <p className="notice" data-testid="preview-no-translations">
          {t("report.previewNoTranslations")}
        </p>
      ) : null}
      {languages.length > 0 ? (
        <div className="field preview-language">
          <label htmlFor={selectId}>{t("report.previewLanguage")}</label>
          <select id={selectId} value={lang} onChange={(e) => setChosen(e.target.value)} data-testid="preview-language">
            <option value="pl">{t("report.previewOriginal")}</option>
            {languages.map((l) => (
              <option key={l} value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {lang !== "pl" ? <p className="hint">{t("report.previewAsJurors", { language })}</p> : null}
      {outdated ? (
        <p className="notice" role="note" data-testid="preview-outdated">
          {t("report.previewOutdated", { language })}
        </p>
      ) : null}
      <ReportView report={report} categories={categories} criteria={criteria} lang={lang} translations={translations} />
    </>
  );
}
