// The files of a practice: the expert attaches PDFs, images and office documents (the server decides
// the type from the content, and keeps each file's SHA-256, which the log records at submission);
// readers open them in the browser.
import { memo, useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import type { Attachment } from "../gen/miasta/v1/report_pb.js";
import { useLocale, useT } from "../i18n";

const ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.gif,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,application/pdf,image/*";
const MAX_BYTES = 25 * 1024 * 1024;

function size(n: bigint, locale: string): string {
  const b = Number(n);
  const f = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  if (b >= 1024 * 1024) return f.format(b / 1024 / 1024) + " MB";
  if (b >= 1024) return f.format(b / 1024) + " kB";
  return f.format(b) + " B";
}

/** AttachmentList shows a practice's files to a reader, each opening in a new tab. */
export function AttachmentList({ attachments, onRemove }: { attachments: Attachment[]; onRemove?: (a: Attachment) => void }) {
  const t = useT();
  const { locale } = useLocale();
  if (attachments.length === 0) return null;
  return (
    <ul className="attachments" data-testid="attachments">
      {attachments.map((a) => (
        <li key={a.id}>
          <a href={a.url} target="_blank" rel="noopener" data-testid="attachment-link">
            {a.filename}
          </a>{" "}
          <span className="muted">
            {t(`attachment.kind.${a.kind}` as "attachment.kind.pdf")} · {size(a.size, locale)}
          </span>
          <span className="sha" title={t("attachment.shaHint")}>
            SHA-256 <code>{a.sha256}</code>
          </span>
          {onRemove ? (
            <button type="button" className="link" onClick={() => onRemove(a)} aria-label={t("attachment.removeN", { name: a.filename })}>
              {t("attachment.remove")}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** PublishedAttachments is the organisers' list of a practice's files, each with whether the public may
 * read it: a published file is public once the practice is distinguished and the results announced. */
export function PublishedAttachments({ attachments }: { attachments: Attachment[] }) {
  const t = useT();
  const [files, setFiles] = useState(attachments);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState("");
  async function toggle(a: Attachment, published: boolean) {
    setBusy(a.id);
    setError(undefined);
    try {
      const res = await api.reports.publishAttachment({ attachmentId: a.id, published });
      setFiles((fs) => fs.map((f) => (f.id === a.id ? res.attachment! : f)));
    } catch (err) {
      setError(err);
    } finally {
      setBusy("");
    }
  }
  return (
    <>
      <AttachmentList attachments={files} />
      <fieldset className="publish-files">
        <legend>{t("attachment.publishLegend")}</legend>
        {files.map((a) => (
          <label key={a.id} className="choice">
            <input
              type="checkbox"
              checked={a.published}
              disabled={busy === a.id}
              onChange={(e) => void toggle(a, e.target.checked)}
              data-testid="attachment-publish"
            />{" "}
            {t("attachment.publishN", { name: a.filename })}
          </label>
        ))}
        <p className="hint">{t("attachment.publishHint")}</p>
      </fieldset>
      {error ? <ErrorNote error={error} /> : null}
    </>
  );
}

/** AttachmentsEditor lets the expert attach files to a saved practice and remove them (memo: typing in the practice does not re-render it). */
export const AttachmentsEditor = memo(function AttachmentsEditor(props: {
  editionId: string;
  cityId: string;
  practiceId: string;
  attachments: Attachment[];
  disabled: boolean;
  onChange: (attachments: Attachment[]) => void;
}) {
  const t = useT();
  const inputId = useId();
  const hintId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tooBig, setTooBig] = useState<string>();

  async function upload(files: FileList | null) {
    if (!files?.length) return;
    setError(undefined);
    setTooBig(undefined);
    setBusy(true);
    let list = props.attachments;
    try {
      for (const f of Array.from(files)) {
        if (f.size > MAX_BYTES) {
          setTooBig(f.name);
          continue;
        }
        const content = new Uint8Array(await f.arrayBuffer());
        const res = await api.reports.uploadAttachment({ editionId: props.editionId, cityId: props.cityId, practiceId: props.practiceId, filename: f.name, content });
        const a = res.attachment!;
        list = list.some((x) => x.id === a.id) ? list : [...list, a];
        props.onChange(list);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(a: Attachment) {
    setError(undefined);
    try {
      await api.reports.deleteAttachment({ editionId: props.editionId, cityId: props.cityId, attachmentId: a.id });
      props.onChange(props.attachments.filter((x) => x.id !== a.id));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <fieldset className="attachments-editor">
      <legend>{t("attachment.title")}</legend>
      <AttachmentList attachments={props.attachments} onRemove={props.disabled ? undefined : remove} />
      {props.practiceId ? (
        <div className="field">
          <label htmlFor={inputId}>{t("attachment.add")}</label>
          <span className="hint" id={hintId}>
            {t("attachment.hint")}
          </span>
          <input
            id={inputId}
            type="file"
            multiple
            accept={ACCEPT}
            aria-describedby={hintId}
            disabled={props.disabled || busy}
            data-testid="attachment-input"
            onChange={(e) => {
              const files = e.currentTarget.files;
              void upload(files).then(() => {
                e.target.value = "";
              });
            }}
          />
          {busy ? <span role="status">{t("attachment.uploading")}</span> : null}
        </div>
      ) : (
        <p className="hint">{t("attachment.saveFirst")}</p>
      )}
      {tooBig ? (
        <p className="field-error" role="alert">
          {t("attachment.tooBig", { name: tooBig })}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </fieldset>
  );
});
