import { Link, useParams } from "react-router";
import { api } from "../shared/api";
import { DemonstrationNote, ErrorNote, Loading } from "../shared/components";
import { useLoad } from "../shared/hooks";
import { Local, pick } from "../shared/localized";
import { outcomeKey } from "../report/outcomes";
import { useLocale, useT } from "../i18n";
import { PracticeCard, useTitle } from "./common";

/** CityPage is /cities/{id}: a city's practices, nominations and distinctions across editions. */
export function CityPage() {
  const { cityId = "" } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const loaded = useLoad(() => api.archive.getPublicCity({ cityId }), [cityId]);
  useTitle(loaded.data?.city?.name);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const c = loaded.data;
  return (
    <div className="archive">
      <nav className="crumbs" aria-label={t("archive.crumbs")}>
        <Link to="/results">{t("archive.editionsTitle")}</Link> › {c.city!.name}
      </nav>
      <header className="archive-hero">
        <p className="eyebrow">{t("archive.cityEyebrow")}</p>
        <h1>{c.city!.name}</h1>
        <dl className="stats">
          <div>
            <dt>{t("archive.statEditions")}</dt>
            <dd>{c.editions.length}</dd>
          </div>
          <div>
            <dt>{t("archive.statNominations")}</dt>
            <dd>{c.nominationCount}</dd>
          </div>
          <div>
            <dt>{t("archive.statDistinctions")}</dt>
            <dd>{c.distinctionCount}</dd>
          </div>
        </dl>
      </header>
      {c.editions.map((e) => (
        <section key={e.year} aria-labelledby={`ed-${e.year}`} className="city-edition">
          <h2 id={`ed-${e.year}`}>
            <Link to={`/results/${e.year}`}>{pick(e.editionNames, locale).text || e.year}</Link>
            {e.demonstration ? (
              <>
                {" "}
                <DemonstrationNote inline />
              </>
            ) : null}
          </h2>
          {e.practices.length ? (
            <div className="practice-grid" data-testid="city-practices">
              {[...e.practices]
                .sort((a, b) => Number(b.distinguished) - Number(a.distinguished) || Number(!!b.nominationId) - Number(!!a.nominationId))
                .map((p) => (
                  <PracticeCard key={p.practiceId} p={p} showCity={false} />
                ))}
            </div>
          ) : null}
          {e.followUps.length ? (
            <>
              <h3>{t("archive.followUps")}</h3>
              <ul className="plain follow-ups">
                {e.followUps.map((f, i) => (
                  <li key={i} className="card">
                    <p>
                      {f.previous ? (
                        <>
                          <Link to={`/practices/${f.previous.practiceId}`}>{f.previous.title}</Link> ({f.previous.year})
                        </>
                      ) : (
                        t("archive.earlierPractice")
                      )}
                      {" — "}
                      <strong>{t(outcomeKey(f.outcome))}</strong>
                    </p>
                    {f.narrative ? <p className="pre">{f.narrative}</p> : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ))}
      {c.pastDistinctions.length ? (
        <section aria-labelledby="past-distinctions" className="city-edition">
          <h2 id="past-distinctions">{t("archive.pastDistinctions")}</h2>
          <p className="hint">{t("past.record")}</p>
          <ul className="plain">
            {c.pastDistinctions.map((p, i) => (
              <li key={i} className="card">
                <p>
                  <Link to={`/results/${p.year}`}>{pick(p.editionNames, locale).text || p.year}</Link>
                  {" · "}
                  {pick(p.categoryNames, locale).text}
                </p>
                {p.distinction && Object.keys(p.distinction.practiceTitle).length ? (
                  <p>
                    <strong>
                      <Local texts={p.distinction.practiceTitle} />
                    </strong>
                  </p>
                ) : null}
                {p.distinction && Object.keys(p.distinction.justification).length ? (
                  <p className="muted">
                    <Local texts={p.distinction.justification} />
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
