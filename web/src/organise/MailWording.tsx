import { useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote, Loading } from "../shared/components";
import type { Edition } from "../gen/miasta/v1/edition_pb.js";
import { MailKind, type MailTemplate } from "../gen/miasta/v1/mail_pb.js";
import { useLoad } from "../shared/hooks";
import { LOCALE_NAMES, isLocale, useT, type MessageId } from "../i18n";

const LANGUAGES = ["pl", "en", "uk", "es", "vi"] as const;

/**
 * MailWording lets organisers word each kind of the edition's mail in each language: the subject and
 * text with placeholders, a preview written with the edition's own data and a real recipient, and a
 * way back to the platform's wording. Mail already queued keeps its text; receipts are never reworded.
 */
export function MailWording({ edition }: { edition: Edition }) {
  const t = useT();
  const ids = useId();
  const list = useLoad(() => api.mail.listMailTemplates({ editionId: edition.id }), [edition.id]);
  const [kind, setKind] = useState<MailKind>(MailKind.INVITATION);
  const [language, setLanguage] = useState<string>("pl");
  const current = list.data?.templates.find((w) => w.kind === kind && w.language === language);
  return (
    <section aria-labelledby={ids + "h"}>
      <h3 id={ids + "h"}>{t("wording.title")}</h3>
      <p className="hint">{t("wording.intro")}</p>
      <ErrorNote error={list.error} />
      {!list.data ? <Loading /> : null}
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids + "k"}>{t("mail.kind")}</label>
          <select id={ids + "k"} value={kind} onChange={(e) => setKind(Number(e.target.value) as MailKind)}>
            {[...new Set((list.data?.templates ?? []).map((w) => w.kind))].map((k) => (
              <option key={k} value={k}>
                {t(("mail." + MailKind[k]) as MessageId)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids + "l"}>{t("people.language")}</label>
          <select id={ids + "l"} value={language} onChange={(e) => setLanguage(e.target.value)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {isLocale(l) ? LOCALE_NAMES[l] : l}
              </option>
            ))}
          </select>
        </div>
      </div>
      {current && list.data ? (
        <WordingEditor key={`${kind}/${language}`} edition={edition} wording={current} placeholders={list.data.placeholders} onSaved={list.reload} />
      ) : null}
    </section>
  );
}

function WordingEditor({ edition, wording, placeholders, onSaved }: { edition: Edition; wording: MailTemplate; placeholders: string[]; onSaved: () => void }) {
  const t = useT();
  const ids = useId();
  const [subject, setSubject] = useState(wording.subject);
  const [body, setBody] = useState(wording.body);
  const [preview, setPreview] = useState<{ subject: string; body: string; recipient: string }>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState("");
  const req = { editionId: edition.id, kind: wording.kind, language: wording.language };
  async function run(what: "preview" | "save" | "reset") {
    setError(undefined);
    setSaved("");
    try {
      if (what === "preview") {
        setPreview(await api.mail.previewMailTemplate({ ...req, subject, body }));
        return;
      }
      const r = await api.mail.setMailTemplate(what === "save" ? { ...req, subject, body } : req);
      setSubject(r.template!.subject);
      setBody(r.template!.body);
      setSaved(t(what === "save" ? "wording.saved" : "wording.resetDone"));
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div lang={wording.language}>
      <p className="hint" lang={undefined}>
        {wording.customised ? t("wording.customised") : t("wording.platform")}
      </p>
      <div className="field">
        <label htmlFor={ids + "s"}>{t("mail.subject")}</label>
        <input id={ids + "s"} value={subject} maxLength={300} onChange={(e) => setSubject(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids + "b"}>{t("mail.body")}</label>
        <textarea id={ids + "b"} value={body} rows={12} maxLength={20000} onChange={(e) => setBody(e.target.value)} />
      </div>
      <p className="hint">
        {t("wording.placeholders")} {placeholders.map((p) => `{{.${p}}}`).join(" ")}
      </p>
      <p className="actions">
        <button type="button" onClick={() => run("preview")}>
          {t("wording.preview")}
        </button>
        <button type="button" className="primary" onClick={() => run("save")}>
          {t("wording.save")}
        </button>
        {wording.customised ? (
          <button type="button" onClick={() => run("reset")}>
            {t("wording.reset")}
          </button>
        ) : null}
      </p>
      <ErrorNote error={error} />
      {saved ? <p role="status">{saved}</p> : null}
      {preview ? (
        <figure className="mail-preview">
          <figcaption>{preview.recipient ? t("wording.previewFor", { name: preview.recipient }) : t("wording.previewSample")}</figcaption>
          <p>
            <strong>{preview.subject}</strong>
          </p>
          <pre>{preview.body}</pre>
        </figure>
      ) : null}
    </div>
  );
}
