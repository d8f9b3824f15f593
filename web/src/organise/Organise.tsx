import { Link, useParams, useSearchParams } from "react-router";
import { api, listCategories, listCriteria } from "../shared/api";
import { ErrorNote, Loading, SignInNeeded, StageBadge, stageName, useMe } from "../shared/components";
import { BallotPublication, Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { Role } from "../gen/miasta/v1/identity_pb.js";
import { useLoad } from "../shared/hooks";
import { useT, type MessageId } from "../i18n";
import { DashboardView, MessageRole, sectionLink } from "./Dashboard";
import { SECTIONS, sectionOf } from "./dashboardMath";
import { Deliberation } from "./Deliberation";
import { LicenceEditor } from "./Licence";
import { MailPanel } from "./Mail";
import { MailWording } from "./MailWording";
import { People } from "./People";
import { JuryProgress } from "./Progress";
import { Reports, Shortlist, useReportStatuses } from "./Reports";
import { RuleEditor } from "./Rule";
import { Setup } from "./Setup";
import { STAGES, StageControl, TimelineEditor } from "./Stage";
import { TallyReview } from "./Tally";
import { Timeline } from "./Timeline";
import { TextsEditor } from "./Texts";
import { TranslationExchange } from "./Translations";

/** OrganisePage is the edition's control room: a dashboard to land on, and a section per task. */
export function OrganisePage() {
  const { editionId = "" } = useParams();
  const t = useT();
  const { me, signedIn, loading: meLoading } = useMe();
  const loaded = useLoad(async () => {
    const [e, cats, crits] = await Promise.all([
      api.editions.getEdition({ editionId }),
      listCategories(editionId),
      listCriteria(editionId),
    ]);
    return { edition: e.edition!, categories: cats, criteria: crits };
  }, [editionId]);
  if (!meLoading && !signedIn) return <SignInNeeded />;
  // An edition's own organisers and observers have this page too (an observer only reads).
  const role = me?.assignments.find((a) => a.editionId === editionId && (a.role === Role.ORGANISER || a.role === Role.OBSERVER))?.role;
  if (!meLoading && me && !me.organiser && role === undefined) return <p className="error">{t("organise.notOrganiser")}</p>;
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return (
    <>
      {!me?.organiser && role === Role.OBSERVER ? (
        <p className="notice" role="status">
          {t("organise.observerNote")}
        </p>
      ) : null}
      <ControlRoom {...loaded.data} reload={loaded.reload} />
    </>
  );
}

function ControlRoom(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; reload: () => void }) {
  const t = useT();
  const { edition, categories, criteria } = props;
  const [params] = useSearchParams();
  const section = sectionOf(params);
  const statuses = useReportStatuses(edition);
  // One dashboard for the whole page: the landing view's figures and the stage control's warnings.
  const dashboard = useLoad(
    async () => (await api.editions.getEditionDashboard({ editionId: edition.id })).dashboard!,
    [edition.id, edition.stage, edition.updateTime?.seconds, section],
  );
  const s = edition.stage;
  const changed = () => {
    props.reload();
    dashboard.reload();
  };
  return (
    <>
      <h1>
        {edition.name} <StageBadge stage={s} />
      </h1>
      <ol className="stepper" aria-label={t("organise.stages")}>
        {STAGES.map((st) => (
          <li key={st} aria-current={st === s ? "step" : undefined} className={st < s ? "done" : st === s ? "current" : ""}>
            {stageName(t, st)}
          </li>
        ))}
      </ol>
      <nav className="tabs" aria-label={t("organise.sections")}>
        {SECTIONS.map((x) => (
          <Link key={x} to={sectionLink(x)} aria-current={x === section ? "page" : undefined}>
            {t(("organise.section." + x) as MessageId)}
          </Link>
        ))}
      </nav>
      <StageControl edition={edition} warnings={dashboard.data?.warnings ?? []} onChanged={changed} />
      {section === "dashboard" ? <DashboardView edition={edition} dashboard={dashboard} /> : null}
      {section === "setup" ? (
        <>
          <p>
            <strong>{t("edition.publication")}:</strong>{" "}
            {t(`setup.publication.${BallotPublication[edition.ballotPublication]}` as MessageId)}
          </p>
          <TimelineEditor edition={edition} onSaved={changed} />
          {s <= Stage.REPORTING ? <Setup edition={edition} categories={categories} criteria={criteria} onChanged={changed} /> : null}
          <TextsEditor edition={edition} categories={categories} criteria={criteria} onChanged={changed} />
          <RuleEditor edition={edition} criteria={criteria} />
          <LicenceEditor edition={edition} onSaved={changed} />
        </>
      ) : null}
      {section === "reports" ? (
        <>
          <Reports edition={edition} categories={categories} criteria={criteria} statuses={statuses} />
          {s >= Stage.REVIEW && statuses.data && !params.get("city") ? <Shortlist edition={edition} categories={categories} statuses={statuses.data} /> : null}
          {s >= Stage.REPORTING && !params.get("city") ? <TranslationExchange edition={edition} /> : null}
        </>
      ) : null}
      {section === "people" ? (
        <>
          <People edition={edition} />
          {s > Stage.DRAFT ? <MessageRole edition={edition} /> : null}
        </>
      ) : null}
      {section === "jury" ? (
        <>
          {s >= Stage.JURY ? <JuryProgress edition={edition} categories={categories} /> : <p className="hint">{t("organise.juryNotOpen")}</p>}
          {s >= Stage.TALLIED ? <TallyReview edition={edition} categories={categories} /> : null}
          {s >= Stage.TALLIED ? <Deliberation edition={edition} categories={categories} onChanged={changed} /> : null}
        </>
      ) : null}
      {section === "mail" ? (
        <>
          <MailPanel edition={edition} />
          <MailWording edition={edition} />
        </>
      ) : null}
      {section === "log" ? <Timeline edition={edition} /> : null}
      {s === Stage.ANNOUNCED ? (
        <p>
          <Link to={`/results/${edition.year}`}>{t("home.results")}</Link>
        </p>
      ) : null}
    </>
  );
}
