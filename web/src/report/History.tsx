// A report's history: every saved version (each autosave, restore and status change), what changed
// between any two, and restoring one as a new version (nothing in between is lost).
import { memo, useState } from "react";
import { api } from "../shared/api";
import { ConfirmDialog, ErrorNote, Loading, Scroll } from "../shared/components";
import { formatInstant } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { ReportVersionKind, type Report, type ReportVersion } from "../gen/miasta/v1/report_pb.js";
import { useLocale, useT, type MessageId } from "../i18n";
import { DiffTable } from "./DiffTable";
import { differences } from "./reportDiff";
import { reportStatusKey } from "./status";

const kindKey: Record<ReportVersionKind, MessageId> = {
  [ReportVersionKind.UNSPECIFIED]: "history.kindSave",
  [ReportVersionKind.SAVE]: "history.kindSave",
  [ReportVersionKind.RESTORE]: "history.kindRestore",
  [ReportVersionKind.STATUS]: "history.kindStatus",
};

interface Props {
  editionId: string;
  cityId: string;
  /** The report's version now: the list reloads when it moves. */
  version: bigint;
  canRestore: boolean;
  catName: (id: string) => string;
  criterionName: (id: string) => string;
  onRestore: (version: bigint) => Promise<void>;
}

export const History = memo(function History(props: Props) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <details className="history" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="history">
      <summary>{t("history.title")}</summary>
      {open ? <Versions {...props} /> : null}
    </details>
  );
});

function Versions(props: Props) {
  const t = useT();
  const { locale } = useLocale();
  const [pages, setPages] = useState(1);
  const { editionId, cityId } = props;
  const list = useLoad(async () => {
    const out: ReportVersion[] = [];
    let token = "";
    for (let i = 0; i < pages; i++) {
      const res = await api.reports.listReportVersions({ editionId, cityId, pageSize: 50, pageToken: token });
      out.push(...res.versions);
      token = res.nextPageToken;
      if (!token) break;
    }
    return { versions: out, more: token !== "" };
  }, [editionId, cityId, props.version, pages]);
  const [from, setFrom] = useState<bigint>();
  const [to, setTo] = useState<bigint>();
  const [diff, setDiff] = useState<{ a: Report; b: Report }>();
  const [error, setError] = useState<unknown>();
  const [restoring, setRestoring] = useState<bigint>();
  if (!list.data) return list.error ? <ErrorNote error={list.error} /> : <Loading />;
  const versions = list.data.versions;
  const latest = versions[0]?.version ?? 0n;
  const a = from ?? versions[1]?.version ?? latest;
  const b = to ?? latest;

  async function compare() {
    setError(undefined);
    try {
      const [ra, rb] = await Promise.all([
        api.reports.getReportVersion({ editionId, cityId, version: a }),
        api.reports.getReportVersion({ editionId, cityId, version: b }),
      ]);
      setDiff({ a: ra.report!, b: rb.report! });
    } catch (err) {
      setError(err);
    }
  }

  const option = (v: ReportVersion) => (
    <option key={String(v.version)} value={String(v.version)}>
      {t("history.versionAt", { version: String(v.version), time: formatInstant(v.createTime, locale) })}
    </option>
  );
  const diffs = diff ? differences(diff.a, diff.b) : [];
  return (
    <div className="history-body">
      <p className="hint">{t("history.explain")}</p>
      <div className="compare">
        <label>
          {t("history.from")}{" "}
          <select value={String(a)} onChange={(e) => setFrom(BigInt(e.target.value))} data-testid="history-from">
            {versions.map(option)}
          </select>
        </label>{" "}
        <label>
          {t("history.to")}{" "}
          <select value={String(b)} onChange={(e) => setTo(BigInt(e.target.value))} data-testid="history-to">
            {versions.map(option)}
          </select>
        </label>{" "}
        <button type="button" onClick={compare}>
          {t("history.compare")}
        </button>
      </div>
      <ErrorNote error={error} />
      {diff ? (
        diffs.length === 0 ? (
          <p role="status">{t("history.same", { a: String(diff.a.version), b: String(diff.b.version) })}</p>
        ) : (
          <div data-testid="history-diff">
            <DiffTable
              caption={t("history.changes", { a: String(diff.a.version), b: String(diff.b.version) })}
              diffs={diffs}
              left={t("history.version", { version: String(diff.a.version) })}
              right={t("history.version", { version: String(diff.b.version) })}
              catName={props.catName}
              criterionName={props.criterionName}
            />
          </div>
        )
      ) : null}
      <Scroll label={t("history.title")}>
        <table className="report-versions">
          <caption className="visually-hidden">{t("history.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("history.versionCol")}</th>
              <th scope="col">{t("history.when")}</th>
              <th scope="col">{t("history.what")}</th>
              <th scope="col">{t("history.size")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("history.restore")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={String(v.version)} data-testid="version-row">
                <th scope="row">{String(v.version)}</th>
                <td>{formatInstant(v.createTime, locale)}</td>
                <td>
                  {t(kindKey[v.kind], { version: String(v.restoredFrom), status: t(reportStatusKey[v.status]) })}
                  {v.by === "organiser" ? <span className="muted"> · {t("history.byOrganiser")}</span> : null}
                </td>
                <td>{t("history.sizeValue", { practices: v.practiceCount, characters: Number(v.characters) })}</td>
                <td>
                  {props.canRestore && v.version !== latest && v.kind !== ReportVersionKind.STATUS ? (
                    <button type="button" onClick={() => setRestoring(v.version)} aria-label={t("history.restoreN", { version: String(v.version) })}>
                      {t("history.restore")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {list.data.more ? (
        <button type="button" onClick={() => setPages((n) => n + 1)}>
          {t("history.more")}
        </button>
      ) : null}
      <ConfirmDialog
        open={restoring !== undefined}
        title={t("history.restoreTitle", { version: String(restoring ?? 0n) })}
        confirmLabel={t("history.restore")}
        onConfirm={async () => {
          const v = restoring!;
          setRestoring(undefined);
          setError(undefined);
          try {
            await props.onRestore(v);
            setDiff(undefined);
          } catch (err) {
            setError(err);
          }
        }}
        onCancel={() => setRestoring(undefined)}
      >
        <p>{t("history.restoreText", { version: String(restoring ?? 0n) })}</p>
      </ConfirmDialog>
    </div>
  );
}
