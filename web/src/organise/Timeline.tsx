import { useState } from "react";
import { api } from "../shared/api";
import { ErrorNote, Loading } from "../shared/components";
import type { Edition } from "../gen/miasta/v1/edition_pb.js";
import type { EditionEvent } from "../gen/miasta/v1/audit_pb.js";
import { formatInstant } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { useLocale, useT, type MessageId } from "../i18n";
import type { InclusionInputs, InclusionResult } from "./timelineCheck";
import { TIMELINE_GROUPS, TIMELINE_KINDS } from "./timelineKinds";

/**
 * Timeline is the edition's audit log as its organisers read it: who did what and when, with the
 * reasons, newest first, filtered by kind; each entry can be checked in the browser against the
 * signed checkpoint (its leaf and inclusion proof).
 */
export function Timeline({ edition }: { edition: Edition }) {
  const t = useT();
  const { locale } = useLocale();
  const [group, setGroup] = useState<(typeof TIMELINE_GROUPS)[number][0]>("all");
  const prefix = TIMELINE_GROUPS.find(([g]) => g === group)![1];
  const [more, setMore] = useState<{ events: EditionEvent[]; next: string }>();
  const first = useLoad(async () => {
    setMore(undefined);
    return api.audit.listEditionEvents({ editionId: edition.id, kindPrefix: prefix, pageSize: 50 });
  }, [edition.id, prefix]);
  const events = [...(first.data?.events ?? []), ...(more?.events ?? [])];
  const next = more ? more.next : first.data?.nextPageToken;
  const [moreError, setMoreError] = useState<unknown>();
  async function loadMore() {
    setMoreError(undefined);
    try {
      const r = await api.audit.listEditionEvents({ editionId: edition.id, kindPrefix: prefix, pageSize: 50, pageToken: next });
      setMore({ events: [...(more?.events ?? []), ...r.events], next: r.nextPageToken });
    } catch (err) {
      setMoreError(err);
    }
  }
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("timeline.title")}</h2>
      <p className="hint">{t("timeline.hint")}</p>
      <div className="field">
        <label htmlFor="timeline-group">{t("timeline.show")}</label>
        <select id="timeline-group" value={group} onChange={(e) => setGroup(e.target.value as typeof group)}>
          {TIMELINE_GROUPS.map(([g]) => (
            <option key={g} value={g}>
              {t(("timeline.group." + g) as MessageId)}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={first.error} />
      {first.loading && !first.data ? <Loading /> : null}
      {first.data && events.length === 0 ? <p>{t("timeline.empty")}</p> : null}
      <ol className="timeline">
        {events.map((e) => (
          <TimelineEntry key={String(e.id)} event={e} locale={locale} />
        ))}
      </ol>
      <ErrorNote error={moreError} />
      {next ? (
        <p className="actions">
          <button type="button" onClick={loadMore}>
            {t("timeline.more")}
          </button>
        </p>
      ) : null}
    </section>
  );
}

function TimelineEntry({ event: e, locale }: { event: EditionEvent; locale: string }) {
  const t = useT();
  const [check, setCheck] = useState<InclusionResult | "checking" | { error: unknown }>();
  const kindKey = ("timeline.kind." + e.kind) as MessageId;
  const who = e.actorRole === "" ? t("timeline.platform") : `${e.actorName || e.actorId} (${t(("timeline.role." + e.actorRole) as MessageId)})`;
  async function run() {
    setCheck("checking");
    try {
      const [cp, key] = await Promise.all([api.audit.getCheckpoint({}), api.audit.getPublicKey({})]);
      const size = Number(/\n(\d+)\n/.exec(cp.checkpoint)?.[1] ?? 0);
      const proof = await api.audit.getInclusionProof({ leafIndex: e.leafIndex, treeSize: BigInt(size) });
      // The verifier's code runs in a worker of its own, loaded only now.
      const worker = new Worker(new URL("./timeline.worker.ts", import.meta.url), { type: "module" });
      const input: InclusionInputs = { body: e.body, leafIndex: Number(e.leafIndex), checkpoint: cp.checkpoint, signingKey: key.signingKey, proof: { leafHash: proof.leafHash, hashes: proof.hashes } };
      const result = await new Promise<InclusionResult>((resolve, reject) => {
        worker.onmessage = (m: MessageEvent<InclusionResult>) => resolve(m.data);
        worker.onerror = (err) => reject(new Error(err.message));
        worker.postMessage(input);
      }).finally(() => worker.terminate());
      setCheck(result);
    } catch (error) {
      setCheck({ error });
    }
  }
  return (
    <li>
      <p>
        <time dateTime={e.time ? new Date(Number(e.time.seconds) * 1000).toISOString() : undefined}>{formatInstant(e.time, locale)}</time>
        {" · "}
        <strong>{TIMELINE_KINDS.has(e.kind) ? t(kindKey) : e.kind}</strong> <code className="hint">{e.kind}</code>
      </p>
      <p>
        {t("timeline.by")} {who}
      </p>
      {e.reason ? <blockquote lang="pl">{e.reason}</blockquote> : null}
      <details>
        <summary>{e.leafIndex >= 0n ? t("timeline.leaf", { leaf: String(e.leafIndex) }) : t("timeline.notYet")}</summary>
        <pre className="body">{e.body}</pre>
      </details>
      {e.leafIndex >= 0n ? (
        <p className="actions">
          <button type="button" onClick={run} disabled={check === "checking"}>
            {t("timeline.check")}
          </button>{" "}
          <span role="status">
            {check === "checking"
              ? t("timeline.checking")
              : check && "ok" in check
                ? check.ok
                  ? t("timeline.checked", { size: String(check.size) })
                  : t(("timeline.failed." + check.reason) as MessageId)
                : null}
          </span>
        </p>
      ) : null}
      {check && typeof check === "object" && "error" in check ? <ErrorNote error={check.error} /> : null}
    </li>
  );
}
