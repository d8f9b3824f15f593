// The jury's texts, recorded by the organiser while the edition is TALLIED: a justification per
// distinction and the recommendations to city governments, in Polish and, optionally, the other
// languages. The announcement publishes them and records them in the audit log; afterwards they are
// shown read-only.
import { useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote, SaveIndicator, type SaveState } from "../shared/components";
import { LOCALES, LOCALE_NAMES, useT, type Locale } from "../i18n";

/** The server's limits, in characters, per language. */
export const MAX_JUSTIFICATION = 2000;
export const MAX_RECOMMENDATIONS = 20000;

type Texts = Record<string, string>;

/** cleaned is the text to send: every language with something in it, trimmed. */
export function cleaned(draft: Texts): Texts {
  const out: Texts = {};
  for (const l of LOCALES) {
    const v = (draft[l] ?? "").trim();
    if (v) out[l] = v;
  }
  return out;
}

/** sameTexts reports whether two texts hold the same languages with the same words. */
export function sameTexts(a: Texts, b: Texts): boolean {
  const x = cleaned(a);
  const y = cleaned(b);
  return LOCALES.every((l) => (x[l] ?? "") === (y[l] ?? ""));
}

/**
 * JuryTextEditor edits one of the jury's texts: Polish first (required unless everything is emptied,
 * which removes the text), the other languages folded below. save sends what is typed; the indicator
 * says whether it is safe on the server.
 */
export function JuryTextEditor(props: { title: string; hint: string; warning?: string; initial: Texts; max: number; rows: number; save: (text: Texts) => Promise<unknown> }) {
  const t = useT();
  const ids = useId();
  const [draft, setDraft] = useState<Texts>(props.initial);
  const [saved, setSaved] = useState<Texts>(props.initial);
  const [state, setState] = useState<SaveState>({ kind: "clean" });
  const [error, setError] = useState<unknown>();
  const [polishMissing, setPolishMissing] = useState(false);
  const dirty = !sameTexts(draft, saved);
  const others = LOCALES.filter((l) => l !== "pl");
  const translated = others.filter((l) => cleaned(saved)[l]).length;

  async function save() {
    const text = cleaned(draft);
    setError(undefined);
    if (Object.keys(text).length > 0 && !text.pl) {
      setPolishMissing(true);
      return;
    }
    setPolishMissing(false);
    setState({ kind: "saving" });
    try {
      await props.save(text);
      setSaved(text);
      setState({ kind: "clean", savedAt: new Date() });
    } catch (err) {
      setError(err);
      setState({ kind: "failed", error: err });
    }
  }
  const field = (l: Locale) => (
    <div className="field" key={l}>
      <label htmlFor={ids + l}>
        {LOCALE_NAMES[l]}
        {l === "pl" ? ` (${t("jury.required")})` : ""}
      </label>
      <textarea
        id={ids + l}
        lang={l}
        rows={l === "pl" ? props.rows : 2}
        maxLength={props.max}
        value={draft[l] ?? ""}
        aria-invalid={l === "pl" && polishMissing ? true : undefined}
        aria-describedby={l === "pl" && polishMissing ? ids + "missing" : undefined}
        onChange={(e) => {
          setDraft({ ...draft, [l]: e.target.value });
          setState({ kind: "dirty" });
        }}
      />
    </div>
  );
  return (
    <fieldset className="jury-text">
      <legend>{props.title}</legend>
      <p className="hint">{props.hint}</p>
      {props.warning ? <p className="field-error">{props.warning}</p> : null}
      {field("pl")}
      {polishMissing ? (
        <p className="field-error" id={ids + "missing"}>
          {t("jury.polishRequired")}
        </p>
      ) : null}
      <details>
        <summary>{t("jury.otherLanguages", { count: translated })}</summary>
        {others.map(field)}
      </details>
      <p className="actions">
        <button type="button" className="primary" disabled={!dirty || state.kind === "saving"} onClick={save}>
          {Object.keys(cleaned(draft)).length === 0 && Object.keys(cleaned(saved)).length > 0 ? t("jury.remove") : t("jury.save")}
        </button>
      </p>
      <SaveIndicator state={dirty && state.kind !== "saving" ? { kind: "dirty" } : state} />
      <ErrorNote error={error} />
    </fieldset>
  );
}

/** JuryTextView shows a recorded text in every language it has, Polish first. */
export function JuryTextView({ title, text }: { title: string; text: Texts }) {
  const t = useT();
  const langs = LOCALES.filter((l) => text[l]);
  return (
    <div className="jury-text">
      <h4>{title}</h4>
      {langs.length === 0 ? <p className="muted">{t("jury.none")}</p> : null}
      {langs.map((l) => (
        <div key={l}>
          <p className="muted">{LOCALE_NAMES[l]}</p>
          <p lang={l} className="prewrap">
            {text[l]}
          </p>
        </div>
      ))}
    </div>
  );
}

/** Justification is a winner's justification: an editor while TALLIED, the recorded text after. */
export function Justification(props: { editionId: string; nominationId: string; practice: string; text: Texts; editable: boolean; stale?: boolean }) {
  const t = useT();
  const title = t("jury.justification", { practice: props.practice });
  if (!props.editable) return <JuryTextView title={title} text={props.text} />;
  return (
    <JuryTextEditor
      title={title}
      hint={t("jury.justificationHint", { max: MAX_JUSTIFICATION })}
      warning={props.stale ? t("jury.notWinner") : undefined}
      initial={props.text}
      max={MAX_JUSTIFICATION}
      rows={3}
      save={(text) => api.results.setDistinctionJustification({ editionId: props.editionId, nominationId: props.nominationId, text })}
    />
  );
}

/** Recommendations are the jury's recommendations to city governments. */
export function Recommendations(props: { editionId: string; text: Texts; editable: boolean }) {
  const t = useT();
  return (
    <section aria-labelledby={props.editionId + "-recommendations"} className="card">
      <h3 id={props.editionId + "-recommendations"}>{t("jury.recommendations")}</h3>
      {props.editable ? (
        <JuryTextEditor
          title={t("jury.recommendationsText")}
          hint={t("jury.recommendationsHint", { max: MAX_RECOMMENDATIONS })}
          initial={props.text}
          max={MAX_RECOMMENDATIONS}
          rows={8}
          save={(text) => api.results.setJuryRecommendations({ editionId: props.editionId, text })}
        />
      ) : (
        <JuryTextView title={t("jury.recommendationsText")} text={props.text} />
      )}
    </section>
  );
}
