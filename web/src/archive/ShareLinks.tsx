import { useId, useState } from "react";
import { useLocale, useT } from "../i18n";

/**
 * The distinction a ShareLinks offers the certificate and the badge of: a winning nomination of an
 * announced edition (the server answers 404 for any other).
 */
export interface Distinction {
  nominationId: string;
  practiceId: string;
  city: string;
  /** The category's name in the reader's language. */
  category: string;
}

export interface ShareLinksProps {
  /** The announced edition's year, whose open data it links. */
  year: number;
  /** The edition's name in the reader's language. */
  editionName: string;
  /** The edition's open-data licence (Edition.dataLicence, an SPDX id); CC-BY-4.0 when empty. */
  licence?: string;
  /** A distinction of the edition: with it, the certificate and the badge with its embed code. */
  distinction?: Distinction;
  /** The heading's level in the page (2 by default). */
  level?: 2 | 3;
}

/** langQuery is the ?lang= that gives a file in the reader's language (Polish is the default). */
function langQuery(locale: string): string {
  return locale === "pl" ? "" : `?lang=${locale}`;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * embedCode is the HTML a city pastes into its site: the badge, linked to the practice's page, with
 * its text alternative; every value escaped for an attribute.
 */
export function embedCode(origin: string, d: Distinction, alt: string, locale: string): string {
  const q = langQuery(locale);
  const href = `${origin}/practices/${d.practiceId}${q}`;
  const src = `${origin}/badges/${d.nominationId}.svg${q}`;
  return `<a href="${escapeAttribute(href)}"><img src="${escapeAttribute(src)}" alt="${escapeAttribute(alt)}" width="360" height="132"></a>`;
}

/**
 * ShareLinks offers what the server makes of an announced edition for sharing and reuse: a
 * distinction's certificate (PDF) and badge with the code to embed it, the edition's open data
 * (JSON and CSV, with its licence) and the feed of announcements, each in the reader's language.
 */
export function ShareLinks({ year, editionName, licence, distinction, level = 2 }: ShareLinksProps) {
  const t = useT();
  const { locale } = useLocale();
  const headingId = useId();
  const embedId = useId();
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  const q = langQuery(locale);
  const Heading = level === 3 ? "h3" : "h2";
  const Sub = level === 3 ? "h4" : "h3";
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const alt = distinction ? t("share.badgeAlt", { edition: editionName, city: distinction.city, category: distinction.category }) : "";
  const code = distinction ? embedCode(origin, distinction, alt, locale) : "";
  const copy = () =>
    navigator.clipboard?.writeText(code).then(
      () => setCopied("yes"),
      () => setCopied("no"),
    ) ?? setCopied("no");
  return (
    <section className="share" aria-labelledby={headingId}>
      <Heading id={headingId}>{t("share.title")}</Heading>
      {distinction && (
        <>
          <p>
            <a href={`/certificates/${distinction.nominationId}.pdf${q}`} type="application/pdf" download>
              {t("share.certificate")}
            </a>
            <span className="hint">{t("share.certificateHint")}</span>
          </p>
          <Sub>{t("share.badge")}</Sub>
          <p className="share-badge">
            <img src={`/badges/${distinction.nominationId}.svg${q}`} alt={alt} width={360} height={132} />
          </p>
          <label htmlFor={embedId}>{t("share.embed")}</label>
          <textarea id={embedId} readOnly rows={4} value={code} onFocus={(e) => e.currentTarget.select()} />
          <p className="actions">
            <button type="button" onClick={copy}>
              {t("share.copy")}
            </button>
            <span role="status">{copied === "yes" ? t("share.copied") : copied === "no" ? t("share.copyFailed") : ""}</span>
          </p>
          <p className="hint">
            {t("share.embedHint", { png: `${origin}/badges/${distinction.nominationId}.png${q}` })}
          </p>
        </>
      )}
      <Sub>{t("share.openData", { year })}</Sub>
      <p className="hint">{t("share.openDataHint", { licence: licence || "CC-BY-4.0" })}</p>
      <ul className="share-data">
        <li>
          <a href={`/open-data/${year}.json`} type="application/json">
            {t("share.json")}
          </a>
        </li>
        <li>
          <a href={`/open-data/${year}/practices.csv`} type="text/csv" download>
            {t("share.practicesCsv")}
          </a>
        </li>
        <li>
          <a href={`/open-data/${year}/nominations.csv`} type="text/csv" download>
            {t("share.nominationsCsv")}
          </a>
        </li>
        <li>
          <a href={`/open-data/${year}/results.csv`} type="text/csv" download>
            {t("share.resultsCsv")}
          </a>
        </li>
        <li>
          <a href={`/feed.atom${q}`} type="application/atom+xml">
            {t("share.feed")}
          </a>
        </li>
      </ul>
    </section>
  );
}
