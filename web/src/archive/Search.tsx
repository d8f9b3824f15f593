import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import type { SearchHit, SearchPracticesResponse, SnippetPart } from "../gen/miasta/v1/search_pb.js";
import { useLocale, useT } from "../i18n";
import { api } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { useLoad } from "../shared/hooks";
import { textIn } from "../shared/localized";
import { paramsFrom, requestFrom, stateFrom, type SearchState } from "./searchParams";
import { useTitle } from "./common";

/** SearchPage is public: full-text search over every published practice, with filters and paging. */
export function SearchPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const state = stateFrom(params);
  const key = paramsFrom(state).toString();
  const loaded = useLoad(() => api.search.searchPractices(requestFrom(state)), [key]);
  // The tokens of the pages before this one, so that "previous" goes back without the server.
  const [earlier, setEarlier] = useState<string[]>([]);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const go = (next: Partial<SearchState>, keepPages = false) => {
    if (!keepPages) setEarlier([]);
    setParams(paramsFrom({ ...state, page: "", ...next }));
  };

  const res = loaded.data;
  useTitle(state.q ? `${state.q} — ${t("search.title")}` : t("search.title"));
  useEffect(() => {
    if (state.page) headingRef.current?.focus(); // a new page of results: start reading at its top
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.page]);

  return (
    <div className="search-page">
      <h1>{t("search.title")}</h1>
      <p className="lead">{t("search.lead")}</p>
      <SearchForm state={state} response={res} onChange={go} />
      <p role="status" aria-live="polite" className="search-count">
        {loaded.loading
          ? t("search.searching")
          : res
            ? t(res.totalIsLowerBound ? "search.countMore" : "search.count", { count: res.totalCount })
            : ""}
      </p>
      {loaded.error ? (
        <div>
          <ErrorNote error={loaded.error} />
          <button type="button" onClick={loaded.reload}>
            {t("search.retry")}
          </button>
        </div>
      ) : null}
      {res ? (
        <section aria-labelledby="search-results-title" aria-busy={loaded.loading}>
          <h2 id="search-results-title" className="visually-hidden" tabIndex={-1} ref={headingRef}>
            {t("search.results")}
          </h2>
          {res.hits.length === 0 ? (
            <div className="search-empty">
              <p>{state.q || hasFilters(state) ? t("search.empty") : t("search.emptyArchive")}</p>
              {hasFilters(state) ? (
                <button type="button" onClick={() => go({ edition: "", category: "", city: "", distinguished: false, target: "" })}>
                  {t("search.clearFilters")}
                </button>
              ) : null}
            </div>
          ) : (
            <ol className="search-hits">
              {res.hits.map((h) => (
                <Hit key={h.practiceId} hit={h} />
              ))}
            </ol>
          )}
          {earlier.length > 0 || res.nextPageToken ? (
            <nav className="pager actions" aria-label={t("search.pages")}>
              {earlier.length > 0 ? (
                <button
                  type="button"
                  onClick={() => {
                    const prev = earlier[earlier.length - 1];
                    setEarlier(earlier.slice(0, -1));
                    go({ page: prev }, true);
                  }}
                >
                  {t("search.previous")}
                </button>
              ) : null}
              <span className="count">{t("search.pageNumber", { page: earlier.length + 1 })}</span>
              {res.nextPageToken ? (
                <button
                  type="button"
                  onClick={() => {
                    setEarlier([...earlier, state.page]);
                    go({ page: res.nextPageToken }, true);
                  }}
                >
                  {t("search.next")}
                </button>
              ) : null}
            </nav>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function hasFilters(s: SearchState): boolean {
  return !!(s.edition || s.category || s.city || s.distinguished || s.target);
}

export function SearchForm({ state, response, onChange }: { state: SearchState; response: SearchPracticesResponse | undefined; onChange: (s: Partial<SearchState>) => void }) {
  const t = useT();
  const { locale } = useLocale();
  const id = useId();
  const [q, setQ] = useState(state.q);
  const [target, setTarget] = useState(state.target);
  useEffect(() => setQ(state.q), [state.q]);
  useEffect(() => setTarget(state.target), [state.target]);
  // Names seen so far, so that a chosen filter keeps its label when no practice matches it any more.
  const names = useRef(new Map<string, string>());
  const editions = response?.editions ?? [];
  const categories = response?.categories ?? [];
  const cities = response?.cities ?? [];
  for (const c of categories) names.current.set(c.category!.id, categoryLabel(c.editionYear, c.category!.number, textIn(locale, c.category!.names), !state.edition));
  for (const c of cities) names.current.set(c.city!.id, c.city!.name);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ q, target });
  };
  // Without counts (a search matching more than the server counts), an option is its name alone.
  const option = (name: string, count: number) =>
    response && !response.facetsCounted ? t("search.optionUncounted", { name }) : t("search.option", { name, count });
  const missing = (value: string, listed: boolean) =>
    value && !listed ? (
      <option value={value}>
        {t("search.option", { name: names.current.get(value) ?? value, count: 0 })}
      </option>
    ) : null;

  return (
    <form role="search" className="search-form" onSubmit={submit} aria-label={t("search.title")}>
      <div className="search-box">
        <label htmlFor={id + "q"}>{t("search.query")}</label>
        <div className="search-row">
          <input id={id + "q"} type="search" name="q" value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} aria-describedby={id + "qh"} />
          <button type="submit" className="primary">
            {t("search.submit")}
          </button>
        </div>
        <span className="hint" id={id + "qh"}>
          {t("search.queryHint")}
        </span>
      </div>
      <fieldset className="search-filters">
        <legend>{t("search.filters")}</legend>
        <div className="field f-edition">
          <label htmlFor={id + "edition"}>{t("search.edition")}</label>
          <select id={id + "edition"} value={state.edition} onChange={(e) => onChange({ edition: e.target.value, category: "" })}>
            <option value="">{t("search.allEditions")}</option>
            {editions.map((e) => (
              <option key={e.year} value={String(e.year)}>
                {option(String(e.year), e.count)}
              </option>
            ))}
            {missing(state.edition, editions.some((e) => String(e.year) === state.edition))}
          </select>
        </div>
        <div className="field f-category">
          <label htmlFor={id + "category"}>{t("search.category")}</label>
          <select id={id + "category"} value={state.category} onChange={(e) => onChange({ category: e.target.value })}>
            <option value="">{t("search.allCategories")}</option>
            {categories.map((c) => (
              <option key={c.category!.id} value={c.category!.id}>
                {option(names.current.get(c.category!.id) ?? "", c.count)}
              </option>
            ))}
            {missing(state.category, categories.some((c) => c.category!.id === state.category))}
          </select>
        </div>
        <div className="field f-city">
          <label htmlFor={id + "city"}>{t("search.city")}</label>
          <select id={id + "city"} value={state.city} onChange={(e) => onChange({ city: e.target.value })}>
            <option value="">{t("search.allCities")}</option>
            {cities.map((c) => (
              <option key={c.city!.id} value={c.city!.id}>
                {option(c.city!.name, c.count)}
              </option>
            ))}
            {missing(state.city, cities.some((c) => c.city!.id === state.city))}
          </select>
        </div>
        <div className="field f-target">
          <label htmlFor={id + "target"}>{t("search.target")}</label>
          <input id={id + "target"} type="text" value={target} maxLength={100} onChange={(e) => setTarget(e.target.value)} onBlur={() => target !== state.target && onChange({ q, target })} aria-describedby={id + "th"} />
          <span className="hint" id={id + "th"}>
            {t("search.targetHint")}
          </span>
        </div>
        <div className="field checkbox">
          <input id={id + "dist"} type="checkbox" checked={state.distinguished} onChange={(e) => onChange({ distinguished: e.target.checked })} />
          <label htmlFor={id + "dist"}>{t("search.distinguishedOnly")}</label>
        </div>
      </fieldset>
    </form>
  );
}

function categoryLabel(year: number, number: number, name: string, withYear: boolean): string {
  return withYear ? `${year} · ${number}. ${name}` : `${number}. ${name}`;
}

function Hit({ hit }: { hit: SearchHit }) {
  const t = useT();
  const { locale } = useLocale();
  const cat = hit.category!;
  return (
    <li className="search-hit">
      <article>
        <h3>
          <Link to={`/practices/${hit.practiceId}`}>{hit.title}</Link>
        </h3>
        <p className="search-meta">
          <Link to={`/cities/${hit.city!.id}`}>{hit.city!.name}</Link>
          <span aria-hidden="true"> · </span>
          <Link to={`/results/${hit.editionYear}`} aria-label={t("search.editionLink", { year: hit.editionYear })}>
            {hit.editionYear}
          </Link>
          <span aria-hidden="true"> · </span>
          <span>
            {cat.number}. {textIn(locale, cat.names)}
          </span>
          {hit.distinguished ? (
            <>
              {" "}
              <span className="badge ok">{t("search.distinguished")}</span>
            </>
          ) : null}
        </p>
        {hit.snippet.length ? <Snippet parts={hit.snippet} truncated={hit.snippetTruncated} /> : null}
      </article>
    </li>
  );
}

/** Snippet renders the server's plain-text parts as text, the matching ones marked: never as HTML. */
export function Snippet({ parts, truncated }: { parts: SnippetPart[]; truncated: boolean }) {
  return (
    <p className="snippet">
      {parts.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
      {truncated ? "…" : null}
    </p>
  );
}
