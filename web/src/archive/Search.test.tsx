import { act } from "react-dom/test-utils";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { screen } from "@testing-library/dom";
import { SearchPracticesResponseSchema, SnippetPartSchema } from "../gen/miasta/v1/search_pb.js";
import { LocaleProvider } from "../i18n";
import { paramsFrom, requestFrom, stateFrom } from "./searchParams";
import { SearchForm, Snippet } from "./Search";

describe("the search URL", () => {
  it("round-trips the query and every filter", () => {
    const url = "q=lodz+integracja&edition=2015&category=0B6B6F1E-0000-4000-8000-000000000001&city=0b6b6f1e-0000-4000-8000-000000000002&distinguished=1&target=uchod%C5%BAcy&page=eyJvIjoyMH0";
    const s = stateFrom(new URLSearchParams(url));
    expect(s).toEqual({
      q: "lodz integracja",
      edition: "2015",
      category: "0b6b6f1e-0000-4000-8000-000000000001",
      city: "0b6b6f1e-0000-4000-8000-000000000002",
      distinguished: true,
      target: "uchodźcy",
      page: "eyJvIjoyMH0",
    });
    expect(stateFrom(paramsFrom(s))).toEqual(s);
    expect(requestFrom(s)).toEqual({
      query: "lodz integracja",
      editionYear: 2015,
      categoryId: "0b6b6f1e-0000-4000-8000-000000000001",
      cityId: "0b6b6f1e-0000-4000-8000-000000000002",
      distinguishedOnly: true,
      targetGroup: "uchodźcy",
      pageSize: 20,
      pageToken: "eyJvIjoyMH0",
    });
  });
  it("drops what the server would refuse and leaves out what is empty", () => {
    const s = stateFrom(new URLSearchParams("q=" + "a".repeat(300) + "&edition=1999&category=x&city=%27;drop&distinguished=yes"));
    expect(s.q).toHaveLength(200);
    expect([s.edition, s.category, s.city, s.distinguished]).toEqual(["", "", "", false]);
    expect(paramsFrom({ ...s, q: "  " }).toString()).toBe("");
    expect(requestFrom({ ...s, q: "" }).editionYear).toBe(0);
  });
});

describe("Snippet", () => {
  let root: Root | undefined;
  afterEach(() => {
    act(() => root?.unmount());
    document.body.innerHTML = "";
  });
  it("renders the server's parts as text, marking the matches, never as HTML", () => {
    const el = document.createElement("div");
    document.body.append(el);
    root = createRoot(el);
    const parts = [
      create(SnippetPartSchema, { text: "Punkt dla " }),
      create(SnippetPartSchema, { text: "migrantów", match: true }),
      create(SnippetPartSchema, { text: ' <img src=x onerror="alert(1)"> w Łodzi' }),
    ];
    act(() => root!.render(<Snippet parts={parts} truncated />));
    expect(el.querySelector("img")).toBeNull();
    expect([...el.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["migrantów"]);
    expect(el.textContent).toBe('Punkt dla migrantów <img src=x onerror="alert(1)"> w Łodzi…');
  });
});

describe("SearchForm", () => {
  let root: Root | undefined;
  afterEach(() => {
    act(() => root?.unmount());
    document.body.innerHTML = "";
  });
  const show = async (facetsCounted: boolean) => {
    const el = document.createElement("div");
    document.body.append(el);
    root = createRoot(el);
    const response = create(SearchPracticesResponseSchema, {
      totalCount: 2000,
      totalIsLowerBound: !facetsCounted,
      facetsCounted,
      editions: [{ year: 2024, count: facetsCounted ? 12 : 0 }],
      cities: [{ city: { id: "0b6b6f1e-0000-4000-8000-000000000002", name: "Łódź" }, count: facetsCounted ? 7 : 0 }],
    });
    const state = stateFrom(new URLSearchParams("q=integracja"));
    await act(async () => {
      root!.render(
        <LocaleProvider locale="en">
          <SearchForm state={state} response={response} onChange={() => {}} />
        </LocaleProvider>,
      );
    });
    await vi.waitFor(() => expect(screen.getByLabelText("Edition")).toBeTruthy());
    return [...(screen.getByLabelText("Edition") as HTMLSelectElement).options, ...(screen.getByLabelText("City") as HTMLSelectElement).options].map((o) => o.text);
  };
  it("counts the filters' options when the server counted them", async () => {
    expect(await show(true)).toEqual(["All editions", "2024 (12)", "All cities", "Łódź (7)"]);
  });
  it("names the options without a count when the search matched more than the server counts", async () => {
    expect(await show(false)).toEqual(["All editions", "2024", "All cities", "Łódź"]);
  });
});
