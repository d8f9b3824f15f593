// The preloads must be the pages' own calls, request for request: a preload the page does not ask for
// is a wasted call on a slow network, and a call the page makes that was not preloaded goes out a
// round trip late. Each test sends a page's preloads, renders the page, and checks that the page
// asked for every preloaded call and sent nothing else.
import { waitFor } from "@testing-library/dom";
import type { ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { BallotPage } from "./ballot/Ballot";
import { preloadBallot } from "./ballot/preload";
import { Home } from "./home/Home";
import { preloadHome } from "./home/preload";
import { LocaleProvider } from "./i18n";
import { ResultsPage } from "./results/Results";
import { preloadResults } from "./results/preload";
import { forgetBoot } from "./shared/boot";
import { api, Code, errorCode } from "./shared/api";
import { forgetAll, waitingCalls } from "./shared/preload";
import { start } from "./start";

const EDITION = "0b6b6f1e-0000-4000-8000-000000000001";

/** Answers, in the API's JSON, for the calls whose pages need more than an empty message. */
const answers: Record<string, unknown> = {
  "miasta.v1.EditionService/GetEdition": { edition: { id: EDITION, year: 2015, stage: "STAGE_JURY" } },
  "miasta.v1.ResultsService/GetTallyRule": { rule: {} },
  "miasta.v1.JuryService/GetBallot": { ballot: {} },
  "miasta.v1.ArchiveService/GetPublicEditionResults": { edition: { id: EDITION, year: 2015 } },
};

let sent: string[];

beforeEach(() => {
  sent = [];
  forgetAll();
  forgetBoot();
  document.getElementById("miasta-boot")?.remove();
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const procedure = new URL(String(input instanceof Request ? input.url : input)).pathname.slice(1);
    sent.push(procedure + " " + String(init?.body ?? ""));
    return new Response(JSON.stringify(answers[procedure] ?? {}), { status: 200, headers: { "Content-Type": "application/json" } });
  });
});

let root: Root | undefined;

afterEach(() => {
  root?.unmount();
  root = undefined;
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

/** at renders page at path, as the app's router would (the app runs on Preact: see vite.config.ts). */
function at(path: string, pattern: string, page: ReactNode, locale: "en" | "pl" = "en") {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  root.render(
    <LocaleProvider locale={locale}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={pattern} element={page} />
        </Routes>
      </MemoryRouter>
    </LocaleProvider>,
  );
}

/** settled waits until the page has asked for every preloaded call, then a little longer. */
async function settled() {
  await waitFor(() => expect(waitingCalls()).toEqual([]));
  await new Promise((r) => setTimeout(r, 50));
}

describe("a page's preloads are its own calls", () => {
  test("the ballot, with the reports in the juror's language", async () => {
    await preloadBallot(EDITION, "en");
    const preloaded = sent.length;
    expect(preloaded).toBe(7);
    expect(sent.some((s) => s.startsWith("miasta.v1.TranslationService/ListBallotTranslations "))).toBe(true);
    at(`/editions/${EDITION}/ballot`, "/editions/:editionId/ballot", <BallotPage />);
    await settled();
    expect(sent).toHaveLength(preloaded);
  });
  test("the ballot in Polish, the originals' language: no translations", async () => {
    await preloadBallot(EDITION, "pl");
    const preloaded = sent.length;
    expect(preloaded).toBe(6);
    at(`/editions/${EDITION}/ballot`, "/editions/:editionId/ballot", <BallotPage />, "pl");
    await settled();
    expect(sent).toHaveLength(preloaded);
  });
  test("the home page", async () => {
    preloadHome();
    at("/", "/", <Home />);
    await settled();
    expect(sent).toHaveLength(1);
  });
  test("the results and the log's key, in one round trip (the results carry the criteria)", async () => {
    await preloadResults(2015, "en");
    at("/results/2015", "/results/:year", <ResultsPage />);
    await settled();
    expect(sent.map((s) => s.split(" ")[0]).sort()).toEqual([
      "miasta.v1.ArchiveService/GetPublicEditionResults",
      "miasta.v1.AuditService/GetPublicKey",
    ]);
  });
  test("a preload is used once: the page's next call goes to the server", async () => {
    preloadHome();
    await api.editions.listEditions({ pageSize: 50 });
    await api.editions.listEditions({ pageSize: 50 });
    expect(sent).toHaveLength(2);
  });
});

describe("start takes who is signed in from the page's HTML", () => {
  function bootWith(json: string) {
    const el = document.createElement("script");
    el.type = "application/json";
    el.id = "miasta-boot";
    el.textContent = json;
    document.head.append(el);
  }
  test("signed in: GetMe is answered without a call", async () => {
    bootWith(JSON.stringify({ me: { me: { user: { id: "u1", name: "Kwame Owusu" }, organiser: false } } }));
    start("/nowhere");
    const res = await api.identity.getMe({});
    expect(res.me?.user?.name).toBe("Kwame Owusu");
    expect(sent).toEqual([]);
  });
  test("signed out: GetMe fails as the server would, without a call", async () => {
    bootWith(JSON.stringify({ me: null }));
    start("/nowhere");
    const err = await api.identity.getMe({}).catch((e: unknown) => e);
    expect(errorCode(err)).toBe(Code.Unauthenticated);
    expect(sent).toEqual([]);
  });
  test("signed out: the ballot's calls, which need a juror, are not sent", () => {
    bootWith(JSON.stringify({ me: null }));
    start(`/editions/${EDITION}/ballot`);
    expect(sent).toEqual([]);
  });
  test("no boot (npm run dev): GetMe is sent at once", () => {
    start("/nowhere");
    expect(sent.map((s) => s.split(" ")[0])).toEqual(["miasta.v1.IdentityService/GetMe"]);
  });
});
