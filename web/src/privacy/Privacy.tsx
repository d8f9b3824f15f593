import { useEffect, useId, useState } from "react";
import { useLocale, useT } from "../i18n";
import { api } from "../shared/api";
import { ErrorNote, useMe } from "../shared/components";
import { useLoad } from "../shared/hooks";

/**
 * PrivacyPage is public: the privacy notice in the reader's language, as the organisers wrote it (or
 * the platform's default). The platform's organisers edit it here, one language at a time.
 */
export function PrivacyPage() {
  const t = useT();
  const { locale } = useLocale();
  const { me } = useMe();
  const notice = useLoad(() => api.privacy.getPrivacyNotice({ language: locale }), [locale]);
  const title = t("privacy.title");
  useEffect(() => {
    const before = document.title;
    document.title = `${title} — Miasta Otwarte`;
    return () => {
      document.title = before;
    };
  }, [title]);
  const paragraphs = (notice.data?.notice?.text ?? "").split(/\n\s*\n/).filter((p) => p.trim() !== "");
  return (
    <article className="privacy-page">
      <h1>{t("privacy.title")}</h1>
      <ErrorNote error={notice.error} />
      {paragraphs.map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      {me?.organiser && notice.data?.notice ? (
        <NoticeEditor key={locale + (notice.data.notice.updateTime?.seconds ?? "")} language={locale} text={notice.data.notice.text} edited={notice.data.notice.edited} onSaved={notice.reload} />
      ) : null}
    </article>
  );
}

function NoticeEditor({ language, text, edited, onSaved }: { language: string; text: string; edited: boolean; onSaved: () => void }) {
  const t = useT();
  const id = useId();
  const [draft, setDraft] = useState(text);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(text), [text]);
  async function save() {
    setError(undefined);
    setSaved(false);
    try {
      await api.privacy.setPrivacyNotice({ language, text: draft });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details className="privacy-editor">
      <summary>{t("privacy.edit", { language: language.toUpperCase() })}</summary>
      {edited ? null : <p className="hint">{t("privacy.default")}</p>}
      <div className="field">
        <label htmlFor={id}>{t("privacy.text")}</label>
        <textarea id={id} value={draft} rows={16} maxLength={50000} onChange={(e) => setDraft(e.target.value)} />
      </div>
      <button type="button" onClick={save} disabled={draft.trim() === ""}>
        {t("privacy.save")}
      </button>
      {saved ? (
        <p className="notice" role="status">
          {t("privacy.saved")}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </details>
  );
}
