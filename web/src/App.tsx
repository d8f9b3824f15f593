import { BrowserRouter, Route, Routes } from "react-router";
import { Layout, MeProvider } from "./components";
import { LocaleProvider, useT } from "./i18n";
import { BallotPage } from "./pages/Ballot";
import { Home } from "./pages/Home";
import { OrganisePage } from "./pages/Organise";
import { ReportPage } from "./pages/Report";
import { ResultsPage } from "./pages/Results";

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
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/editions/:editionId/report/:cityId" element={<ReportPage />} />
              <Route path="/editions/:editionId/ballot" element={<BallotPage />} />
              <Route path="/editions/:editionId/organise" element={<OrganisePage />} />
              <Route path="/results/:year" element={<ResultsPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Layout>
        </MeProvider>
      </BrowserRouter>
    </LocaleProvider>
  );
}
