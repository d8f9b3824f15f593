import { lazy, Suspense } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { Layout, Loading, MeProvider } from "./shared/components";
import { LocaleProvider, useT } from "./i18n";

// Each page loads when first opened, the home page too: the public results page does not carry the
// organiser's, and the first download is only what every page needs. The server names the page's
// chunk in the HTML (web.go), so it downloads beside the app's own script rather than after it.
const Home = lazy(() => import("./home/Home").then((m) => ({ default: m.Home })));
const ReportPage = lazy(() => import("./report/Report").then((m) => ({ default: m.ReportPage })));
const BallotPage = lazy(() => import("./ballot/Ballot").then((m) => ({ default: m.BallotPage })));
const OrganisePage = lazy(() => import("./organise/Organise").then((m) => ({ default: m.OrganisePage })));
const TranslatePage = lazy(() => import("./translation/Translate").then((m) => ({ default: m.TranslatePage })));
const ResultsPage = lazy(() => import("./results/Results").then((m) => ({ default: m.ResultsPage })));
const SearchPage = lazy(() => import("./archive/Search").then((m) => ({ default: m.SearchPage })));
// The public archive (issue 19): the editions, a city's and a practice's page.
const EditionsPage = lazy(() => import("./archive/Editions").then((m) => ({ default: m.EditionsPage })));
const CityPage = lazy(() => import("./archive/City").then((m) => ({ default: m.CityPage })));
// The privacy notice (issue 21): public, edited by the platform's organisers on the page itself.
const PrivacyPage = lazy(() => import("./privacy/Privacy").then((m) => ({ default: m.PrivacyPage })));
const PracticePage = lazy(() => import("./archive/Practice").then((m) => ({ default: m.PracticePage })));

function NotFound() {
  const t = useT();
  return <h1>{t("common.notFound")}</h1>;
}

export function App() {
  return (
    <LocaleProvider>
      <BrowserRouter>
        <MeProvider>
          <Layout>
            <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/editions/:editionId/report/:cityId" element={<ReportPage />} />
              <Route path="/editions/:editionId/ballot" element={<BallotPage />} />
              <Route path="/editions/:editionId/organise" element={<OrganisePage />} />
              <Route path="/translate/:editionId" element={<TranslatePage />} />
              <Route path="/results" element={<EditionsPage />} />
              <Route path="/results/:year" element={<ResultsPage />} />
              <Route path="/search" element={<SearchPage />} />
              <Route path="/results/:year/category/:number" element={<ResultsPage />} />
              <Route path="/cities/:cityId" element={<CityPage />} />
              <Route path="/practices/:practiceId" element={<PracticePage />} />
              <Route path="/privacy" element={<PrivacyPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
            </Suspense>
          </Layout>
        </MeProvider>
      </BrowserRouter>
    </LocaleProvider>
  );
}
