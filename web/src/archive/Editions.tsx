import { Link } from "react-router";
import { api } from "../shared/api";
import { DemonstrationNote, ErrorNote, Loading } from "../shared/components";
import { formatInstant } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { pick } from "../shared/localized";
import { useLocale, useT } from "../i18n";
import { useCategoryName, useTitle } from "./common";

/** EditionsPage is /results: every announced edition, newest first, with its distinctions. */
export function EditionsPage() {
  const t = useT();
  const { locale } = useLocale();
  const cat = useCategoryName();
  useTitle(t("archive.editionsTitle"));
  const loaded = useLoad(async () => {
    const [platform, past] = await Promise.all([api.archive.listPublicEditions({}), api.past.listPastEditions({})]);
    return { editions: platform.editions, past: past.editions };
  }, []);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const { editions, past } = loaded.data;
  return (
    <div className="archive">
      <header className="archive-hero">
        <p className="eyebrow">{t("archive.eyebrow")}</p>
        <h1>{t("archive.editionsTitle")}</h1>
        <p className="lead">{t("archive.editionsLead")}</p>
      </header>
      {editions.length === 0 && past.length === 0 ? <p>{t("archive.noEditions")}</p> : null}
      <ol className="edition-list" data-testid="editions">
        {editions.map((e) => (
          <li key={e.id} className="edition-card">
            <h2>
              <Link to={`/results/${e.year}`}>
                <span className="year">{e.year}</span> <span className="name">{pick(e.names, locale).text}</span>
              </Link>
              {e.demonstration ? (
                <>
                  {" "}
                  <DemonstrationNote inline />
                </>
              ) : null}
            </h2>
            <p className="muted">
              {t("archive.announcedOn", { time: formatInstant(e.announceTime, locale) })}
              {e.ceremonyTime ? " · " + t("archive.ceremonyOn", { time: formatInstant(e.ceremonyTime, locale) }) : null}
              {e.ceremonyPlace ? `, ${e.ceremonyPlace}` : null}
            </p>
            <dl className="stats">
              <div>
                <dt>{t("archive.statCities")}</dt>
                <dd>{e.cityCount}</dd>
              </div>
              <div>
                <dt>{t("archive.statCategories")}</dt>
                <dd>{e.categoryCount}</dd>
              </div>
              <div>
                <dt>{t("archive.statNominations")}</dt>
                <dd>{e.nominationCount}</dd>
              </div>
              <div>
                <dt>{t("archive.statDistinctions")}</dt>
                <dd>{e.distinctionCount}</dd>
              </div>
            </dl>
            {e.distinctions.length ? (
              <>
                <h3>{t("archive.distinctionsHeading")}</h3>
                <ul className="distinction-list">
                  {e.distinctions.map((d) => (
                    <li key={d.category!.id}>
                      <Link className="cat" to={`/results/${e.year}/category/${d.category!.number}`}>
                        {cat(d.category)}
                      </Link>
                      {d.practices.map((p) => (
                        <span key={p.practiceId} className="who">
                          <Link to={`/cities/${p.city!.id}`}>
                            <strong>{p.city!.name}</strong>
                          </Link>
                          {" — "}
                          <Link to={`/practices/${p.practiceId}`}>{p.title}</Link>
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <p>
              <Link className="button primary" to={`/results/${e.year}`}>
                {t("archive.openResults", { year: e.year })}
              </Link>
            </p>
          </li>
        ))}
      </ol>
      {past.length ? (
        <section aria-labelledby="past-editions">
          <h2 id="past-editions">{t("archive.pastEditions")}</h2>
          <p className="hint">{t("past.record")}</p>
          <ol className="edition-list" data-testid="past-editions">
            {past.map((e) => (
              <li key={e.year} className="edition-card">
                <h3>
                  <Link to={`/results/${e.year}`}>
                    <span className="year">{e.year}</span> <span className="name">{pick(e.name, locale).text}</span>
                  </Link>
                </h3>
                {e.ceremonyTime ? <p className="muted">{t("past.ceremony", { time: formatInstant(e.ceremonyTime, locale) })}</p> : null}
                <dl className="stats">
                  <div>
                    <dt>{t("past.expertCities")}</dt>
                    <dd>{e.expertCities.length}</dd>
                  </div>
                  <div>
                    <dt>{t("archive.statCategories")}</dt>
                    <dd>{e.categories.length}</dd>
                  </div>
                  <div>
                    <dt>{t("archive.statDistinctions")}</dt>
                    <dd>{e.distinctions.length}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
