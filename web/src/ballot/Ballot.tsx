// The juror's ballot, made for a phone: one nomination at a time with previous/next, progress that
// stays in view, the report collapsed to a summary, every mark explained, private notes, and a review
// of everything before casting. Cast is always reachable; when something is missing it says what.
import { create } from "@bufbuild/protobuf";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { useParams } from "react-router";
import { api, conflictDetail, listCategories, listCriteria } from "../shared/api";
import { ConfirmDialog, Deadline, ErrorNote, Loading, SaveIndicator, SignInNeeded, StageBadge, download, useMe } from "../shared/components";
import { formatInstant } from "../shared/format";
import { Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import {
  BallotConflictSchema,
  NominationCommentSchema,
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
import { useLocale, useT } from "../i18n";
import { Local, textIn } from "../shared/localized";
import { uuid } from "../shared/uuid";
import { completeness, nominationState, scoreKey, summary, type Marks, type NominationState } from "./ballotMath";
import { PracticeFacts } from "../report/ReportView";
import { AttachmentList } from "../report/Attachments";
import type { PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import { BlockHints, TranslationNotice, usePracticeReading, type Shown } from "../translation/TranslatedPractice";
import { narrativeField } from "../translation/translationMath";
import { usePracticeTranslations } from "../translation/usePracticeTranslations";

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
  return <Sheet {...loaded.data} />;
}

/** Draft is what the juror edits: marks and private notes. */
interface Draft {
  marks: Marks;
  notes: Map<string, string>;
}

function draftOf(b: Ballot): Draft {
  const marks: Marks = new Map();
  for (const s of b.scores) marks.set(scoreKey(s.nominationId, s.criterionId), s.value);
  return { marks, notes: new Map(b.comments.map((c) => [c.nominationId, c.text])) };
}

/** withoutRecused drops the marks of nominations the ballot says the juror no longer scores. */
function withoutRecused(d: Draft, b: Ballot): Draft {
  const recused = new Set(b.recusals.map((r) => r.nominationId));
  return { ...d, marks: new Map([...d.marks].filter(([k]) => !recused.has(k.split("/")[0]))) };
}

function Sheet(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; rule: TallyRule; nominations: BallotNomination[]; ballot: Ballot }) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, categories, criteria, rule } = props;
  const [nominations, setNominations] = useState(props.nominations);
  const [ballot, setBallot] = useState(props.ballot);
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.ballot));
  const [view, setView] = useState<"score" | "review">("score");
  const [castOpen, setCastOpen] = useState(false);
  const [castError, setCastError] = useState<unknown>();
  const [casting, setCasting] = useState(false);
  const [missingShown, setMissingShown] = useState(false);
  const [justCast, setJustCast] = useState(false);
  const [catsOpen, setCatsOpen] = useState(false);
  // The request id of the cast being attempted, with the ballot version it casts: a retry after a lost
  // answer reuses it (never a second cast); a different version gets a new one.
  const castRequest = useRef<{ version: bigint; id: string } | undefined>(undefined);
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const topRef = useRef<HTMLHeadingElement>(null);
  const open = edition.stage === Stage.JURY;
  // The reports in the juror's language, and the practices whose translation they had on screen: the
  // cast records those translations' versions (for the organisers; never in the log).
  const translations = usePracticeTranslations(edition.id, locale);
  const read = useRef(new Set<string>());
  const titleOf = (n: BallotNomination): Shown => {
    const tr = translations.byPractice.get(n.nomination!.practice?.id ?? "");
    const text = tr?.texts.find((x) => x.field === "title")?.text;
    return text ? { text, lang: tr!.language, fallback: false, outdated: false } : { text: n.nomination!.practice?.title ?? "", lang: "pl", fallback: false, outdated: false };
  };

  const rules = useMemo(() => new Map(rule.criteria.map((c) => [c.criterionId, c])), [rule]);
  const scoredCriteria = useMemo(() => criteria.filter((c) => rules.has(c.id)), [criteria, rules]);
  const recusals = useMemo(() => {
    const m = new Map<string, Recusal>();
    for (const n of nominations) if (n.recusal) m.set(n.nomination!.id, n.recusal);
    for (const r of ballot.recusals) m.set(r.nominationId, r);
    return m;
  }, [nominations, ballot.recusals]);
  // Nominations in category order, then as the server lists them: the order previous/next walk.
  const ordered = useMemo(() => {
    const num = new Map(categories.map((c) => [c.id, c.number]));
    return [...nominations].sort((a, b) => (num.get(a.nomination!.categoryId) ?? 0) - (num.get(b.nomination!.categoryId) ?? 0));
  }, [nominations, categories]);
  const usedCategories = categories.filter((c) => nominations.some((n) => n.nomination?.categoryId === c.id));
  const [index, setIndex] = useState(0);
  const currentNom = ordered[Math.min(index, ordered.length - 1)];
  const criterionIds = scoredCriteria.map((c) => c.id);
  const progress = completeness(
    ordered.map((n) => ({ id: n.nomination!.id, categoryId: n.nomination!.categoryId, recused: recusals.has(n.nomination!.id) })),
    criterionIds,
    draft.marks,
  );
  const stateOf = (n: BallotNomination): NominationState => nominationState(n.nomination!.id, recusals.get(n.nomination!.id), criterionIds, draft.marks);
  const missing = ordered.filter((n) => stateOf(n).kind === "missing");

  const auto = useVersionedAutosave<Draft, Ballot>({
    draft,
    version: props.ballot.version,
    enabled: open && !casting,
    delayMs: AUTOSAVE_MS,
    save: async (d, expectedVersion) => {
      const scores = [...d.marks].map(([k, value]) => {
        const [nominationId, criterionId] = k.split("/");
        return create(ScoreSchema, { nominationId, criterionId, value });
      });
      const comments = [...d.notes].filter(([, text]) => text.trim() !== "").map(([nominationId, text]) => create(NominationCommentSchema, { nominationId, text }));
      const res = await api.jury.saveBallot({ editionId: edition.id, expectedVersion, scores, comments });
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
    setDraft((d) => ({ ...d, marks: new Map(d.marks).set(scoreKey(nominationId, criterionId), value) }));
  }
  function note(nominationId: string, text: string) {
    auto.changed();
    setDraft((d) => ({ ...d, notes: new Map(d.notes).set(nominationId, text) }));
  }
  function go(i: number) {
    setView("score");
    setIndex(Math.max(0, Math.min(ordered.length - 1, i)));
    // The next nomination starts at its top, with focus there for keyboards and screen readers.
    requestAnimationFrame(() => topRef.current?.focus());
  }
  function review() {
    setView("review");
    requestAnimationFrame(() => document.getElementById("review-title")?.focus());
  }

  function askCast() {
    if (missing.length > 0) {
      setMissingShown(true);
      requestAnimationFrame(() => document.getElementById("cast-missing")?.focus());
      return;
    }
    setCastOpen(true);
  }
  async function cast() {
    setCastOpen(false);
    setCastError(undefined);
    setCasting(true);
    try {
      if (!(await auto.flush(() => draftRef.current))) return;
      const version = auto.version();
      if (castRequest.current?.version !== version) castRequest.current = { version, id: uuid() };
      const res = await api.jury.castBallot({
        editionId: edition.id,
        expectedVersion: version,
        requestId: castRequest.current.id,
        translationsRead: translations.reads(read.current),
      });
      castRequest.current = undefined;
      setBallot((b) => ({ ...b, lastCast: res.cast }));
      setJustCast(true);
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
    setDraft((d) => ({ ...d, marks: new Map([...d.marks].filter(([k]) => !k.startsWith(nominationId + "/"))) }));
    const b = await api.jury.getBallot({ editionId: edition.id });
    auto.serverChanged(b.ballot!.version);
    setBallot(b.ballot!);
  }

  const castIsCurrent = !!ballot.lastCast && ballot.lastCast.version === ballot.version && save.kind === "clean";

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

  if (ordered.length === 0) {
    return (
      <>
        <h1>{t("ballot.title")}</h1>
        <p>{t("ballot.nothing")}</p>
      </>
    );
  }
  const cat = categories.find((c) => c.id === currentNom.nomination!.categoryId);
  const inCategory = ordered.filter((n) => n.nomination!.categoryId === cat?.id);
  const catProgress = progress.byCategory.get(cat?.id ?? "") ?? { done: 0, total: 0 };
  const last = index >= ordered.length - 1;

  return (
    <div className="ballot-page" data-ballot-usable={open && !conflict ? "" : undefined}>
      <h1>
        {t("ballot.title")} <StageBadge stage={edition.stage} />
      </h1>
      <p>
        <Local texts={edition.names} />
      </p>
      <Deadline label={t("edition.juryDeadline")} at={edition.timeline?.juryDeadline} />
      {!open ? <p className="notice">{t("ballot.closed")}</p> : null}
      {save.kind === "failed" && !transient(save.error) ? <ErrorNote error={save.error} /> : null}
      {conflict ? (
        <section className="conflict" role="alert">
          <h2>{t("conflict.ballotTitle")}</h2>
          <p>{t("conflict.ballotExplain", { mine: draft.marks.size, theirs: conflict.scores.length })}</p>
          <p className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                const mine = withoutRecused(draft, conflict); // a recusal made elsewhere stands
                setBallot(conflict);
                setDraft(mine);
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
                setDraft(draftOf(theirs));
              }}
            >
              {t("conflict.takeTheirs")}
            </button>
          </p>
        </section>
      ) : null}

      {/* Where the juror is, what is saved and the way to casting stay in view while they scroll. */}
      <div className="ballot-bar">
        <div className="progress-line">
          <label htmlFor="ballot-progress">{t("ballot.progress", { done: progress.done, total: progress.total })}</label>
          <progress id="ballot-progress" max={Math.max(progress.total, 1)} value={progress.done} />
        </div>
        <div className="bar-row">
          {open ? <SaveIndicator state={save} /> : null}
          {view === "score" ? (
            <button type="button" className="primary" onClick={review}>
              {t("ballot.toReview")}
            </button>
          ) : (
            <button type="button" onClick={() => go(index)}>
              {t("ballot.backToScoring")}
            </button>
          )}
        </div>
      </div>

      {view === "score" ? (
        <div className="ballot">
          <nav className={"checklist" + (catsOpen ? " open" : "")} aria-label={t("ballot.categories")}>
            <button type="button" className="toggle" aria-expanded={catsOpen} onClick={() => setCatsOpen(!catsOpen)}>
              {t("ballot.categories")} {catsOpen ? "▴" : "▾"}
            </button>
            <ol>
              {usedCategories.map((c) => {
                const p = progress.byCategory.get(c.id) ?? { done: 0, total: 0 };
                const complete = p.done === p.total;
                return (
                  <li key={c.id}>
                    <button
                      type="button"
                      className={"check" + (complete ? " complete" : "")}
                      aria-current={c.id === cat?.id ? "true" : undefined}
                      onClick={() => {
                        setCatsOpen(false);
                        go(ordered.findIndex((n) => n.nomination!.categoryId === c.id));
                      }}
                    >
                      <span aria-hidden="true">{complete ? "✓" : "○"}</span> {c.number}. <Local texts={c.names} />{" "}
                      <span className="count">{t("ballot.categoryCount", { done: p.done, total: p.total })}</span>
                    </button>
                  </li>
                );
              })}
            </ol>
          </nav>
          <section className="nominations" aria-labelledby="current-nomination">
            <p className="where">
              {cat ? (
                <>
                  <span className="category-name">
                    {cat.number}. <Local texts={cat.names} />
                  </span>{" "}
                  <span className="count">
                    {t("ballot.position", { n: inCategory.indexOf(currentNom) + 1, of: inCategory.length })} ·{" "}
                    {t("ballot.categoryCount", { done: catProgress.done, total: catProgress.total })}
                  </span>
                </>
              ) : null}
            </p>
            <NominationCard
              key={currentNom.nomination!.id}
              headingRef={topRef}
              nomination={currentNom}
              recusal={recusals.get(currentNom.nomination!.id)}
              criteria={scoredCriteria}
              rules={rules}
              marks={draft.marks}
              note={draft.notes.get(currentNom.nomination!.id) ?? ""}
              translation={translations.byPractice.get(currentNom.nomination!.practice?.id ?? "")}
              lang={locale}
              onRead={(practiceId) => read.current.add(practiceId)}
              disabled={!open || !!conflict}
              onMark={mark}
              onNote={note}
              onRecuse={recuse}
            />
            <nav className="pager" aria-label={t("ballot.pager")}>
              <button type="button" disabled={index === 0} onClick={() => go(index - 1)}>
                ← {t("ballot.previous")}
              </button>
              <span className="count">{t("ballot.overall", { n: index + 1, of: ordered.length })}</span>
              {last ? (
                <button type="button" className="primary" onClick={review}>
                  {t("ballot.toReview")} →
                </button>
              ) : (
                <button type="button" className="primary" onClick={() => go(index + 1)}>
                  {t("ballot.next")} →
                </button>
              )}
            </nav>
          </section>
        </div>
      ) : (
        <Review ordered={ordered} categories={categories} criteria={scoredCriteria} stateOf={stateOf} marks={draft.marks} locale={locale} titleOf={titleOf} onOpen={(i) => go(i)} />
      )}

      <section className="cast" aria-labelledby="cast-title">
        <h2 id="cast-title">{t("ballot.castTitle")}</h2>
        {ballot.lastCast ? <Receipt cast={ballot.lastCast} edition={edition} current={castIsCurrent} focus={justCast} /> : <p>{t("ballot.notCast")}</p>}
        <ErrorNote error={castError} />
        {missingShown && missing.length > 0 ? (
          <div id="cast-missing" className="error" role="alert" tabIndex={-1}>
            <p>{t("ballot.castMissing", { count: missing.length })}</p>
            <ul>
              {missing.map((n) => (
                <li key={n.nomination!.id}>
                  <button type="button" className="link" onClick={() => go(ordered.indexOf(n))}>
                    <span lang={titleOf(n).lang}>{titleOf(n).text}</span> — {n.nomination!.city?.name}
                  </button>{" "}
                  {t("ballot.criteriaLeft", { count: (stateOf(n) as { left: number }).left })}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {open && !castIsCurrent ? (
          <p className="actions">
            <button type="button" className="primary" disabled={casting || !!conflict} onClick={askCast}>
              {ballot.lastCast ? t("ballot.castAgain") : t("ballot.cast")}
            </button>{" "}
            {missing.length > 0 ? <span className="hint">{t("ballot.castNeedsAll", { left: missing.length })}</span> : null}
          </p>
        ) : null}
      </section>
      <ConfirmDialog open={castOpen} title={t("ballot.castConfirmTitle")} confirmLabel={t("ballot.cast")} onConfirm={cast} onCancel={() => setCastOpen(false)}>
        <p>{t("ballot.castConfirmText", { count: progress.total })}</p>
        <p>{summary(ordered.map(stateOf), t)}</p>
      </ConfirmDialog>
    </div>
  );
}

/** Review lists every nomination with what the juror did with it, before casting. */
function Review(props: {
  ordered: BallotNomination[];
  categories: Category[];
  criteria: Criterion[];
  stateOf: (n: BallotNomination) => NominationState;
  marks: Marks;
  locale: ReturnType<typeof useLocale>["locale"];
  titleOf: (n: BallotNomination) => Shown;
  onOpen: (index: number) => void;
}) {
  const t = useT();
  const states = props.ordered.map(props.stateOf);
  return (
    <section className="review" aria-labelledby="review-title">
      <h2 id="review-title" tabIndex={-1}>
        {t("ballot.reviewTitle")}
      </h2>
      <p>{summary(states, t)}</p>
      <ol className="plain review-list">
        {props.ordered.map((n, i) => {
          const nom = n.nomination!;
          const cat = props.categories.find((c) => c.id === nom.categoryId);
          const s = states[i];
          return (
            <li key={nom.id} className={"card review-item " + s.kind}>
              <p className="muted">
                {cat?.number}. <Local texts={cat?.names} />
              </p>
              <p>
                <strong lang={props.titleOf(n).lang}>{props.titleOf(n).text}</strong> — {nom.city?.name}
              </p>
              <p className="state">
                {s.kind === "scored" ? (
                  <>
                    {t("ballot.state.scored")}:{" "}
                    {props.criteria.map((c, k) => (
                      <span key={c.id}>
                        {k > 0 ? " · " : ""}
                        {textIn(props.locale, c.names)} <strong>{props.marks.get(scoreKey(nom.id, c.id))}</strong>
                      </span>
                    ))}
                  </>
                ) : s.kind === "missing" ? (
                  <strong className="warn">{t("ballot.criteriaLeft", { count: s.left })}</strong>
                ) : (
                  t(`ballot.state.${s.kind}`)
                )}
              </p>
              <button type="button" className="link" onClick={() => props.onOpen(i)}>
                {s.kind === "missing" ? t("ballot.scoreIt") : t("ballot.change")}
                <span className="visually-hidden" lang={props.titleOf(n).lang}>
                  : {props.titleOf(n).text}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** Collapsed shows a long text's first lines with "read more". */
function Collapsed({ text, lang, className }: { text: string; lang?: string; className?: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const id = useId();
  const long = text.length > 320;
  return (
    <div className={className}>
      <p id={id} className={"pre" + (long && !open ? " clamp" : "")} lang={lang}>
        {text}
      </p>
      {long ? (
        <button type="button" className="link" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
          {open ? t("ballot.readLess") : t("ballot.readMore")}
        </button>
      ) : null}
    </div>
  );
}

function NominationCard(props: {
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  nomination: BallotNomination;
  recusal: Recusal | undefined;
  criteria: Criterion[];
  rules: Map<string, CriterionRule>;
  marks: Marks;
  note: string;
  translation: PracticeTranslation | undefined;
  lang: string;
  onRead: (practiceId: string) => void;
  disabled: boolean;
  onMark: (nominationId: string, criterionId: string, value: number) => void;
  onNote: (nominationId: string, text: string) => void;
  onRecuse: (nominationId: string, kind: "conflict" | "abstain", reason: string) => Promise<void>;
}) {
  const t = useT();
  const { locale } = useLocale();
  const n = props.nomination.nomination!;
  const p = n.practice!;
  const [recusing, setRecusing] = useState<"conflict" | "abstain" | undefined>();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const reasonId = useId();
  const noteId = useId();
  const r = props.recusal;
  const reading = usePracticeReading(p, props.translation, props.lang);
  const { onRead } = props;
  const translationShown = reading.translatable && !reading.showOriginal;
  useEffect(() => {
    if (translationShown) onRead(p.id);
  }, [translationShown, onRead, p.id]);
  const title = reading.shown("title") ?? { text: p.title, lang: "pl", fallback: false, outdated: false };
  const description = reading.shown("description");
  return (
    <article className={"card nomination" + (r ? " recused" : "")} aria-labelledby="current-nomination" data-testid="nomination">
      <h3 id="current-nomination" ref={props.headingRef} tabIndex={-1}>
        <span lang={title.lang}>{title.text}</span> <span className="muted">— {n.city?.name}</span>
      </h3>
      <TranslationNotice reading={reading} lang={props.lang} translation={props.translation} />
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
        {description ? (
          <>
            <Collapsed text={description.text} lang={description.lang} />
            <BlockHints shown={description} />
          </>
        ) : null}
        <details>
          <summary>{t("ballot.facts")}</summary>
          <dl lang="pl">
            <PracticeFacts practice={p} files={false} />
          </dl>
        </details>
        {p.attachments.length ? (
          <section className="ballot-files" aria-label={t("attachment.title")}>
            <h4>{t("attachment.title")}</h4>
            <AttachmentList attachments={p.attachments} />
          </section>
        ) : null}
      </div>
      {r
        ? null
        : props.criteria.map((c) => {
            const rule = props.rules.get(c.id)!;
            const narrative = reading.shown(narrativeField(c.id));
            return (
              <div className="criterion" key={c.id}>
                <div className="narrative">
                  <h4>
                    <Local texts={c.names} />
                  </h4>
                  {Object.keys(c.descriptions).length ? (
                    <p className="hint guidance">
                      <Local texts={c.descriptions} />
                    </p>
                  ) : null}
                  {rule.nonRanking ? <p className="hint">{t("ballot.nonRanking")}</p> : null}
                  {narrative ? (
                    <>
                      <Collapsed text={narrative.text} lang={narrative.lang} />
                      <BlockHints shown={narrative} />
                    </>
                  ) : (
                    <p className="muted">{t("ballot.noNarrative")}</p>
                  )}
                </div>
                <ScoreControl
                  legend={t("ballot.scoreFor", { criterion: textIn(locale, c.names), practice: title.text })}
                  name={`${n.id}/${c.id}`}
                  rule={rule}
                  value={props.marks.get(scoreKey(n.id, c.id))}
                  disabled={props.disabled}
                  onChange={(v) => props.onMark(n.id, c.id, v)}
                />
              </div>
            );
          })}
      <div className="field note">
        <label htmlFor={noteId}>{t("ballot.note")}</label>
        <p className="hint">{t("ballot.noteHint")}</p>
        <textarea id={noteId} rows={2} maxLength={5000} value={props.note} disabled={props.disabled} onChange={(e) => props.onNote(n.id, e.target.value)} />
      </div>
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

/** ScoreControl is a radio group: Tab reaches it, arrow keys choose, every value shows what it means. */
function ScoreControl(props: { legend: string; name: string; rule: CriterionRule; value: number | undefined; disabled: boolean; onChange: (v: number) => void }) {
  const values: number[] = [];
  for (let v = props.rule.minScore; v <= props.rule.maxScore; v++) values.push(v);
  const label = (v: number): ReactNode => {
    const l = props.rule.labels.find((x) => x.value === v);
    return l ? <Local texts={l.text} /> : null;
  };
  return (
    <fieldset className="score" disabled={props.disabled}>
      <legend className="visually-hidden">{props.legend}</legend>
      {values.map((v) => (
        <label key={v} className={props.value === v ? "chosen" : ""}>
          <input type="radio" name={props.name} value={v} checked={props.value === v} onChange={() => props.onChange(v)} />
          <span className="value">{v}</span>
          <span className="score-label">{label(v)}</span>
        </label>
      ))}
    </fieldset>
  );
}

function Receipt({ cast, edition, current, focus }: { cast: BallotCast; edition: Edition; current: boolean; focus: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Right after casting, focus lands on the receipt: what the juror keeps, read first.
    if (focus) ref.current?.focus();
  }, [focus, cast.castTime]);
  const receipt = {
    ballot_hash: cast.receipt?.ballotHash ?? "",
    leaf_index: (cast.receipt?.leafIndex ?? -1n) >= 0n ? String(cast.receipt!.leafIndex) : "",
  };
  // What the juror keeps, in their language: what it is, what it proves and where to check it.
  const text = [
    t("receipt.fileTitle", { edition: textIn(locale, edition.names) || edition.name }),
    "",
    `${t("receipt.hash")}: ${receipt.ballot_hash}`,
    `${t("receipt.time")}: ${cast.castTime ? formatInstant(cast.castTime, locale) : ""}`,
    `${t("receipt.leaf")}: ${receipt.leaf_index || t("receipt.leafPending")}`,
    "",
    t("receipt.explain"),
    t("receipt.mailed"),
    t("receipt.checkAt", { url: `${location.origin}/results/${edition.year}` }),
    "",
  ].join("\n");
  return (
    <div className="receipt" data-testid="receipt" ref={ref} tabIndex={-1}>
      <p role="status">{current ? t("ballot.castDone", { time: formatInstant(cast.castTime, locale) }) : t("ballot.castStale")}</p>
      <dl>
        <dt>{t("receipt.hash")}</dt>
        <dd>
          <code data-testid="receipt-hash">{receipt.ballot_hash}</code>
        </dd>
        <dt>{t("receipt.leaf")}</dt>
        <dd>{receipt.leaf_index ? <code data-testid="receipt-leaf">{receipt.leaf_index}</code> : <span className="muted">{t("receipt.leafPending")}</span>}</dd>
      </dl>
      <p className="hint">{t("receipt.explain")}</p>
      <p className="hint">{t("receipt.mailed")}</p>
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
        <button type="button" onClick={() => download(`receipt-${edition.year}.txt`, text, "text/plain;charset=utf-8")}>
          {t("receipt.download")}
        </button>
        <span role="status">{copied ? t("receipt.copied") : ""}</span>
      </p>
    </div>
  );
}
