import { create } from "@bufbuild/protobuf";
import { screen } from "@testing-library/dom";
import { act } from "react-dom/test-utils";
import { createRoot, type Root } from "react-dom/client";
import { IntlProvider } from "react-intl";
import { afterEach, describe, expect, it } from "vitest";
import { CriterionSchema } from "../gen/miasta/v1/edition_pb.js";
import { ReportSchema } from "../gen/miasta/v1/report_pb.js";
import { PracticeTranslationSchema, TranslationStatus, type PracticeTranslation } from "../gen/miasta/v1/translation_pb.js";
import en from "../i18n/en.json";
import { ReportView } from "./ReportView";

// Rendered through the aliased react-dom (the app runs on Preact), as TranslatedPractice.test.tsx.
let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  document.body.replaceChildren();
});

const criteria = [create(CriterionSchema, { id: "c1", names: { pl: "Kompleksowość", en: "Comprehensiveness" } })];
const report = create(ReportSchema, {
  introduction: "Wstęp raportu.",
  practices: [
    { id: "p1", title: "Centrum Wielokulturowe", description: "Porady i kursy.", narratives: [{ criterionId: "c1", text: "Łączy pomoc prawną." }] },
    { id: "p2", title: "Szkoła językowa", description: "Kursy polskiego." },
  ],
});

function show(lang: string, translations?: Map<string, PracticeTranslation>) {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  act(() =>
    root!.render(
      <IntlProvider locale="en" messages={en}>
        <ReportView report={report} categories={[]} criteria={criteria} lang={lang} translations={translations} />
      </IntlProvider>,
    ),
  );
}

describe("ReportView in a jurors' language", () => {
  it("shows each practice as jurors read it and says what stays in Polish", () => {
    const uk = create(PracticeTranslationSchema, {
      practiceId: "p1",
      language: "uk",
      version: 2n,
      status: TranslationStatus.REVIEWED,
      outdated: true,
      texts: [
        { field: "title", text: "Багатокультурний центр" },
        { field: "description", text: "Поради й курси." },
        { field: "narrative.c1", text: "Поєднує правову допомогу.", outdated: true },
      ],
    });
    show("uk", new Map([["p1", uk]]));
    expect(screen.getByText("Багатокультурний центр").getAttribute("lang")).toBe("uk");
    expect(screen.getByText("Поєднує правову допомогу.").getAttribute("lang")).toBe("uk");
    expect(screen.getByText(en["translation.blockOutdated"])).toBeTruthy();
    expect(screen.getByText(en["translation.outdatedNote"])).toBeTruthy();
    // The second practice has no Ukrainian translation: the original, said so.
    expect(screen.getByText("Szkoła językowa").getAttribute("lang")).toBe("pl");
    expect(screen.getByText(/There is no translation into Українська yet/)).toBeTruthy();
    // The introduction is never translated.
    expect(screen.getByText("Wstęp raportu.").getAttribute("lang")).toBe("pl");
    expect(screen.getByText(en["report.previewNotTranslated"])).toBeTruthy();
  });

  it("in Polish is the organisers' view, without notes", () => {
    show("pl");
    expect(screen.getByText("Centrum Wielokulturowe")).toBeTruthy();
    expect(screen.queryByText(en["report.previewNotTranslated"])).toBeNull();
    expect(screen.queryByRole("note")).toBeNull();
  });
});
