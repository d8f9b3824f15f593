import { useEffect } from "react";
import { Link } from "react-router";
import { api } from "../shared/api";
import { ErrorNote, Loading } from "../shared/components";
import { formatInstant } from "../shared/format";
import { Local, textIn } from "../shared/localized";
import { useLoad } from "../shared/hooks";
import { useLocale, useT } from "../i18n";
import type { PastEdition } from "../gen/miasta/v1/past_pb.js";

/** PastEditionPage shows an edition that ran before the platform, as its organisers published it:
 * entered from the record, with its sources, and never presented as computed or verifiable here. */
export function PastEditionPage({ year }: { year: number }) {
  const loaded = useLoad(() => api.past.getPastEdition({ year }), [year]);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return <PastEditionView edition={loaded.data.edition!} />;
}

export function PastEditionView({ edition: e }: { edition: PastEdition }) {
  const t = useT();
  const { locale } = useLocale();
  const name = textIn(locale, e.name);
  useEffect(() => {
    document.title = t("past.pageTitle", { name });
  }, [name, t]);
  const byCategory = new Map<number, PastEdition["distinctions"]>();
  for (const d of e.distinctions) byCategory.set(d.categoryNumber, [...(byCategory.get(d.categoryNumber) ?? []), d]);
  return (
    <article className="archive past-edition" data-testid="past-edition">
      <nav className="crumbs" aria-label={t("archive.crumbs")}>
        <Link to="/results">{t("archive.editionsTitle")}</Link> › {e.year}
      </nav>
      <header className="past-hero">
        <p className="past-kicker">{t("past.kicker", { year: e.year })}</p>
        <h1>
          <Local texts={e.name} />
        </h1>
        {e.ceremonyTime ? (
          <p className="past-ceremony">
            {t("past.ceremony", { time: formatInstant(e.ceremonyTime, locale) })}
            {Object.keys(e.ceremonyPlace).length ? (
              <>
                {" · "}
                <Local texts={e.ceremonyPlace} />
              </>
            ) : null}
          </p>
        ) : null}
        {Object.keys(e.ceremonyOccasion).length ? (
          <p className="muted">
            <Local texts={e.ceremonyOccasion} />
          </p>
        ) : null}
      </header>
      <p className="past-record" role="note">
        {t("past.record")}
      </p>
      {Object.keys(e.summary).length ? (
        <p className="past-summary">
          <Local texts={e.summary} />
        </p>
      ) : null}
      <dl className="past-facts">
        {e.organiser ? (
          <div>
            <dt>{t("past.organiser")}</dt>
            <dd>{e.organiser}</dd>
          </div>
        ) : null}
        {e.expertCities.length ? (
          <div>
            <dt>{t("past.expertCities")}</dt>
            <dd>{e.expertCities.join(", ")}</dd>
          </div>
        ) : null}
      </dl>
      {e.jury.length ? (
        <section aria-labelledby="past-jury">
          <h2 id="past-jury">{t("past.jury")}</h2>
          <ul className="past-jury">
            {e.jury.map((j, i) => (
              <li key={i}>
                <strong>{j.name}</strong>
                <span className="muted">
                  {[Object.keys(j.origin).length ? textIn(locale, j.origin) : "", j.city].filter(Boolean).join(" · ")}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {e.categories.length ? (
        <section aria-labelledby="past-categories">
          <h2 id="past-categories">{t("past.categories", { count: e.categories.length })}</h2>
          <ol className="past-categories">
            {e.categories.map((c) => (
              <li key={c.number} value={c.number}>
                <Local texts={c.name} />
                {(byCategory.get(c.number) ?? []).map((d, i) => (
                  <p key={i} className="past-distinction">
                    <span className="badge-winner">{t("past.distinguished")}</span>{" "}
                    {d.cityId ? <Link to={`/cities/${d.cityId}`}>{d.city}</Link> : d.city}
                    {Object.keys(d.practiceTitle).length ? (
                      <>
                        {": "}
                        <Local texts={d.practiceTitle} />
                      </>
                    ) : null}
                    {Object.keys(d.justification).length ? (
                      <span className="past-justification">
                        <Local texts={d.justification} />
                      </span>
                    ) : null}
                  </p>
                ))}
              </li>
            ))}
          </ol>
          {e.distinctions.length === 0 ? <p className="muted">{t("past.noDistinctions")}</p> : null}
        </section>
      ) : null}
      {Object.keys(e.recommendations).length ? (
        <section aria-labelledby="past-recommendations">
          <h2 id="past-recommendations">{t("past.recommendations")}</h2>
          <p className="past-summary">
            <Local texts={e.recommendations} />
          </p>
        </section>
      ) : null}
      <section aria-labelledby="past-sources">
        <h2 id="past-sources">{t("past.sources")}</h2>
        <ul>
          {e.sources.map((s, i) => (
            <li key={i}>{s.url ? <a href={s.url}>{s.title}</a> : s.title}</li>
          ))}
        </ul>
      </section>
    </article>
  );
}
