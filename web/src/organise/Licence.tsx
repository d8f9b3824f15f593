import { useId, useState } from "react";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import type { Edition } from "../gen/miasta/v1/edition_pb.js";
import { useT } from "../i18n";

/** The open-data licences EditionService.SetDataLicence takes (SPDX identifiers), with their names. */
export const LICENCES = [
  ["CC-BY-4.0", "Creative Commons Attribution 4.0"],
  ["CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0"],
  ["CC0-1.0", "CC0 1.0 (public domain)"],
  ["ODC-By-1.0", "Open Data Commons Attribution 1.0"],
  ["ODbL-1.0", "Open Database License 1.0"],
  ["PDDL-1.0", "Open Data Commons Public Domain Dedication 1.0"],
] as const;

/**
 * LicenceEditor chooses the licence of the edition's open data (its JSON and CSV files, which anyone
 * downloads from the results page): publishing, so it can be set at any stage.
 */
export function LicenceEditor({ edition, onSaved }: { edition: Edition; onSaved: () => void }) {
  const t = useT();
  const ids = useId();
  const [licence, setLicence] = useState(edition.dataLicence || "CC-BY-4.0");
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  async function save() {
    setError(undefined);
    setSaved(false);
    try {
      await api.editions.setDataLicence({ editionId: edition.id, dataLicence: licence });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby={ids + "h"}>
      <h3 id={ids + "h"}>{t("licence.title")}</h3>
      <p className="hint">{t("licence.hint")}</p>
      <div className="field">
        <label htmlFor={ids + "l"}>{t("licence.label")}</label>
        <select id={ids + "l"} value={licence} onChange={(e) => setLicence(e.target.value)}>
          {LICENCES.map(([id, name]) => (
            <option key={id} value={id}>
              {name} ({id})
            </option>
          ))}
        </select>
      </div>
      <p className="actions">
        <button type="button" onClick={save} disabled={licence === (edition.dataLicence || "CC-BY-4.0") && !saved}>
          {t("licence.save")}
        </button>
        {saved ? <span role="status"> {t("licence.saved", { licence })}</span> : null}
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
