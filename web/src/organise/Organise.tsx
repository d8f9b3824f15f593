import { Link, useParams } from "react-router";
import { api, listCategories, listCriteria } from "../shared/api";
import { Deadline, ErrorNote, Loading, SignInNeeded, StageBadge, stageName, useMe } from "../shared/components";
import { BallotPublication, Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { Role } from "../gen/miasta/v1/identity_pb.js";
import { useLoad } from "../shared/hooks";
import { useT, type MessageId } from "../i18n";
import { Deliberation } from "./Deliberation";
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

/** OrganisePage is the edition dashboard: stage, reports, shortlist, rule, jury progress, tally. */
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
      <Dashboard {...loaded.data} reload={loaded.reload} />
    </>
  );
}

function Dashboard(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; reload: () => void }) {
  const t = useT();
  const { edition, categories, criteria } = props;
  const statuses = useReportStatuses(edition);
  const s = edition.stage;
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
      <Deadline label={t("edition.reportingDeadline")} at={edition.timeline?.reportingDeadline} />
      <Deadline label={t("edition.juryDeadline")} at={edition.timeline?.juryDeadline} />
      <p>
        <strong>{t("edition.publication")}:</strong>{" "}
        {t(`setup.publication.${BallotPublication[edition.ballotPublication]}` as MessageId)}
      </p>
      <TimelineEditor edition={edition} onSaved={props.reload} />
      {s <= Stage.REPORTING ? <Setup edition={edition} categories={categories} criteria={criteria} onChanged={props.reload} /> : null}
      <TextsEditor edition={edition} categories={categories} criteria={criteria} onChanged={props.reload} />
      <StageControl edition={edition} onChanged={props.reload} />
      <Reports edition={edition} categories={categories} criteria={criteria} statuses={statuses} />
      <People edition={edition} />
      {s >= Stage.REPORTING ? <TranslationExchange edition={edition} /> : null}
      <MailPanel edition={edition} />
      <MailWording edition={edition} />
      {s >= Stage.REVIEW && statuses.data ? <Shortlist edition={edition} categories={categories} statuses={statuses.data} /> : null}
      <RuleEditor edition={edition} criteria={criteria} />
      {s >= Stage.JURY ? <JuryProgress edition={edition} categories={categories} /> : null}
      {s >= Stage.TALLIED ? <TallyReview edition={edition} categories={categories} /> : null}
      {s >= Stage.TALLIED ? <Deliberation edition={edition} categories={categories} onChanged={props.reload} /> : null}
      {s === Stage.ANNOUNCED ? (
        <p>
          <Link to={`/results/${edition.year}`}>{t("home.results")}</Link>
        </p>
      ) : null}
      <Timeline edition={edition} />
    </>
  );
}

