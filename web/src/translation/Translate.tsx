import { useEffect, useId, useRef, useState } from "react";
import { useParams } from "react-router";
import { Role } from "../gen/miasta/v1/identity_pb.js";
import type { Criterion } from "../gen/miasta/v1/edition_pb.js";
import {
  PracticeTranslationConflictSchema,
  TranslationStatus,
  type GetPracticeTranslationResponse,
  type PracticeTranslation,
  type TranslatablePracticeSummary,
} from "../gen/miasta/v1/translation_pb.js";
import { api, conflictDetail, listCriteria } from "../shared/api";
import { useVersionedAutosave } from "../shared/autosave";
import { ErrorNote, Loading, SaveIndicator, SignInNeeded, useMe } from "../shared/components";
import { allPages, useLoad } from "../shared/hooks";
import { LOCALE_NAMES, isLocale, useLocale, useT, type MessageId } from "../i18n";
import { textIn } from "../shared/localized";
import { draftOf, edited, outdatedIn, textsOf, type Draft } from "./translationMath";

const STATUSES = [TranslationStatus.MACHINE, TranslationStatus.DRAFT, TranslationStatus.REVIEWED];

function languageName(l: string) {
  return isLocale(l) ? LOCALE_NAMES[l] : l;
}

/** statusKey names a translation's status (none: not started) in the catalogues. */
export function statusKey(s: TranslationStatus): MessageId {
  return ("translation.status." + TranslationStatus[s]) as MessageId;
}

/** TranslatePage is a translator's workspace: the edition's accepted practices and, beside each original, its translation. */
export function TranslatePage() {
  const { editionId = "" } = useParams();
  const t = useT();
  const { me, signedIn, loading: meLoading } = useMe();
  const list = useLoad(async () => {
    let languages: string[] = [];
    const practices = await allPages(async (pageToken) => {
      const r = await api.translations.listTranslatablePractices({ editionId, pageSize: 200, pageToken });
      languages = r.languages;
      return { items: r.practices, next: r.nextPageToken };
    });
    return { practices, languages, criteria: await listCriteria(editionId) };
  }, [editionId]);
  const [lang, setLang] = useState("");
  const [selected, setSelected] = useState("");
  const langId = useId();
  useEffect(() => {
    if (list.data && !list.data.languages.includes(lang)) setLang(list.data.languages[0] ?? "");
  }, [list.data, lang]);
  if (!meLoading && !signedIn) return <SignInNeeded />;
  const translator = me?.assignments.some((a) => a.editionId === editionId && a.role === Role.TRANSLATOR);
  if (list.error && !list.data) return <ErrorNote error={list.error} />;
  if (!list.data) return <Loading />;
  const { practices, languages, criteria } = list.data;
  return (
    <>
      <h1>{t("translate.title")}</h1>
      <p className="lead">{t("translate.intro")}</p>
      {!translator ? <p className="notice">{t("translate.readOnly")}</p> : null}
      <div className="field">
        <label htmlFor={langId}>{t("translate.language")}</label>
        <select id={langId} value={lang} onChange={(e) => setLang(e.target.value)}>
          {languages.map((l) => (
            <option key={l} value={l} lang={l}>
              {languageName(l)}
            </option>
          ))}
        </select>
      </div>
      {practices.length === 0 ? <p>{t("translate.nothing")}</p> : null}
      <PracticeList practices={practices} lang={lang} selected={selected} onSelect={setSelected} />
      {selected && lang ? (
        <Editor key={selected + lang} practiceId={selected} lang={lang} criteria={criteria} canWrite={!!translator} onSaved={list.reload} />
      ) : null}
    </>
  );
}

function PracticeList(props: { practices: TranslatablePracticeSummary[]; lang: string; selected: string; onSelect: (id: string) => void }) {
  const t = useT();
  return (
    <div className="scroll" role="region" tabIndex={0} aria-label={t("translate.practices")}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("translate.practice")}</th>
            <th scope="col">{t("organise.city")}</th>
            <th scope="col">{t("translate.state")}</th>
          </tr>
        </thead>
        <tbody>
          {props.practices.map((s) => {
            const p = s.practice!;
            const st = s.languages.find((l) => l.language === props.lang);
            return (
              <tr key={p.practiceId} aria-current={props.selected === p.practiceId ? "true" : undefined} data-testid="translate-row">
                <th scope="row">
                  <button type="button" className="link" lang="pl" onClick={() => props.onSelect(p.practiceId)}>
                    {p.title}
                  </button>
                  {p.nominated ? <> <span className="badge">{t("translate.nominated")}</span></> : null}
                </th>
                <td>{p.city?.name}</td>
                <td>
                  {!st || st.version === 0n ? t("translate.notStarted") : t(statusKey(st.status))}
                  {st?.outdated ? <> <span className="badge">{t("translate.outdated")}</span></> : null}
                  {st && st.version > 0n && !st.complete ? <> <span className="badge">{t("translate.incomplete")}</span></> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface EditorDraft {
  status: TranslationStatus;
  texts: Draft;
}

function Editor(props: { practiceId: string; lang: string; criteria: Criterion[]; canWrite: boolean; onSaved: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const loaded = useLoad(() => api.translations.getPracticeTranslation({ practiceId: props.practiceId, language: props.lang }), [props.practiceId, props.lang]);
  if (loaded.error && !loaded.data) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const criterion = (id: string) => {
    return textIn(locale, props.criteria.find((x) => x.id === id)?.names);
  };
  return <EditorLoaded {...props} data={loaded.data} criterion={criterion} t={t} />;
}

function EditorLoaded(props: {
  data: GetPracticeTranslationResponse;
  lang: string;
  canWrite: boolean;
  onSaved: () => void;
  criterion: (id: string) => string;
  t: ReturnType<typeof useT>;
}) {
  const { t } = props;
  const source = props.data.practice!;
  const [server, setServer] = useState<PracticeTranslation>(props.data.translation!);
  const [draft, setDraft] = useState<EditorDraft>(() => ({ status: server.status || TranslationStatus.DRAFT, texts: draftOf(server) }));
  const latest = useRef(draft);
  latest.current = draft;
  const ids = useId();
  const save = useVersionedAutosave<EditorDraft, PracticeTranslation>({
    draft,
    version: server.version,
    enabled: props.canWrite,
    delayMs: 800,
    save: async (d, expectedVersion) =>
      (
        await api.translations.savePracticeTranslation({
          practiceId: source.practiceId,
          language: props.lang,
          expectedVersion,
          status: d.status,
          texts: textsOf(d.texts, source.texts),
        })
      ).translation!,
    versionOf: (s) => s.version,
    conflictOf: (err) => conflictDetail(err, PracticeTranslationConflictSchema)?.current,
    onSaved: (s) => {
      setServer(s);
      props.onSaved();
    },
  });
  const change = (d: EditorDraft) => {
    setDraft(d);
    save.changed();
  };
  const made = server.madeBy?.name;
  return (
    <section className="card translate-editor" aria-labelledby={ids + "h"}>
      <h2 id={ids + "h"} lang="pl">
        {source.title}
      </h2>
      <p className="muted">
        {source.city?.name} · {t("translate.reportVersion", { version: String(source.reportVersion) })}
        {server.version > 0n ? " · " + t("translate.version", { version: String(server.version) }) : ""}
        {made ? " · " + t("translate.madeBy", { name: made }) : ""}
      </p>
      <SaveIndicator state={save.state} />
      {save.conflict ? (
        <div className="conflict" role="alert">
          <p>{t("translate.conflict", { version: String(save.conflict.version) })}</p>
          <p className="actions">
            <button type="button" onClick={() => save.keepMine(latest.current)}>
              {t("conflict.keepMine")}
            </button>
            <button
              type="button"
              onClick={() => {
                const theirs = save.takeTheirs();
                if (theirs) {
                  setServer(theirs);
                  setDraft({ status: theirs.status || TranslationStatus.DRAFT, texts: draftOf(theirs) });
                }
              }}
            >
              {t("conflict.takeTheirs")}
            </button>
          </p>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={ids + "s"}>{t("translate.status")}</label>
        <select
          id={ids + "s"}
          value={draft.status}
          disabled={!props.canWrite}
          onChange={(e) => change({ ...draft, status: Number(e.target.value) as TranslationStatus })}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(statusKey(s))}
            </option>
          ))}
        </select>
      </div>
      {source.texts.map((s) => {
        const label = s.field === "title" ? t("practice.title") : s.field === "description" ? t("practice.description") : props.criterion(s.criterionId);
        const value = draft.texts[s.field]?.text ?? "";
        const outdated = outdatedIn(draft.texts, s);
        const fieldId = ids + s.field;
        return (
          <div key={s.field} className="side-by-side" data-testid="translate-text">
            <div>
              <h3 className="hint">{t("translate.original", { what: label })}</h3>
              <p className="pre original" lang="pl">
                {s.text}
              </p>
            </div>
            <div className="field">
              <label htmlFor={fieldId}>{t("translate.translation", { what: label, language: languageName(props.lang) })}</label>
              {s.field === "title" ? (
                <input
                  id={fieldId}
                  lang={props.lang}
                  value={value}
                  readOnly={!props.canWrite}
                  onChange={(e) => change({ ...draft, texts: edited(draft.texts, s, e.target.value) })}
                />
              ) : (
                <textarea
                  id={fieldId}
                  lang={props.lang}
                  rows={Math.min(12, Math.max(3, Math.ceil(s.text.length / 80)))}
                  value={value}
                  readOnly={!props.canWrite}
                  onChange={(e) => change({ ...draft, texts: edited(draft.texts, s, e.target.value) })}
                />
              )}
              {outdated ? (
                <p className="notice">
                  {t("translate.outdatedText")}{" "}
                  {props.canWrite ? (
                    <button type="button" onClick={() => change({ ...draft, texts: edited(draft.texts, s, value) })}>
                      {t("translate.stillCorrect")}
                    </button>
                  ) : null}
                </p>
              ) : null}
            </div>
          </div>
        );
      })}
    </section>
  );
}
