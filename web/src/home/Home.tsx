import { lazy, Suspense } from "react";
import { Link } from "react-router";
import { api } from "../shared/api";
import { Deadline, DemonstrationNote, ErrorNote, Loading, StageBadge, loginHref, useMe } from "../shared/components";
import { Stage, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { Role } from "../gen/miasta/v1/identity_pb.js";
import { allPages, useLoad } from "../shared/hooks";
import { useLocale, useT } from "../i18n";

// Only organisers create editions: the form comes with the organiser's code, when it is shown.
const NewEdition = lazy(() => import("../organise/Setup").then((m) => ({ default: m.NewEdition })));

/** Home lists the editions and, for a signed-in person, what they can do in each. */
export function Home() {
  const t = useT();
  const { locale } = useLocale();
  const { me, signedIn, loading: meLoading } = useMe();
  const editions = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.editions.listEditions({ pageSize: 50, pageToken });
        return { items: r.editions, next: r.nextPageToken };
      }),
    [],
  );
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p className="lead">{t("home.intro")}</p>
      {!meLoading && !signedIn ? (
        <p>
          <a className="button primary" href={loginHref("/", locale)}>
            {t("nav.signIn")}
          </a>{" "}
          {t("home.signInWhy")}
        </p>
      ) : null}
      <ErrorNote error={editions.error} />
      {me?.organiser && editions.data ? (
        <Suspense fallback={null}>
          <NewEdition editions={editions.data} />
        </Suspense>
      ) : null}
      {editions.loading && !editions.data ? <Loading /> : null}
      {editions.data?.length === 0 ? <p>{t("home.noEditions")}</p> : null}
      <ul className="cards">
        {editions.data?.map((e) => (
          <li key={e.id} className="card">
            <EditionCard edition={e} organiser={!!me?.organiser} assignments={me?.assignments ?? []} />
          </li>
        ))}
      </ul>
    </>
  );
}

function EditionCard({
  edition: e,
  organiser,
  assignments,
}: {
  edition: Edition;
  organiser: boolean;
  assignments: NonNullable<ReturnType<typeof useMe>["me"]>["assignments"];
}) {
  const t = useT();
  const mine = assignments.filter((a) => a.editionId === e.id);
  // An edition's own organisers and observers open its organiser's page too.
  organiser = organiser || mine.some((a) => a.role === Role.ORGANISER || a.role === Role.OBSERVER);
  return (
    <>
      <h2>
        {e.name} <StageBadge stage={e.stage} /> {e.demonstration ? <DemonstrationNote inline /> : null}
      </h2>
      <Deadline label={t("edition.reportingDeadline")} at={e.timeline?.reportingDeadline} />
      <Deadline label={t("edition.juryDeadline")} at={e.timeline?.juryDeadline} />
      <ul className="actions-list">
        {organiser ? (
          <li>
            <Link to={`/editions/${e.id}/organise`}>{t("home.organise")}</Link>
          </li>
        ) : null}
        {organiser && e.stage >= Stage.REPORTING ? (
          <li>
            <Link to={`/translate/${e.id}`}>{t("home.translations")}</Link>
          </li>
        ) : null}
        {mine.map((a) =>
          a.role === Role.EXPERT && a.city ? (
            <li key={a.id}>
              <Link to={`/editions/${e.id}/report/${a.city.id}`}>{t("home.report", { city: a.city.name })}</Link>
            </li>
          ) : a.role === Role.JUROR ? (
            <li key={a.id}>
              <Link to={`/editions/${e.id}/ballot`}>{t("home.ballot")}</Link>
            </li>
          ) : a.role === Role.TRANSLATOR ? (
            <li key={a.id}>
              <Link to={`/translate/${e.id}`}>{t("home.translate")}</Link>
            </li>
          ) : null,
        )}
        {e.stage === Stage.ANNOUNCED ? (
          <li>
            <Link to={`/results/${e.year}`}>{t("home.results")}</Link>
          </li>
        ) : null}
      </ul>
    </>
  );
}
