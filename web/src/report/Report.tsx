import { textIn } from "../shared/localized";
import { create, toJson } from "@bufbuild/protobuf";
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { api, conflictDetail, listCategories, listCriteria } from "../shared/api";
import { ConfirmDialog, Deadline, ErrorNote, Loading, SaveIndicator, SignInNeeded, StageBadge, download, useMe, type SaveState } from "../shared/components";
import { formatInstant } from "../shared/format";
import { Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import {
  CriterionNarrativeSchema,
  FollowUpOutcome,
  FollowUpSchema,
  PracticeSchema,
  ReportConflictSchema,
  ReportStatus,
  type Attachment,
  type FieldProblem,
  type FollowUp,
  type Practice,
  type Report,
} from "../gen/miasta/v1/report_pb.js";
import { transient, useVersionedAutosave } from "../shared/autosave";
import { fill, useServerMessages } from "../shared/serverMessages";
import { codePoints, reportChanges, type Saved } from "./reportChanges";
import { History } from "./History";
import { AttachmentsEditor } from "./Attachments";
import { ReportPreview } from "./ReportPreview";
import { useLoad } from "../shared/hooks";
import { uuid } from "../shared/uuid";
import { clearDraft, draftKey, loadDraft, storeDraft, type LocalDraft } from "./localDraft";
import { differences } from "./reportDiff";
import { DiffTable } from "./DiffTable";
import { outcomeKeys } from "./outcomes";
import { reportStatusKey } from "./status";
import { useLocale, useT } from "../i18n";

/** Draft is what the expert edits: the report's text, without server-owned fields. */
interface Draft {
  introduction: string;
  practices: Practice[];
  followUps: FollowUp[];
  /** keys[i] names practices[i] for React for as long as it is on screen, before and after it has an id. */
  keys: string[];
}

function draftOf(r: { introduction: string; practices: Practice[]; followUps: FollowUp[] }): Draft {
  return { introduction: r.introduction, practices: r.practices, followUps: r.followUps, keys: r.practices.map(() => uuid()) };
}

const AUTOSAVE_MS = 1200;

/** What a report may hold to be submitted (internal/report/problems.go); a draft holds more, flagged. */
const LIMITS = { title: 300, long: 100_000, short: 2_000 } as const;

/** SaveResult is the server's copy after a save, and the ids it gave new practices, by key. */
interface SaveResult {
  report: Report;
  added: Map<string, string>;
}

/** ReportPage is the expert's editor for their city's report. */
export function ReportPage() {
  const { editionId = "", cityId = "" } = useParams();
  const { signedIn, loading: meLoading } = useMe();
  const loaded = useLoad(async () => {
    const [e, cats, crits, r] = await Promise.all([
      api.editions.getEdition({ editionId }),
      listCategories(editionId),
      listCriteria(editionId),
      api.reports.getReport({ editionId, cityId }),
    ]);
    return { edition: e.edition!, categories: cats, criteria: crits, report: r.report! };
  }, [editionId, cityId]);
  if (!meLoading && !signedIn) return <SignInNeeded />;
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data || meLoading) return <Loading />; // the local copy is keyed by who is signed in
  return <Editor key={loaded.data.report.id + cityId} {...loaded.data} />;
}

function Editor(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; report: Report }) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, categories, criteria } = props;
  const [report, setReport] = useState(props.report); // the server's latest copy
  const reportRef = useRef(report);
  reportRef.current = report;
  // The draft, and what the server holds as this page last sent it with its version (saves send the
  // difference): both made once, not on every render (draftOf makes a key per practice).
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.report));
  const [baseRef] = useState(() => ({ current: { version: props.report.version, saved: draft as Saved } }));
  const [confirmSubmit, setConfirmSubmit] = useState(false);
  // Removing a practice asks once, and can be undone until the next removal.
  const [removing, setRemoving] = useState<number>();
  const [removed, setRemoved] = useState<{ index: number; practice: Practice; key: string }>();
  const [actionError, setActionError] = useState<unknown>();
  const { me } = useMe();
  const storageKey = draftKey(me?.user?.id ?? "", edition.id, props.report.city?.id ?? "");
  const [offer, setOffer] = useState<LocalDraft | undefined>(() => {
    const local = loadDraft(window.localStorage, storageKey);
    return local && !sameText(local, props.report) ? local : undefined;
  });
  // The latest draft, for actions that run after awaiting a save.
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const [submitting, setSubmitting] = useState(false);
  // The report as the organisers and jurors read it, instead of the form.
  const [preview, setPreview] = useState(false);
  const addRef = useRef<HTMLButtonElement>(null);

  const editable =
    (report.status === ReportStatus.NOT_STARTED ||
      report.status === ReportStatus.DRAFT ||
      report.status === ReportStatus.RETURNED) &&
    (edition.stage === Stage.REPORTING || edition.stage === Stage.REVIEW);

  // Autosave: a quiet moment after the last change, one save at a time, against the version on
  // screen. A draft always saves, whatever it holds; what stops submitting is marked beside its field.
  // A save over the version the page last saved sends only the changes; one over another version (a
  // conflict resolved by keeping mine, a copy restored from this browser) sends the whole report.
  const auto = useVersionedAutosave<Draft, SaveResult>({
    draft,
    version: props.report.version,
    enabled: editable && !submitting,
    delayMs: AUTOSAVE_MS,
    save: async (d, expectedVersion) => {
      const base = baseRef.current;
      if (base.version === expectedVersion) {
        const changes = reportChanges(base.saved, d);
        if (changes.length === 0) return { report: reportRef.current, added: new Map() };
        const res = await api.reports.saveReport({ editionId: edition.id, cityId: report.city!.id, expectedVersion, changes: { changes } });
        return {
          report: {
            ...reportRef.current,
            version: res.version,
            problems: res.problems,
            updateTime: res.updateTime,
            // A first save makes the report a draft; a returned one stays returned until resubmitted.
            status: reportRef.current.status === ReportStatus.NOT_STARTED ? ReportStatus.DRAFT : reportRef.current.status,
          },
          added: new Map(res.added.map((a) => [a.key, a.id])),
        };
      }
      // Empty lines of the links box are for typing, not links; the box itself keeps them.
      const res = await api.reports.saveReport({
        editionId: edition.id,
        cityId: report.city!.id,
        expectedVersion,
        introduction: d.introduction,
        practices: d.practices.map((p) => ({ ...p, attachments: [], evidenceLinks: p.evidenceLinks.map((l) => l.trim()).filter(Boolean) })),
        followUps: d.followUps,
      });
      const saved = res.report!;
      return { report: saved, added: new Map(d.keys.map((k, i) => [k, saved.practices[i]?.id ?? ""])) };
    },
    versionOf: (r) => r.report.version,
    conflictOf: (err) => {
      const current = conflictDetail(err, ReportConflictSchema)?.current;
      return current ? { report: current, added: new Map() } : undefined;
    },
    onSaved: (saved, sent) => {
      setReport(saved.report);
      // The text on screen stays as typed (the server has it); new practices take their ids, matched
      // by key, since some may have been added or removed while the save was on its way.
      const withIds = (d: Saved): Practice[] => d.practices.map((p, i) => (saved.added.has(d.keys[i]) ? { ...p, id: saved.added.get(d.keys[i])! } : p));
      baseRef.current = { version: saved.report.version, saved: { ...sent, practices: withIds(sent) } };
      if (saved.added.size) setDraft((cur) => ({ ...cur, practices: withIds(cur) }));
    },
  });
  const save = auto.state;
  const conflict = auto.conflict;
  const { changed } = auto;
  const change = useCallback(
    (f: (d: Draft) => Draft) => {
      changed();
      setDraft(f);
    },
    [changed],
  );

  // Keep a copy of unsaved typing in this browser until the server has it. Serialising a long report
  // on every key would slow typing down, so the copy is written a moment after the typing pauses, and
  // at once when the page goes away (a closed tab, a reload).
  const keepLocal = useRef<() => void>(() => {});
  keepLocal.current = () => {
    if (!editable || offer) return;
    if (save.kind === "clean") clearDraft(window.localStorage, storageKey);
    else storeDraft(window.localStorage, storageKey, { baseVersion: report.version, savedAt: new Date(), ...draftRef.current });
  };
  useEffect(() => {
    const id = window.setTimeout(() => keepLocal.current(), save.kind === "clean" ? 0 : 700);
    return () => window.clearTimeout(id);
  }, [draft, save.kind, editable, offer, storageKey, report.version]);
  useEffect(() => {
    const now = () => keepLocal.current();
    window.addEventListener("pagehide", now);
    return () => window.removeEventListener("pagehide", now);
  }, []);

  function restore() {
    if (!offer) return;
    const local = { ...offer, keys: offer.practices.map(() => uuid()) };
    setOffer(undefined);
    auto.changed();
    setDraft(local);
    // Saved against the version it was typed on: if someone saved since, both versions are shown.
    void auto.saveNow(local, offer.baseVersion);
  }

  const submit = useCallback(async () => {
    setConfirmSubmit(false);
    setActionError(undefined);
    setSubmitting(true); // the form is read-only from here, so nothing typed is lost to the submit
    try {
      if (!(await auto.flush(() => draftRef.current))) return;
      const res = await api.reports.submitReport({ editionId: edition.id, cityId: reportRef.current.city!.id, expectedVersion: auto.version() });
      auto.serverChanged(res.report!.version);
      baseRef.current = { ...baseRef.current, version: res.report!.version };
      setReport(res.report!);
    } catch (err) {
      setActionError(err);
    } finally {
      setSubmitting(false);
    }
  }, [auto.flush, auto.version, auto.serverChanged, edition.id, baseRef]);

  function keepMine() {
    const theirs = auto.keepMine(draft);
    if (theirs) setReport(theirs.report);
  }
  function takeTheirs() {
    const theirs = auto.takeTheirs();
    if (!theirs) return;
    adopt(theirs.report);
  }
  /** adopt makes the server's copy the page's: after taking theirs, or restoring a version. */
  const { serverChanged } = auto;
  const adopt = useCallback(
    (r: Report) => {
      const d = draftOf(r);
      setReport(r);
      setDraft(d);
      baseRef.current = { version: r.version, saved: d };
      serverChanged(r.version);
    },
    [serverChanged, baseRef],
  );

  // The report's problems by practice (each practice's editor filters its own) and, for the fields
  // outside practices, by field: the same arrays from one render to the next while the report's
  // problems stay, so that typing in one field re-renders that field alone.
  const { problemsByPractice, problemsByField } = useMemo(() => {
    const byPractice = new Map<string, FieldProblem[]>();
    const byField = new Map<string, FieldProblem[]>();
    for (const p of report.problems) {
      const [m, k] = p.practiceId ? [byPractice, p.practiceId] : [byField, p.previousNominationId + "|" + p.field];
      m.set(k, [...(m.get(k) ?? []), p]);
    }
    return { problemsByPractice: byPractice, problemsByField: byField };
  }, [report.problems]);
  /** problemsAt is the problems of a field outside practices: the introduction, the list, a follow-up's. */
  const problemsAt = (field: string, followUp = "") => problemsByField.get(followUp + "|" + field) ?? NO_PROBLEMS;
  // A practice's fields change through updaters of the practice named by its key, never through a
  // copy of it: a field that did not re-render (memo) then still changes the latest practice.
  const onPracticeChange = useCallback(
    (key: string, update: (p: Practice) => Practice) => change((d) => ({ ...d, practices: d.practices.map((x, j) => (d.keys[j] === key ? update(x) : x)) })),
    [change],
  );
  // Files are not text: they change on the server at once, not through the autosave.
  const onAttachments = useCallback(
    (key: string, attachments: Attachment[]) => setDraft((d) => ({ ...d, practices: d.practices.map((x, j) => (d.keys[j] === key ? { ...x, attachments } : x)) })),
    [],
  );

  const catName = useCallback(
    (id: string) => {
      const c = categories.find((c) => c.id === id);
      return c ? `${c.number}. ${textIn(locale, c.names)}` : "";
    },
    [categories, locale],
  );
  const criterionName = useCallback(
    (id: string) => {
      const c = criteria.find((x) => x.id === id);
      return c ? textIn(locale, c.names) : id;
    },
    [criteria, locale],
  );
  const cityId = report.city!.id;
  const { flush } = auto;
  const downloadPdf = useCallback(async () => {
    setActionError(undefined);
    try {
      if (editable && !(await flush(() => draftRef.current))) return;
      const res = await api.reports.exportReportPdf({ editionId: edition.id, cityId, language: locale });
      download(res.filename, new Uint8Array(res.content), res.contentType);
    } catch (err) {
      setActionError(err);
    }
  }, [editable, flush, edition.id, cityId, locale]);
  const togglePreview = useCallback(() => setPreview((v) => !v), []);
  const restoreVersion = useCallback(
    async (v: bigint) => {
      if (!(await flush(() => draftRef.current))) return;
      const res = await api.reports.restoreReportVersion({ editionId: edition.id, cityId, version: v, expectedVersion: auto.version() });
      adopt(res.report!);
    },
    [flush, auto.version, adopt, edition.id, cityId],
  );
  const onFollowUpChange = useCallback(
    (id: string, update: (f: FollowUp) => FollowUp) => change((d) => ({ ...d, followUps: d.followUps.map((x) => (x.previousNominationId === id ? update(x) : x)) })),
    [change],
  );

  // Typing changes the draft, which re-renders this editor on every key: what does not show the draft
  // is memoised (the heading, the save bar, the summary, the history, the dialogs), so that a key
  // re-renders the field typed in, its practice and little else.
  const removingTitle = removing !== undefined ? draft.practices[removing]?.title || t("report.untitled") : "";
  const removeDialog = useMemo(
    () => (
      <ConfirmDialog
        open={removing !== undefined}
        title={t("report.removeConfirmTitle")}
        confirmLabel={t("report.removePractice")}
        onConfirm={() => {
          const i = removing!;
          const d = draftRef.current;
          setRemoved({ index: i, practice: d.practices[i], key: d.keys[i] });
          change((d) => ({ ...d, practices: d.practices.filter((_, j) => j !== i), keys: d.keys.filter((_, j) => j !== i) }));
          setRemoving(undefined);
          addRef.current?.focus(); // the focused button is gone; keep the keyboard user in the form
        }}
        onCancel={() => setRemoving(undefined)}
      >
        <p>{t("report.removeConfirmText", { title: removingTitle })}</p>
      </ConfirmDialog>
    ),
    [t, removing, removingTitle, change],
  );
  const practiceCount = draft.practices.length;
  const submitDialog = useMemo(
    () => (
      <ConfirmDialog
        open={confirmSubmit}
        title={t("report.submitConfirmTitle")}
        confirmLabel={t("report.submitConfirm")}
        onConfirm={submit}
        onCancel={() => setConfirmSubmit(false)}
      >
        <p>{t("report.submitConfirmText", { count: practiceCount })}</p>
      </ConfirmDialog>
    ),
    [t, confirmSubmit, submit, practiceCount],
  );
  const label = useMemo(
    () => ({
      form: t("report.title", { city: report.city?.name ?? "" }),
      introduction: t("report.introduction"),
      practices: t("report.practices"),
      noPractices: t("report.noPractices"),
      addPractice: t("report.addPractice"),
      submit: t("report.submit"),
    }),
    [t, report.city?.name],
  );

  return (
    <>
      <ReportHeading edition={edition} report={report} preview={preview} onPreview={togglePreview} onDownloadPdf={downloadPdf} />
      {offer && editable ? (
        <div className="notice" role="alert">
          <p>{t("localDraft.found", { time: formatInstant(offer.savedAt, locale) })}</p>
          <p className="actions">
            <button type="button" className="primary" onClick={restore}>
              {t("localDraft.restore")}
            </button>
            <button
              type="button"
              onClick={() => {
                clearDraft(window.localStorage, storageKey);
                setOffer(undefined);
              }}
            >
              {t("localDraft.discard")}
            </button>
          </p>
        </div>
      ) : null}
      {editable ? <ReportBar save={save} problems={report.problems.length} /> : <p className="notice">{t("report.readOnly")}</p>}
      {save.kind === "failed" && !transient(save.error) ? <ErrorNote error={save.error} /> : null}
      {conflict ? (
        <ConflictPanel mine={draft} theirs={conflict.report} catName={catName} criterionName={criterionName} onKeepMine={keepMine} onTakeTheirs={takeTheirs} />
      ) : null}

      <CategorySummary categories={categories} count={draft.practices.length} practiceCategories={draft.practices.map((p) => p.categoryId).join(" ")} />
      {report.version > 0n ? (
        <History
          editionId={edition.id}
          cityId={cityId}
          version={report.version}
          canRestore={editable && !conflict && !submitting}
          catName={catName}
          criterionName={criterionName}
          onRestore={restoreVersion}
        />
      ) : null}

      {preview ? (
        <section className="preview" aria-label={t("report.preview")} data-testid="preview">
          <ReportPreview
            editionId={edition.id}
            cityId={report.city!.id}
            version={report.version}
            report={{ ...report, introduction: draft.introduction, practices: draft.practices, followUps: draft.followUps }}
            categories={categories}
            criteria={criteria}
          />
        </section>
      ) : null}
      <fieldset disabled={!editable || !!conflict || submitting} className="plain" hidden={preview}>
        <legend className="visually-hidden">{label.form}</legend>
        <TextArea
          label={label.introduction}
          value={draft.introduction}
          onChange={(v) => change((d) => ({ ...d, introduction: v }))}
          rows={4}
          limit={LIMITS.long}
          problems={problemsAt("introduction")}
        />
        <h2>{label.practices}</h2>
        {draft.practices.length === 0 ? <p>{label.noPractices}</p> : null}
        <Problems list={problemsAt("practices")} />
        {draft.practices.map((p, i) => (
          <PracticeEditor
            key={draft.keys[i]}
            practiceKey={draft.keys[i]}
            index={i}
            practice={p}
            categories={categories}
            criteria={criteria}
            problems={(p.id && problemsByPractice.get(p.id)) || NO_PROBLEMS}
            editionId={edition.id}
            cityId={cityId}
            filesDisabled={!editable || submitting}
            onChange={onPracticeChange}
            onAttachments={onAttachments}
            onRemove={setRemoving}
          />
        ))}
        {removed ? (
          <p className="notice" role="status" data-testid="practice-removed">
            {t("report.practiceRemoved", { title: removed.practice.title || t("report.untitled") })}{" "}
            <button
              type="button"
              onClick={() => {
                const r = removed;
                change((d) => {
                  const at = Math.min(r.index, d.practices.length);
                  return { ...d, practices: [...d.practices.slice(0, at), r.practice, ...d.practices.slice(at)], keys: [...d.keys.slice(0, at), r.key, ...d.keys.slice(at)] };
                });
                setRemoved(undefined);
              }}
            >
              {t("report.undoRemove")}
            </button>
          </p>
        ) : null}
        {editable ? (
          <button
            type="button"
            ref={addRef}
            onClick={() =>
              change((d) => ({
                ...d,
                practices: [...d.practices, create(PracticeSchema, { categoryId: categories[0]?.id ?? "" })],
                keys: [...d.keys, uuid()],
              }))
            }
          >
            {label.addPractice}
          </button>
        ) : null}

        {draft.followUps.length > 0 ? (
          <>
            <h2>{t("report.followUps")}</h2>
            <p>{t("report.followUpsIntro")}</p>
            {draft.followUps.map((f) => (
              <FollowUpEditor
                key={f.previousNominationId}
                followUp={f}
                outcomeProblems={problemsAt("outcome", f.previousNominationId)}
                narrativeProblems={problemsAt("narrative", f.previousNominationId)}
                onChange={onFollowUpChange}
              />
            ))}
          </>
        ) : null}
      </fieldset>

      <ErrorNote error={actionError} />
      {editable ? (
        <p className="actions">
          <button type="button" className="primary" onClick={() => setConfirmSubmit(true)} disabled={!!conflict}>
            {label.submit}
          </button>
        </p>
      ) : null}
      {removeDialog}
      {submitDialog}
    </>
  );
}

/** ReportHeading is the report's name, status and deadline, and its tools (memo: typing does not change it). */
const ReportHeading = memo(function ReportHeading(props: {
  edition: Edition;
  report: Report;
  preview: boolean;
  onPreview: () => void;
  onDownloadPdf: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, report, preview } = props;
  return (
    <>
      <h1>
        {t("report.title", { city: report.city?.name ?? "" })} <StageBadge stage={edition.stage} />
      </h1>
      <p>
        {edition.name} · <strong>{t("report.status")}:</strong>{" "}
        <span className="badge" data-testid="report-status">
          {t(reportStatusKey[report.status])}
        </span>
        {report.submitTime ? " · " + t("report.submittedAt", { time: formatInstant(report.submitTime, locale) }) : ""}
      </p>
      <Deadline label={t("edition.reportingDeadline")} at={edition.timeline?.reportingDeadline} />
      {report.version > 0n ? (
        <p className="actions report-tools">
          <button type="button" onClick={props.onDownloadPdf}>
            {t("report.downloadPdf")}
          </button>
          <button type="button" onClick={() => window.print()}>
            {t("report.print")}
          </button>
          <button type="button" aria-pressed={preview} onClick={props.onPreview} data-testid="preview-toggle">
            {preview ? t("report.backToEditing") : t("report.preview")}
          </button>
        </p>
      ) : null}
      {report.status === ReportStatus.RETURNED && report.returnComment ? (
        <div className="notice" role="note">
          <h2>{t("report.returnedTitle")}</h2>
          <p>{report.returnComment}</p>
        </div>
      ) : null}
    </>
  );
});

/**
 * ReportBar is the save state and the count of problems, in view however far down the expert writes: a
 * long report's fields are thousands of pixels below. Memo: keys that leave the state as it was do not
 * re-render it.
 */
const ReportBar = memo(function ReportBar({ save, problems }: { save: SaveState; problems: number }) {
  const t = useT();
  return (
    <div className="report-bar">
      <SaveIndicator state={save} />
      {problems > 0 ? (
        <span className="problem-count" data-testid="problem-count">
          {t("report.problemCount", { count: problems })}
        </span>
      ) : null}
    </div>
  );
});

/** sameText tells whether a local copy says nothing the server's report does not. */
function sameText(a: Omit<Draft, "keys">, b: Omit<Draft, "keys">): boolean {
  const json = (d: Omit<Draft, "keys">) =>
    JSON.stringify([
      d.introduction,
      d.practices.map((p) => toJson(PracticeSchema, p)),
      d.followUps.map((f) => toJson(FollowUpSchema, f)),
    ]);
  return json(a) === json(b);
}

/**
 * CategorySummary counts the practices by category: count practices, whose category ids are
 * practiceCategories, space-separated (memo: a string, the same while the expert types).
 */
const CategorySummary = memo(function CategorySummary(props: { categories: Category[]; count: number; practiceCategories: string }) {
  const t = useT();
  const { locale } = useLocale();
  const ids = props.practiceCategories.split(" ");
  return (
    <details className="summary">
      <summary>{t("report.byCategory", { count: props.count })}</summary>
      <ul>
        {props.categories.map((c) => {
          const n = ids.filter((id) => id === c.id).length;
          return (
            <li key={c.id} className={n ? "has" : ""}>
              {c.number}. {textIn(locale, c.names)} — {t("report.practiceCount", { count: n })}
            </li>
          );
        })}
      </ul>
    </details>
  );
});

const NO_PROBLEMS: FieldProblem[] = [];

/** PracticeEditor re-renders only when its own practice, problems or settings change (memo). */
const PracticeEditor = memo(function PracticeEditor(props: {
  index: number;
  practice: Practice;
  categories: Category[];
  criteria: Criterion[];
  /** This practice's problems. */
  problems: FieldProblem[];
  editionId: string;
  cityId: string;
  filesDisabled: boolean;
  /** The editor's key of the practice, for as long as it is on screen. */
  practiceKey: string;
  onChange: (key: string, update: (p: Practice) => Practice) => void;
  onAttachments: (key: string, attachments: Attachment[]) => void;
  onRemove: (index: number) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { practice: p, index, practiceKey, onChange, onAttachments } = props;
  const headingId = useId();
  const set = (patch: Partial<Practice>) => onChange(practiceKey, (x) => ({ ...x, ...patch }));
  // A key re-renders the practice typed in: what does not change with its text is made once, and each
  // field's problems are the same array from one key to the next, so that the other fields skip (memo).
  const label = useMemo(
    () => ({
      title: t("practice.title"),
      category: t("practice.category"),
      description: t("practice.description"),
      sinceYear: t("practice.sinceYear"),
      partners: t("practice.partners"),
      targetGroups: t("practice.targetGroups"),
      evidenceLinks: t("practice.evidenceLinks"),
      evidenceLinksHint: t("practice.evidenceLinksHint"),
      narratives: t("practice.narratives"),
      remove: t("report.removePractice"),
    }),
    [t],
  );
  const categoryOptions = useMemo(
    () => props.categories.map((c) => ({ value: c.id, label: `${c.number}. ${textIn(locale, c.names)}` })),
    [props.categories, locale],
  );
  const problemsByField = useMemo(() => {
    const m = new Map<string, FieldProblem[]>();
    for (const x of props.problems) m.set(x.field + "|" + x.criterionId, [...(m.get(x.field + "|" + x.criterionId) ?? []), x]);
    return m;
  }, [props.problems]);
  const problemsAt = (field: string, criterionId = "") => problemsByField.get(field + "|" + criterionId) ?? NO_PROBLEMS;
  const setAttachments = useCallback((attachments: Attachment[]) => onAttachments(practiceKey, attachments), [onAttachments, practiceKey]);
  const narrative = (criterionId: string) => p.narratives.find((n) => n.criterionId === criterionId)?.text ?? "";
  const setNarrative = (criterionId: string, text: string) =>
    onChange(practiceKey, (x) => {
      // In place, so that the narratives keep their order.
      const at = x.narratives.findIndex((n) => n.criterionId === criterionId);
      if (!text) return { ...x, narratives: x.narratives.filter((_, j) => j !== at) };
      if (at < 0) return { ...x, narratives: [...x.narratives, create(CriterionNarrativeSchema, { criterionId, text })] };
      return { ...x, narratives: x.narratives.map((n, j) => (j === at ? { ...n, text } : n)) };
    });
  return (
    <section className="card practice" aria-labelledby={headingId} data-testid="practice">
      <h3 id={headingId}>{t("report.practiceN", { n: props.index + 1, title: p.title || t("report.untitled") })}</h3>
      <TextInput label={label.title} value={p.title} onChange={(v) => set({ title: v })} required limit={LIMITS.title} problems={problemsAt("title")} />
      <Select label={label.category} value={p.categoryId} onChange={(v) => set({ categoryId: v })} options={categoryOptions} />
      <TextArea label={label.description} value={p.description} onChange={(v) => set({ description: v })} rows={5} limit={LIMITS.long} problems={problemsAt("description")} />
      <TextInput
        label={label.sinceYear}
        type="number"
        value={p.sinceYear ? String(p.sinceYear) : ""}
        onChange={(v) => set({ sinceYear: v ? Math.min(9999, Math.max(0, Number.parseInt(v, 10) || 0)) : 0 })}
        problems={problemsAt("since_year")}
      />
      <TextInput label={label.partners} value={p.partners} onChange={(v) => set({ partners: v })} limit={LIMITS.short} problems={problemsAt("partners")} />
      <TextInput label={label.targetGroups} value={p.targetGroups} onChange={(v) => set({ targetGroups: v })} limit={LIMITS.short} problems={problemsAt("target_groups")} />
      <TextArea
        label={label.evidenceLinks}
        hint={label.evidenceLinksHint}
        value={p.evidenceLinks.join("\n")}
        onChange={(v) => set({ evidenceLinks: v.split("\n") })}
        rows={2}
        problems={problemsAt("evidence_links")}
      />
      <fieldset>
        <legend>{label.narratives}</legend>
        {props.criteria.map((c) => (
          <TextArea
            key={c.id}
            label={textIn(locale, c.names)}
            value={narrative(c.id)}
            onChange={(v) => setNarrative(c.id, v)}
            rows={2}
            limit={LIMITS.long}
            problems={problemsAt("narratives", c.id)}
          />
        ))}
      </fieldset>
      <AttachmentsEditor
        editionId={props.editionId}
        cityId={props.cityId}
        practiceId={p.id}
        attachments={p.attachments}
        disabled={props.filesDisabled}
        onChange={setAttachments}
      />
      <button type="button" className="danger" onClick={() => props.onRemove(index)}>
        {label.remove}
      </button>
    </section>
  );
});


/** FollowUpEditor is a follow-up's outcome and narrative; onChange updates the follow-up of that previous nomination (memo, as PracticeEditor). */
const FollowUpEditor = memo(function FollowUpEditor(props: {
  followUp: FollowUp;
  outcomeProblems: FieldProblem[];
  narrativeProblems: FieldProblem[];
  onChange: (previousNominationId: string, update: (f: FollowUp) => FollowUp) => void;
}) {
  const t = useT();
  const f = props.followUp;
  const onChange = (update: (f: FollowUp) => FollowUp) => props.onChange(f.previousNominationId, update);
  return (
    <section className="card">
      <h3>
        {f.previousTitle} <span className="muted">({f.previousCategoryName})</span>
      </h3>
      <Select
        label={t("followUp.outcome")}
        value={String(f.outcome)}
        onChange={(v) => onChange((x) => ({ ...x, outcome: Number(v) as FollowUpOutcome }))}
        options={outcomeKeys.map(([o, k]) => ({ value: String(o), label: t(k) }))}
      />
      <Problems list={props.outcomeProblems} />
      <TextArea label={t("followUp.narrative")} value={f.narrative} onChange={(v) => onChange((x) => ({ ...x, narrative: v }))} rows={3} limit={LIMITS.long} problems={props.narrativeProblems} />
    </section>
  );
});

/**
 * ConflictPanel shows, field by field, everything that differs between the expert's version and the one
 * saved elsewhere, and lets them keep either. Only its first sentence is announced.
 */
function ConflictPanel(props: {
  mine: Draft;
  theirs: Report;
  catName: (id: string) => string;
  criterionName: (id: string) => string;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const diffs = differences(props.mine, props.theirs);
  return (
    <section className="conflict" aria-labelledby="conflict-title">
      <h2 id="conflict-title" ref={headingRef} tabIndex={-1}>
        {t("conflict.title")}
      </h2>
      <p role="alert">
        {t("conflict.explain", {
          time: formatInstant(props.theirs.updateTime, locale),
          version: String(props.theirs.version),
        })}
      </p>
      {diffs.length === 0 ? (
        <p>{t("conflict.same")}</p>
      ) : (
        <DiffTable
          caption={t("conflict.title")}
          diffs={diffs}
          left={t("conflict.mine")}
          right={t("conflict.theirs")}
          catName={props.catName}
          criterionName={props.criterionName}
        />
      )}
      <p className="actions">
        <button type="button" className="primary" onClick={props.onKeepMine}>
          {t("conflict.keepMine")}
        </button>
        <button type="button" onClick={props.onTakeTheirs}>
          {t("conflict.takeTheirs")}
        </button>
      </p>
    </section>
  );
}

// ---- labelled controls ----

/** Problems lists, in the reader's language, what a field must fix before the report can be submitted. */
export function Problems({ list, id }: { list: FieldProblem[]; id?: string }) {
  const t = useT();
  const { locale } = useLocale();
  const catalogue = useServerMessages(locale, list.length > 0);
  if (list.length === 0) return null;
  return (
    <ul className="field-problems" id={id} data-testid="field-problems">
      {list.map((p, i) => {
        // Counts read as numbers do in the reader's language (102 700, not 102700).
        const args = Object.fromEntries(Object.entries(p.reasonArgs).map(([k, v]) => [k, /^\d{4,}$/.test(v) ? Number(v).toLocaleString(locale) : v]));
        const text = fill(catalogue?.[p.reasonId] ?? p.reason, args);
        return <li key={i}>{p.link > 0 ? t("practice.linkN", { n: p.link }) + " " + text : text}</li>;
      })}
    </ul>
  );
}

/** Counter shows how long a text is against what can be submitted, as the expert types. */
function Counter({ value, limit, id }: { value: string; limit: number; id: string }) {
  const t = useT();
  const n = codePoints(value);
  return (
    <span className={"counter" + (n > limit ? " over" : "")} id={id} data-testid="counter">
      {t("field.counter", { count: n, limit })}
    </span>
  );
}

interface FieldExtras {
  /** What can be submitted, in characters: a live counter shows it. */
  limit?: number;
  problems?: FieldProblem[];
}

function useDescribed(props: FieldExtras & { hint?: string }) {
  const hintId = useId();
  const counterId = useId();
  const problemsId = useId();
  const ids = [props.hint ? hintId : "", props.limit ? counterId : "", props.problems?.length ? problemsId : ""].filter(Boolean).join(" ");
  return { hintId, counterId, problemsId, describedBy: ids || undefined, invalid: props.problems?.length ? true : undefined };
}

/**
 * sameField compares a field's props except onChange, so that typing in one field of a long report
 * re-renders that field alone. Callers must make onChange depend on nothing that changes (updaters
 * of the latest state, stable keys), since a field that did not re-render keeps its first one.
 */
function sameField<P extends { onChange: unknown }>(a: P, b: P): boolean {
  for (const k of Object.keys(b) as (keyof P)[]) if (k !== "onChange" && a[k] !== b[k]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

export const TextInput = memo(function TextInput(props: FieldExtras & {
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: string;
  required?: boolean;
}) {
  const id = useId();
  const d = useDescribed(props);
  return (
    <div className={"field" + (d.invalid ? " invalid" : "")}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        aria-invalid={d.invalid}
        aria-describedby={d.describedBy}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.limit ? <Counter value={props.value} limit={props.limit} id={d.counterId} /> : null}
      <Problems list={props.problems ?? []} id={d.problemsId} />
    </div>
  );
}, sameField);

export const TextArea = memo(function TextArea(props: FieldExtras & { label: string; value: string; onChange: (v: string) => void; rows?: number; hint?: string }) {
  const id = useId();
  const d = useDescribed(props);
  return (
    <div className={"field" + (d.invalid ? " invalid" : "")}>
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? (
        <span className="hint" id={d.hintId}>
          {props.hint}
        </span>
      ) : null}
      <textarea
        id={id}
        value={props.value}
        rows={props.rows ?? 3}
        aria-invalid={d.invalid}
        aria-describedby={d.describedBy}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.limit ? <Counter value={props.value} limit={props.limit} id={d.counterId} /> : null}
      <Problems list={props.problems ?? []} id={d.problemsId} />
    </div>
  );
}, sameField);

export function Select(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
