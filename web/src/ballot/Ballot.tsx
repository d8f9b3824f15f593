import { create } from "@bufbuild/protobuf";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { api, conflictDetail, listCategories, listCriteria } from "../shared/api";
import {
  ConfirmDialog,
  Deadline,
  ErrorNote,
  Loading,
  SaveIndicator,
  SignInNeeded,
  StageBadge,
  download,
  useMe,
} from "../shared/components";
import { formatInstant } from "../shared/format";
import { Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import {
  BallotConflictSchema,
  RecusalKind,
  ScoreSchema,
  type Ballot,
  type BallotCast,
  type BallotNomination,
  type Recusal,
} from "../gen/miasta/v1/jury_pb.js";
import type { CriterionRule, TallyRule } from "../gen/miasta/v1/results_pb.js";
import { transient, useVersionedAutosave } from "../shared/autosave";
import { allPages, useLoad } from "../shared/hooks";
import { localName, useLocale, useT } from "../i18n";
import { uuid } from "../shared/uuid";
import { completeness, scoreKey, type Marks } from "./ballotMath";
import { PracticeFacts } from "../report/ReportView";

const AUTOSAVE_MS = 800;

/** BallotPage is the juror's scoring sheet for one edition. */
export function BallotPage() {
  const { editionId = "" } = useParams();
  const { signedIn, loading: meLoading } = useMe();
  const loaded = useLoad(async () => {
    const [e, cats, crits, rule, noms, ballot] = await Promise.all([
      api.editions.getEdition({ editionId }),
      listCategories(editionId),
      listCriteria(editionId),
      api.results.getTallyRule({ editionId }),
      allPages(async (pageToken) => {
        const r = await api.jury.listBallotNominations({ editionId, pageSize: 100, pageToken });
        return { items: r.nominations, next: r.nextPageToken };
      }),
      api.jury.getBallot({ editionId }),
    ]);
    return {
      edition: e.edition!,
      categories: cats,
      criteria: crits,
      rule: rule.rule!,
      nominations: noms,
      ballot: ballot.ballot!,
    };
  }, [editionId]);
  if (!meLoading && !signedIn) return <SignInNeeded />;
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return <Sheet {...loaded.data} reload={loaded.reload} />;
}

/** withoutRecused drops the marks of nominations the ballot says the juror no longer scores. */
function withoutRecused(m: Marks, b: Ballot): Marks {
  const recused = new Set(b.recusals.map((r) => r.nominationId));
  return new Map([...m].filter(([k]) => !recused.has(k.split("/")[0])));
}

function marksOf(b: Ballot): Marks {
  const m: Marks = new Map();
  for (const s of b.scores) m.set(scoreKey(s.nominationId, s.criterionId), s.value);
  return m;
}

function Sheet(props: {
  edition: Edition;
  categories: Category[];
  criteria: Criterion[];
  rule: TallyRule;
  nominations: BallotNomination[];
  ballot: Ballot;
  reload: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, categories, criteria, rule } = props;
  const [nominations, setNominations] = useState(props.nominations);
  const [ballot, setBallot] = useState(props.ballot);
  const [marks, setMarks] = useState<Marks>(() => marksOf(props.ballot));
  const [castOpen, setCastOpen] = useState(false);
  const [castError, setCastError] = useState<unknown>();
  const [casting, setCasting] = useState(false);
  // The request id of the cast being attempted, with the ballot version it casts: a retry after a lost
  // answer reuses it (never a second cast); a different version gets a new one.
  const castRequest = useRef<{ version: bigint; id: string } | undefined>(undefined);
  const marksRef = useRef(marks);
  marksRef.current = marks;
  const open = edition.stage === Stage.JURY;

  const rules = useMemo(() => new Map(rule.criteria.map((c) => [c.criterionId, c])), [rule]);
  const scoredCriteria = useMemo(() => criteria.filter((c) => rules.has(c.id)), [criteria, rules]);
  const recusals = useMemo(() => {
    const m = new Map<string, Recusal>();
    for (const n of nominations) if (n.recusal) m.set(n.nomination!.id, n.recusal);
    for (const r of ballot.recusals) m.set(r.nominationId, r);
    return m;
  }, [nominations, ballot.recusals]);
  const usedCategories = categories.filter((c) => nominations.some((n) => n.nomination?.categoryId === c.id));
  const [current, setCurrent] = useState(usedCategories[0]?.id ?? "");
  const progress = completeness(
    nominations.map((n) => ({ id: n.nomination!.id, categoryId: n.nomination!.categoryId, recused: recusals.has(n.nomination!.id) })),
    scoredCriteria.map((c) => c.id),
    marks,
  );

  const auto = useVersionedAutosave<Marks, Ballot>({
    draft: marks,
    version: props.ballot.version,
    enabled: open && !casting,
    delayMs: AUTOSAVE_MS,
    save: async (m, expectedVersion) => {
      const scores = [...m].map(([k, value]) => {
        const [nominationId, criterionId] = k.split("/");
        return create(ScoreSchema, { nominationId, criterionId, value });
      });
      const res = await api.jury.saveBallot({ editionId: edition.id, expectedVersion, scores, comments: ballot.comments });
      return res.ballot!;
    },
    versionOf: (b) => b.version,
    conflictOf: (err) => conflictDetail(err, BallotConflictSchema)?.current,
    onSaved: (saved) => setBallot(saved),
  });
  const save = auto.state;
  const conflict = auto.conflict;

  function mark(nominationId: string, criterionId: string, value: number) {
    auto.changed();
    setMarks((m) => new Map(m).set(scoreKey(nominationId, criterionId), value));
  }

  async function cast() {
    setCastOpen(false);
    setCastError(undefined);
    setCasting(true);
    try {
      if (!(await auto.flush(() => marksRef.current))) return;
      const version = auto.version();
      if (castRequest.current?.version !== version) castRequest.current = { version, id: uuid() };
      const res = await api.jury.castBallot({ editionId: edition.id, expectedVersion: version, requestId: castRequest.current.id });
      castRequest.current = undefined;
      setBallot((b) => ({ ...b, lastCast: res.cast }));
    } catch (err) {
      setCastError(err);
    } finally {
      setCasting(false);
    }
  }

  async function recuse(nominationId: string, kind: "conflict" | "abstain", reason: string) {
    const req = { editionId: edition.id, nominationId, reason };
    const res = kind === "conflict" ? await api.jury.declareConflict(req) : await api.jury.abstain(req);
    const r = res.recusal!;
    setNominations((ns) => ns.map((n) => (n.nomination?.id === nominationId ? { ...n, recusal: r } : n)));
    setMarks((m) => {
      const out = new Map(m);
      for (const k of m.keys()) if (k.startsWith(nominationId + "/")) out.delete(k);
      return out;
    });
    const b = await api.jury.getBallot({ editionId: edition.id });
    auto.serverChanged(b.ballot!.version);
    setBallot(b.ballot!);
  }

  const castIsCurrent = ballot.lastCast && ballot.lastCast.version === ballot.version && save.kind === "clean";

  // A fresh receipt's position in the log is known once the log integrates the cast, about a second on.
  const pendingLeaf = (ballot.lastCast?.receipt?.leafIndex ?? 0n) < 0n;
  useEffect(() => {
    if (!pendingLeaf) return;
    let tries = 0;
    const id = setInterval(async () => {
      if (++tries > 30) return clearInterval(id);
      try {
        const b = (await api.jury.getBallot({ editionId: edition.id })).ballot;
        if (b?.lastCast && (b.lastCast.receipt?.leafIndex ?? -1n) >= 0n) {
          setBallot((cur) => ({ ...cur, lastCast: b.lastCast }));
        }
      } catch {
        // The next tick tries again; the receipt's hash is already final.
      }
    }, 1000);
    return () => clearInterval(id);
  }, [pendingLeaf, edition.id]);
  const shown = nominations.filter((n) => n.nomination?.categoryId === current);
  const currentCategory = categories.find((c) => c.id === current);

  return (
    <>
      <h1>
        {t("ballot.title")} <StageBadge stage={edition.stage} />
      </h1>
      <p>{edition.name}</p>
      <Deadline label={t("edition.juryDeadline")} at={edition.timeline?.juryDeadline} />
      {!open ? <p className="notice">{t("ballot.closed")}</p> : <SaveIndicator state={save} />}
      {save.kind === "failed" && !transient(save.error) ? <ErrorNote error={save.error} /> : null}
      {conflict ? (
        <section className="conflict" role="alert">
          <h2>{t("conflict.ballotTitle")}</h2>
          <p>{t("conflict.ballotExplain", { mine: marks.size, theirs: conflict.scores.length })}</p>
          <p className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                const mine = withoutRecused(marks, conflict); // a recusal made elsewhere stands
                setBallot(conflict);
                setMarks(mine);
                auto.keepMine(mine);
              }}
            >
              {t("conflict.keepMine")}
            </button>
            <button
              type="button"
              onClick={() => {
                const theirs = auto.takeTheirs();
                if (!theirs) return;
                setBallot(theirs);
                setMarks(marksOf(theirs));
              }}
            >
              {t("conflict.takeTheirs")}
            </button>
          </p>
        </section>
      ) : null}

      <div className="progress-line">
        <label htmlFor="ballot-progress">
          {t("ballot.progress", { done: progress.done, total: progress.total })}
        </label>
        <progress id="ballot-progress" max={Math.max(progress.total, 1)} value={progress.done} />
      </div>

      <div className="ballot">
        <nav className="checklist" aria-label={t("ballot.categories")}>
          <h2>{t("ballot.categories")}</h2>
          <ol>
            {usedCategories.map((c) => {
              const p = progress.byCategory.get(c.id) ?? { done: 0, total: 0 };
              const complete = p.done === p.total;
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    className={"check" + (complete ? " complete" : "")}
                    aria-current={c.id === current ? "true" : undefined}
                    onClick={() => setCurrent(c.id)}
                  >
                    <span aria-hidden="true">{complete ? "✓" : "○"}</span> {c.number}. {localName(locale, c.namePl, c.nameEn)}{" "}
                    <span className="count">{t("ballot.categoryCount", { done: p.done, total: p.total })}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
        <section className="nominations" aria-labelledby="current-category">
          <h2 id="current-category">
            {currentCategory ? `${currentCategory.number}. ${localName(locale, currentCategory.namePl, currentCategory.nameEn)}` : ""}
          </h2>
          {shown.map((n) => (
            <NominationCard
              key={n.nomination!.id}
              nomination={n}
              recusal={recusals.get(n.nomination!.id)}
              criteria={scoredCriteria}
              rules={rules}
              marks={marks}
              disabled={!open || !!conflict}
              onMark={mark}
              onRecuse={recuse}
            />
          ))}
        </section>
      </div>

      <section className="cast" aria-labelledby="cast-title">
        <h2 id="cast-title">{t("ballot.castTitle")}</h2>
        {ballot.lastCast ? (
          <Receipt cast={ballot.lastCast} edition={edition} current={!!castIsCurrent} />
        ) : (
          <p>{t("ballot.notCast")}</p>
        )}
        <ErrorNote error={castError} />
        {open && !castIsCurrent ? (
          <p className="actions">
            <button
              type="button"
              className="primary"
              disabled={casting || !!conflict || progress.done < progress.total}
              onClick={() => setCastOpen(true)}
            >
              {ballot.lastCast ? t("ballot.castAgain") : t("ballot.cast")}
            </button>{" "}
            {progress.done < progress.total ? <span className="hint">{t("ballot.castNeedsAll", { left: progress.total - progress.done })}</span> : null}
          </p>
        ) : null}
      </section>
      <ConfirmDialog
        open={castOpen}
        title={t("ballot.castConfirmTitle")}
        confirmLabel={t("ballot.cast")}
        onConfirm={cast}
        onCancel={() => setCastOpen(false)}
      >
        <p>{t("ballot.castConfirmText", { count: progress.total })}</p>
      </ConfirmDialog>
    </>
  );
}

function NominationCard(props: {
  nomination: BallotNomination;
  recusal: Recusal | undefined;
  criteria: Criterion[];
  rules: Map<string, CriterionRule>;
  marks: Marks;
  disabled: boolean;
  onMark: (nominationId: string, criterionId: string, value: number) => void;
  onRecuse: (nominationId: string, kind: "conflict" | "abstain", reason: string) => Promise<void>;
}) {
  const t = useT();
  const { locale } = useLocale();
  const n = props.nomination.nomination!;
  const p = n.practice!;
  const headingId = useId();
  const [recusing, setRecusing] = useState<"conflict" | "abstain" | undefined>();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const reasonId = useId();
  const r = props.recusal;
  return (
    <article className={"card nomination" + (r ? " recused" : "")} aria-labelledby={headingId} data-testid="nomination">
      <h3 id={headingId}>
        {p.title} <span className="muted">— {n.city?.name}</span>
      </h3>
      {r ? (
        <p className="recusal" role="note">
          <strong>{t("recusal.label")}</strong>{" "}
          {r.kind === RecusalKind.HOME_CITY
            ? t("recusal.homeCity", { city: n.city?.name ?? "" })
            : r.kind === RecusalKind.DECLARED
              ? t("recusal.declared", { reason: r.reason })
              : t("recusal.abstained", { reason: r.reason })}
        </p>
      ) : null}
      <div className="report-text">
        <p className="pre">{p.description}</p>
        <dl>
          <PracticeFacts practice={p} />
        </dl>
      </div>
      {r
        ? null
        : props.criteria.map((c) => {
            const rule = props.rules.get(c.id)!;
            const narrative = p.narratives.find((x) => x.criterionId === c.id)?.text;
            return (
              <div className="criterion" key={c.id}>
                <div className="narrative">
                  <h4>{localName(locale, c.namePl, c.nameEn)}</h4>
                  {rule.nonRanking ? <p className="hint">{t("ballot.nonRanking")}</p> : null}
                  <p className="pre">{narrative || t("ballot.noNarrative")}</p>
                </div>
                <ScoreControl
                  legend={t("ballot.scoreFor", { criterion: localName(locale, c.namePl, c.nameEn), practice: p.title })}
                  name={`${n.id}/${c.id}`}
                  rule={rule}
                  value={props.marks.get(scoreKey(n.id, c.id))}
                  disabled={props.disabled}
                  onChange={(v) => props.onMark(n.id, c.id, v)}
                />
              </div>
            );
          })}
      {!r && !props.disabled ? (
        recusing ? (
          <div className="recuse-form">
            <label htmlFor={reasonId}>{recusing === "conflict" ? t("recusal.conflictReason") : t("recusal.abstainReason")}</label>
            {/* The form opens on the juror's request, so focus goes to where they type. */}
            <textarea id={reasonId} value={reason} rows={2} autoFocus onChange={(e) => setReason(e.target.value)} />
            <ErrorNote error={error} />
            <p className="actions">
              <button type="button" onClick={() => setRecusing(undefined)}>
                {t("common.cancel")}
              </button>
              <button
                type="button"
                className="primary"
                disabled={!reason.trim()}
                onClick={() =>
                  props.onRecuse(n.id, recusing, reason.trim()).then(
                    () => setRecusing(undefined),
                    (err: unknown) => setError(err),
                  )
                }
              >
                {recusing === "conflict" ? t("recusal.declareConfirm") : t("recusal.abstainConfirm")}
              </button>
            </p>
          </div>
        ) : (
          <p className="actions secondary">
            <button type="button" className="link" onClick={() => setRecusing("conflict")}>
              {t("recusal.declare")}
            </button>
            <button type="button" className="link" onClick={() => setRecusing("abstain")}>
              {t("recusal.abstain")}
            </button>
          </p>
        )
      ) : null}
    </article>
  );
}

/** ScoreControl is a radio group: Tab reaches it, arrow keys choose, every value has a visible label. */
function ScoreControl(props: {
  legend: string;
  name: string;
  rule: CriterionRule;
  value: number | undefined;
  disabled: boolean;
  onChange: (v: number) => void;
}) {
  const { locale } = useLocale();
  const values: number[] = [];
  for (let v = props.rule.minScore; v <= props.rule.maxScore; v++) values.push(v);
  const label = (v: number) => {
    const l = props.rule.labels.find((x) => x.value === v);
    return l ? localName(locale, l.labelPl, l.labelEn) : "";
  };
  return (
    <fieldset className="score" disabled={props.disabled}>
      <legend className="visually-hidden">{props.legend}</legend>
      {values.map((v) => (
        <label key={v} className={props.value === v ? "chosen" : ""}>
          <input type="radio" name={props.name} value={v} checked={props.value === v} onChange={() => props.onChange(v)} />
          <span className="value">{v}</span>
          {label(v) ? <span className="score-label">{label(v)}</span> : null}
        </label>
      ))}
    </fieldset>
  );
}

function Receipt({ cast, edition, current }: { cast: BallotCast; edition: Edition; current: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const [copied, setCopied] = useState(false);
  const receipt = {
    edition: edition.name,
    year: edition.year,
    ballot_hash: cast.receipt?.ballotHash ?? "",
    leaf_index: (cast.receipt?.leafIndex ?? -1n) >= 0n ? String(cast.receipt!.leafIndex) : "",
    cast_time: cast.castTime ? formatInstant(cast.castTime, "en") : "",
  };
  const text = JSON.stringify(receipt, null, 2);
  return (
    <div className="receipt" data-testid="receipt">
      <p role="status">{current ? t("ballot.castDone", { time: formatInstant(cast.castTime, locale) }) : t("ballot.castStale")}</p>
      <dl>
        <dt>{t("receipt.hash")}</dt>
        <dd>
          <code data-testid="receipt-hash">{receipt.ballot_hash}</code>
        </dd>
        <dt>{t("receipt.leaf")}</dt>
        <dd>
          {receipt.leaf_index ? <code data-testid="receipt-leaf">{receipt.leaf_index}</code> : <span className="muted">{t("receipt.leafPending")}</span>}
        </dd>
      </dl>
      <p className="hint">{t("receipt.explain")}</p>
      <p className="actions">
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {t("receipt.copy")}
        </button>
        <button type="button" onClick={() => download(`receipt-${edition.year}.json`, text, "application/json")}>
          {t("receipt.download")}
        </button>
        <span role="status">{copied ? t("receipt.copied") : ""}</span>
      </p>
    </div>
  );
}
