import { useId, useState } from "react";
import { api } from "../shared/api";
import { ConfirmDialog, ErrorNote, Scroll, ServerText, useMe } from "../shared/components";
import { BallotPublication, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { InvitationState, Role, type ImportInvitationsResponse, type Invitation, type RoleAssignment } from "../gen/miasta/v1/identity_pb.js";
import { Stage } from "../gen/miasta/v1/edition_pb.js";
import { allPages, useLoad } from "../shared/hooks";
import { listPeople, loneJurorCities, type PeopleFilter, type PeopleSort } from "./peopleMath";
import { LOCALE_NAMES, isLocale, useT, type MessageId } from "../i18n";

/** People lists an edition's invitations and imports more from CSV, checking every row first. */
export function People({ edition }: { edition: Edition }) {
  const t = useT();
  const ids = useId();
  const invitations = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.identity.listInvitations({ editionId: edition.id, pageSize: 200, pageToken });
        return { items: r.invitations, next: r.nextPageToken };
      }),
    [edition.id],
  );
  const assignments = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.identity.listRoleAssignments({ editionId: edition.id, pageSize: 200, pageToken });
        return { items: r.assignments, next: r.nextPageToken };
      }),
    [edition.id],
  );
  const byInvitation = new Map((assignments.data ?? []).map((a) => [a.invitationId, a]));
  const [filter, setFilter] = useState<PeopleFilter>({ role: "all", state: "all", text: "" });
  const [sort, setSort] = useState<PeopleSort>("name");
  const shown = listPeople(invitations.data ?? [], filter, sort);
  // What the organiser is withdrawing: a pending invitation, or a role someone accepted.
  const [withdrawing, setWithdrawing] = useState<{ invitation: Invitation; assignment?: RoleAssignment }>();
  const [withdrawn, setWithdrawn] = useState("");
  // Erasing and exporting a person are the platform's organisers' (a person spans editions).
  const { me } = useMe();
  const [erasing, setErasing] = useState<{ invitation: Invitation; assignment?: RoleAssignment }>();
  const [exportError, setExportError] = useState<unknown>();
  async function exportData(i: Invitation) {
    setExportError(undefined);
    try {
      const res = await api.privacy.exportPersonData({ person: personRef(i, byInvitation.get(i.id)) });
      const url = URL.createObjectURL(new Blob([res.json], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `person-${byInvitation.get(i.id)?.user?.id || i.id}.json`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setExportError(err);
    }
  }
  // Roles can be withdrawn until the jury round closes (after it, the edition moves back first).
  const open = edition.stage !== Stage.TALLIED && edition.stage !== Stage.ANNOUNCED;
  // The file's bytes as uploaded: the server reads CSV (commas or semicolons, UTF-8 or Windows-1250)
  // and Excel workbooks alike.
  const [file, setFile] = useState<Uint8Array>();
  const [fileName, setFileName] = useState("");
  const [result, setResult] = useState<{ res: ImportInvitationsResponse; dryRun: boolean } | undefined>();
  const [error, setError] = useState<unknown>();
  async function run(dryRun: boolean) {
    setError(undefined);
    setResult(undefined);
    try {
      const res = await api.identity.importInvitations({ editionId: edition.id, source: { case: "file", value: file! }, dryRun });
      setResult({ res, dryRun });
      if (!dryRun && res.problems.length === 0) invitations.reload();
    } catch (err) {
      setError(err);
    }
  }
  // Under pseudonyms a juror's home city is public with their ballot: a city with one juror names them.
  const lone =
    edition.ballotPublication === BallotPublication.PSEUDONYMS && invitations.data
      ? loneJurorCities(invitations.data.filter((i) => i.role === Role.JUROR && i.state !== InvitationState.REVOKED))
      : [];
  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">{t("people.title")}</h2>
      <ErrorNote error={invitations.error} />
      {invitations.data ? <p>{t("people.count", { count: invitations.data.length })}</p> : null}
      {lone.length > 0 ? (
        <p className="notice" role="status">
          {t("people.loneJuror", { count: lone.length, cities: lone.join(", ") })}
        </p>
      ) : null}
      <details>
        <summary>{t("people.title")}</summary>
        <div className="filters">
          <label htmlFor={ids + "q"}>{t("people.search")}</label>{" "}
          <input id={ids + "q"} type="search" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />{" "}
          <label htmlFor={ids + "r"}>{t("people.role")}</label>{" "}
          <select id={ids + "r"} value={String(filter.role)} onChange={(e) => setFilter({ ...filter, role: e.target.value === "all" ? "all" : Number(e.target.value) })}>
            <option value="all">{t("mail.ALL")}</option>
            {[Role.EXPERT, Role.JUROR, Role.TRANSLATOR, Role.ORGANISER, Role.OBSERVER].map((r) => (
              <option key={r} value={r}>
                {t(("people.ROLE_" + Role[r]) as MessageId)}
              </option>
            ))}
          </select>{" "}
          <label htmlFor={ids + "st"}>{t("people.state")}</label>{" "}
          <select id={ids + "st"} value={String(filter.state)} onChange={(e) => setFilter({ ...filter, state: e.target.value === "all" ? "all" : Number(e.target.value) })}>
            <option value="all">{t("mail.ALL")}</option>
            {[InvitationState.PENDING, InvitationState.ACCEPTED, InvitationState.REVOKED].map((st) => (
              <option key={st} value={st}>
                {t(("people." + InvitationState[st]) as MessageId)}
              </option>
            ))}
          </select>{" "}
          <label htmlFor={ids + "so"}>{t("organise.sortBy")}</label>{" "}
          <select id={ids + "so"} value={sort} onChange={(e) => setSort(e.target.value as PeopleSort)}>
            <option value="name">{t("people.name")}</option>
            <option value="role">{t("people.role")}</option>
            <option value="city">{t("organise.city")}</option>
            <option value="state">{t("people.state")}</option>
          </select>
        </div>
        <p className="hint" role="status">
          {t("people.shown", { shown: shown.length, count: invitations.data?.length ?? 0 })}
        </p>
        <Scroll label={t("people.title")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("people.name")}</th>
                <th scope="col">{t("people.email")}</th>
                <th scope="col">{t("people.role")}</th>
                <th scope="col">{t("organise.city")}</th>
                <th scope="col">{t("people.language")}</th>
                <th scope="col">{t("people.state")}</th>
                <th scope="col">{t("people.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    {i.displayName}
                    {i.email === "" ? <span className="hint"> · {t("people.erasedMark")}</span> : null}
                  </th>
                  <td>{i.email}</td>
                  <td>{t(("people.ROLE_" + Role[i.role]) as MessageId)}</td>
                  <td>{i.role === Role.TRANSLATOR ? t("people.translatesInto", { languages: i.languages.map((l) => (isLocale(l) ? LOCALE_NAMES[l] : l)).join(", ") }) : i.city?.name}</td>
                  <td>{isLocale(i.language) ? LOCALE_NAMES[i.language] : ""}</td>
                  <td>
                    {byInvitation.get(i.id)?.revokeTime ? (
                      <>
                        {t("people.roleRevokedState")}
                        <span className="hint"> · {byInvitation.get(i.id)!.revokeReason}</span>
                      </>
                    ) : (
                      t(("people." + InvitationState[i.state]) as MessageId)
                    )}
                  </td>
                  <td>
                    {open && i.state === InvitationState.PENDING ? (
                      <button type="button" className="danger" onClick={() => setWithdrawing({ invitation: i })}>
                        {t("people.withdrawInvitation")}
                      </button>
                    ) : null}
                    {open && i.state === InvitationState.ACCEPTED && byInvitation.get(i.id) && !byInvitation.get(i.id)!.revokeTime ? (
                      <button type="button" className="danger" onClick={() => setWithdrawing({ invitation: i, assignment: byInvitation.get(i.id) })}>
                        {t("people.revokeRole")}
                      </button>
                    ) : null}
                    {me?.organiser && i.email !== "" ? (
                      <>
                        <button type="button" onClick={() => exportData(i)}>
                          {t("people.exportData")}
                        </button>
                        <button type="button" className="danger" onClick={() => setErasing({ invitation: i, assignment: byInvitation.get(i.id) })}>
                          {t("people.erase")}
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      </details>
      {withdrawn ? (
        <p className="notice" role="status">
          {withdrawn}
        </p>
      ) : null}
      <ErrorNote error={exportError} />
      {erasing ? (
        <Erase
          key={erasing.invitation.id}
          invitation={erasing.invitation}
          assignment={erasing.assignment}
          onCancel={() => setErasing(undefined)}
          onDone={(message) => {
            setErasing(undefined);
            setWithdrawn(message);
            invitations.reload();
            assignments.reload();
          }}
        />
      ) : null}
      {withdrawing ? (
        <Withdraw
          key={withdrawing.invitation.id}
          invitation={withdrawing.invitation}
          assignment={withdrawing.assignment}
          onCancel={() => setWithdrawing(undefined)}
          onDone={(message) => {
            setWithdrawing(undefined);
            setWithdrawn(message);
            invitations.reload();
            assignments.reload();
          }}
        />
      ) : null}
      <EditionWideInvite edition={edition} onInvited={invitations.reload} />
      <h3>{t("people.import")}</h3>
      <p className="hint">{t("people.importHint")}</p>
      <div className="field">
        <label htmlFor={ids + "f"}>{t("people.file")}</label>
        <input
          id={ids + "f"}
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            setResult(undefined);
            setFileName(f?.name ?? "");
            setFile(f ? new Uint8Array(await f.arrayBuffer()) : undefined);
          }}
        />
      </div>
      <p className="actions">
        <button type="button" disabled={!file} onClick={() => run(true)}>
          {t("people.check")}
        </button>
        <button type="button" className="primary" disabled={!file || !result?.dryRun || result.res.problems.length > 0} onClick={() => run(false)}>
          {t("people.doImport")}
        </button>
        <span className="hint">{fileName}</span>
      </p>
      <ErrorNote error={error} />
      {result ? (
        <div role="status">
          {result.res.problems.length > 0 ? (
            <>
              <p className="error">{t("people.problems", { count: result.res.problems.length })}</p>
              <Scroll label={t("people.problems", { count: result.res.problems.length })}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t("people.line")}</th>
                      <th scope="col">{t("people.field")}</th>
                      <th scope="col">{t("people.reason")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.res.problems.map((p, i) => (
                      <tr key={i}>
                        <td>{p.line}</td>
                        <td>{p.field}</td>
                        <td>
                          <ServerText id={p.reasonId} args={p.reasonArgs} english={p.reason} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            </>
          ) : result.dryRun ? (
            <p>{t("people.checked", { rows: result.res.rows })}</p>
          ) : (
            <p>{t("people.imported", { invited: result.res.invited, unchanged: result.res.unchanged })}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}

/**
 * Withdraw asks once before withdrawing a pending invitation, or revoking a role someone accepted:
 * the reason is required for a role, and the organiser reads what follows (sessions end, casts are not
 * counted, a revoked role is not granted again) before confirming.
 */
function Withdraw({
  invitation,
  assignment,
  onCancel,
  onDone,
}: {
  invitation: Invitation;
  assignment?: RoleAssignment;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const t = useT();
  const ids = useId();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const role = t(("people.ROLE_" + Role[invitation.role]) as MessageId);
  async function confirm() {
    setError(undefined);
    setBusy(true);
    try {
      if (assignment) {
        await api.identity.revokeRole({ assignmentId: assignment.id, reason });
        onDone(t("people.roleRevoked", { name: invitation.displayName, role }));
      } else {
        await api.identity.revokeInvitation({ invitationId: invitation.id });
        onDone(t("people.invitationWithdrawn", { name: invitation.displayName }));
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <ConfirmDialog
      open
      title={assignment ? t("people.revokeTitle", { name: invitation.displayName, role }) : t("people.withdrawTitle", { name: invitation.displayName, email: invitation.email })}
      confirmLabel={assignment ? t("people.revokeConfirm") : t("people.withdrawConfirm")}
      confirmDisabled={busy || (!!assignment && reason.trim() === "")}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      {assignment ? (
        <>
          <p>{t(invitation.role === Role.JUROR ? "people.revokeJurorExplain" : "people.revokeExplain")}</p>
          <div className="field">
            <label htmlFor={ids + "r"}>{t("people.revokeReason")}</label>
            <textarea id={ids + "r"} value={reason} maxLength={2000} rows={3} onChange={(e) => setReason(e.target.value)} />
          </div>
        </>
      ) : null}
      <ErrorNote error={error} />
    </ConfirmDialog>
  );
}

/** personRef names the person behind an invitation: their account once they signed in, else the invitation. */
function personRef(invitation: Invitation, assignment?: RoleAssignment) {
  const userId = assignment?.user?.id;
  return userId ? { person: { case: "userId" as const, value: userId } } : { person: { case: "invitationId" as const, value: invitation.id } };
}

/**
 * Erase asks once, naming the person and their address, before erasing their personal data on the
 * whole platform: what goes and what stays (the log, counted casts, the city's report) is said first.
 */
function Erase({
  invitation,
  assignment,
  onCancel,
  onDone,
}: {
  invitation: Invitation;
  assignment?: RoleAssignment;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const t = useT();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setError(undefined);
    setBusy(true);
    try {
      await api.privacy.erasePerson({ person: personRef(invitation, assignment) });
      onDone(t("people.erased", { name: invitation.displayName }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <ConfirmDialog
      open
      title={t("people.eraseTitle", { name: invitation.displayName, email: invitation.email })}
      confirmLabel={t("people.eraseConfirm", { name: invitation.displayName })}
      confirmDisabled={busy}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>{t("people.eraseExplain")}</p>
      <ErrorNote error={error} />
    </ConfirmDialog>
  );
}

const TARGETS = ["en", "uk", "es", "vi"] as const;

/**
 * EditionWideInvite invites someone for the whole edition rather than a city: a translator into chosen
 * languages (they read the accepted reports and write only those), a co-organiser (runs this edition,
 * nothing else), or an observer (reads what organisers read, changes nothing).
 */
function EditionWideInvite({ edition, onInvited }: { edition: Edition; onInvited: () => void }) {
  const t = useT();
  const ids = useId();
  const [role, setRole] = useState<Role>(Role.TRANSLATOR);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [language, setLanguage] = useState<string>("pl");
  const [languages, setLanguages] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  async function invite() {
    setError(undefined);
    setDone("");
    try {
      await api.identity.createInvitation({ editionId: edition.id, email, role, displayName: name, language, languages: role === Role.TRANSLATOR ? languages : [] });
      setDone(t("people.invitedAs", { email, role: t(("people.ROLE_" + Role[role]) as MessageId) }));
      setName("");
      setEmail("");
      setLanguages([]);
      onInvited();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <h3>{t("people.inviteEditionWide")}</h3>
      <fieldset>
        <legend>{t("people.role")}</legend>
        {[Role.TRANSLATOR, Role.ORGANISER, Role.OBSERVER].map((r) => (
          <label key={r} className="choice">
            <input type="radio" name={ids + "role"} checked={role === r} onChange={() => setRole(r)} /> {t(("people.ROLE_" + Role[r]) as MessageId)}
          </label>
        ))}
      </fieldset>
      <p className="hint">
        {t(role === Role.TRANSLATOR ? "people.inviteTranslatorHint" : role === Role.ORGANISER ? "people.inviteOrganiserHint" : "people.inviteObserverHint")}
      </p>
      <div className="field">
        <label htmlFor={ids + "n"}>{t("people.name")}</label>
        <input id={ids + "n"} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={ids + "e"}>{t("people.email")}</label>
        <input id={ids + "e"} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={ids + "l"}>{t("people.language")}</label>
        <select id={ids + "l"} value={language} onChange={(e) => setLanguage(e.target.value)}>
          {(["pl", ...TARGETS] as const).map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
      </div>
      <fieldset hidden={role !== Role.TRANSLATOR}>
        <legend>{t("people.translatorLanguages")}</legend>
        {TARGETS.map((l) => (
          <label key={l} lang={l} className="choice">
            <input
              type="checkbox"
              checked={languages.includes(l)}
              onChange={(e) => setLanguages((ls) => (e.target.checked ? [...ls, l] : ls.filter((x) => x !== l)))}
            />{" "}
            {LOCALE_NAMES[l]}
          </label>
        ))}
      </fieldset>
      <p className="actions">
        <button type="button" disabled={!name.trim() || !email.trim() || (role === Role.TRANSLATOR && languages.length === 0)} onClick={invite}>
          {t("people.invite")}
        </button>
      </p>
      <ErrorNote error={error} />
      {done ? <p role="status">{done}</p> : null}
    </>
  );
}
