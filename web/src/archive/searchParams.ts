// The search page keeps its query and filters in the URL (/search?q=&edition=&category=&city=
// &distinguished=&target=&page=), so that a search can be shared, bookmarked and reloaded; these turn
// the URL into the request and back.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SearchPracticesRequestSchema } from "../gen/miasta/v1/search_pb.js";

export type SearchRequest = MessageInitShape<typeof SearchPracticesRequestSchema>;

/** The filters and query the page shows, as the URL spells them ("" for none). */
export interface SearchState {
  q: string;
  edition: string;
  category: string;
  city: string;
  distinguished: boolean;
  target: string;
  page: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** stateFrom reads the URL's parameters, dropping values the server would refuse (a hand-edited URL). */
export function stateFrom(params: URLSearchParams): SearchState {
  const year = params.get("edition") ?? "";
  const id = (name: string) => {
    const v = params.get(name) ?? "";
    return UUID.test(v) ? v.toLowerCase() : "";
  };
  return {
    q: (params.get("q") ?? "").slice(0, 200),
    edition: /^(20[1-9][0-9]|2100)$/.test(year) && Number(year) >= 2014 ? year : "",
    category: id("category"),
    city: id("city"),
    distinguished: params.get("distinguished") === "1",
    target: (params.get("target") ?? "").slice(0, 100),
    page: (params.get("page") ?? "").slice(0, 200),
  };
}

/** paramsFrom writes state back, leaving out what is empty so that URLs stay short. */
export function paramsFrom(s: SearchState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set("q", s.q.trim());
  if (s.edition) p.set("edition", s.edition);
  if (s.category) p.set("category", s.category);
  if (s.city) p.set("city", s.city);
  if (s.distinguished) p.set("distinguished", "1");
  if (s.target.trim()) p.set("target", s.target.trim());
  if (s.page) p.set("page", s.page);
  return p;
}

/** requestFrom is the SearchPractices request for state. */
export function requestFrom(s: SearchState, pageSize = 20): SearchRequest {
  return {
    query: s.q.trim(),
    editionYear: s.edition ? Number(s.edition) : 0,
    categoryId: s.category,
    cityId: s.city,
    distinguishedOnly: s.distinguished,
    targetGroup: s.target.trim(),
    pageSize,
    pageToken: s.page,
  };
}
