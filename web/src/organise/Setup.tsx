import { LanguageChoice, textIn } from "../shared/localized";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { BallotPublication, Stage, type Category, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import { allPages, useLoad } from "../shared/hooks";
import { LOCALES, useLocale, useT, type MessageId } from "../i18n";

/** The publication settings, as the organiser chooses among them (§12 of the audit specification). */
const PUBLICATIONS = [BallotPublication.PSEUDONYMS, BallotPublication.NAMES, BallotPublication.AGGREGATES];

/** NewEdition creates an edition in DRAFT and opens its dashboard. */
export function NewEdition({ editions }: { editions: Edition[] }) {
  const t = useT();
  const ids = useId();
  const navigate = useNavigate();
  const next = Math.max(2014, ...editions.map((e) => e.year + 1));
  const [year, setYear] = useState(String(next));
  const [name, setName] = useState(`Miasta Otwarte ${next}`);
  const [previous, setPrevious] = useState(editions.find((e) => e.year === next - 1)?.id ?? "");
  const [publication, setPublication] = useState(BallotPublication.PSEUDONYMS);
  // The jury's languages, all five unless the organiser knows better.
  const [languages, setLanguages] = useState<string[]>([...LOCALES]);
  const [error, setError] = useState<unknown>();
  async function create() {
    setError(undefined);
    try {
      const res = await api.editions.createEdition({
        year: Number.parseInt(year, 10) || 0,
        name: name.trim(),
        previousEditionId: previous,
        ballotPublication: publication,
        languages,
      });
      navigate(`/editions/${res.edition!.id}/organise`);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details className="card">
      <summary>{t("setup.newEdition")}</summary>
      <div className="field">
        <label htmlFor={ids + "y"}>{t("setup.year")}</label>
        <input id={ids + "y"} type="number" min={2014} max={2100} value={year} onChange={(e) => setYear(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids + "n"}>{t("setup.name")}</label>
        <input id={ids + "n"} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids + "p"}>{t("setup.previous")}</label>
        <select id={ids + "p"} value={previous} onChange={(e) => setPrevious(e.target.value)}>
          <option value="">{t("setup.none")}</option>
          {editions.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="field">
        <legend>{t("setup.publication")}</legend>
        {PUBLICATIONS.map((p) => (
          <label key={p} className="choice">
            <input type="radio" name={ids + "pub"} checked={publication === p} onChange={() => setPublication(p)} />
            <span>
              <strong>{t(`setup.publication.${BallotPublication[p]}` as MessageId)}</strong>
              <span className="hint">{t(`setup.publicationHint.${BallotPublication[p]}` as MessageId)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>{t("setup.languages")}</legend>
        <p className="hint">{t("texts.languagesHint")}</p>
        <LanguageChoice value={languages} onChange={setLanguages} />
      </fieldset>
      <button type="button" className="primary" onClick={create}>
        {t("setup.create")}
      </button>
      <ErrorNote error={error} />
    </details>
  );
}

/**
 * Setup is the edition's cities, categories and criteria. They can change until reporting opens; the
 * server says so when a change comes too late.
 */
export function Setup(props: { edition: Edition; categories: Category[]; criteria: Criterion[]; onChanged: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const { edition, categories, criteria, onChanged } = props;
  const ids = useId();
  const allCities = useLoad(
    () =>
      allPages(async (pageToken) => {
        const r = await api.editions.listCities({ pageSize: 500, pageToken });
        return { items: r.cities, next: r.nextPageToken };
      }),
    [],
  );
  const [city, setCity] = useState("");
  const [newCity, setNewCity] = useState("");
  const [cat, setCat] = useState({ pl: "", en: "", description: "" });
  const [crit, setCrit] = useState({ pl: "", en: "", description: "" });
  const [error, setError] = useState<unknown>();
  async function act(f: () => Promise<unknown>, after?: () => void) {
    setError(undefined);
    try {
      await f();
      after?.();
      onChanged();
    } catch (err) {
      setError(err);
    }
  }
  const available = (allCities.data ?? []).filter((c) => !edition.cities.some((e) => e.id === c.id));
  return (
    <details className="card" open={edition.stage === Stage.DRAFT}>
      <summary>{t("setup.title")}</summary>
      <h3>{t("setup.cities")}</h3>
      <ul className="plain">
        {edition.cities.map((c) => (
          <li key={c.id}>
            {c.name}{" "}
            <button type="button" onClick={() => act(() => api.editions.removeEditionCity({ editionId: edition.id, cityId: c.id }))}>
              {t("setup.removeCity", { city: c.name })}
            </button>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={ids + "c"}>{t("setup.chooseCity")}</label>
        <select id={ids + "c"} value={city} onChange={(e) => setCity(e.target.value)}>
          <option value="">—</option>
          {available.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids + "nc"}>{t("setup.newCity")}</label>
        <input id={ids + "nc"} value={newCity} onChange={(e) => setNewCity(e.target.value)} />
      </div>
      <button
        type="button"
        disabled={!city && !newCity.trim()}
        onClick={() =>
          act(
            async () => {
              const cityId = city || (await api.editions.createCity({ name: newCity.trim() })).city!.id;
              await api.editions.addEditionCity({ editionId: edition.id, cityId });
            },
            () => {
              setCity("");
              setNewCity("");
              allCities.reload();
            },
          )
        }
      >
        {t("setup.addCity")}
      </button>

      <h3>{t("setup.categories")}</h3>
      <ol>
        {categories.map((c) => (
          <li key={c.id}>{textIn(locale, c.names)}</li>
        ))}
      </ol>
      <NamePair idPrefix={ids + "cat"} value={cat} onChange={setCat} />
      <button
        type="button"
        disabled={!cat.pl.trim() || !cat.en.trim()}
        onClick={() =>
          act(
            () =>
              api.editions.createCategory({
                editionId: edition.id,
                number: Math.max(0, ...categories.map((c) => c.number)) + 1,
                namePl: cat.pl.trim(),
                nameEn: cat.en.trim(),
                description: cat.description.trim(),
              }),
            () => setCat({ pl: "", en: "", description: "" }),
          )
        }
      >
        {t("setup.addCategory")}
      </button>

      <h3>{t("setup.criteria")}</h3>
      <ol>
        {criteria.map((c) => (
          <li key={c.id}>{textIn(locale, c.names)}</li>
        ))}
      </ol>
      <NamePair idPrefix={ids + "crit"} value={crit} onChange={setCrit} />
      <button
        type="button"
        disabled={!crit.pl.trim() || !crit.en.trim()}
        onClick={() =>
          act(
            () =>
              api.editions.createCriterion({
                editionId: edition.id,
                number: Math.max(0, ...criteria.map((c) => c.number)) + 1,
                namePl: crit.pl.trim(),
                nameEn: crit.en.trim(),
                description: crit.description.trim(),
              }),
            () => setCrit({ pl: "", en: "", description: "" }),
          )
        }
      >
        {t("setup.addCriterion")}
      </button>
      <ErrorNote error={error ?? allCities.error} />
    </details>
  );
}

interface Names {
  pl: string;
  en: string;
  description: string;
}

function NamePair(props: { idPrefix: string; value: Names; onChange: (v: Names) => void }) {
  const t = useT();
  return (
    <>
      <div className="field">
        <label htmlFor={props.idPrefix + "pl"}>{t("setup.namePl")}</label>
        <input id={props.idPrefix + "pl"} lang="pl" value={props.value.pl} onChange={(e) => props.onChange({ ...props.value, pl: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={props.idPrefix + "en"}>{t("setup.nameEn")}</label>
        <input id={props.idPrefix + "en"} lang="en" value={props.value.en} onChange={(e) => props.onChange({ ...props.value, en: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={props.idPrefix + "d"}>{t("setup.description")}</label>
        <textarea id={props.idPrefix + "d"} lang="pl" rows={2} value={props.value.description} onChange={(e) => props.onChange({ ...props.value, description: e.target.value })} />
      </div>
    </>
  );
}
