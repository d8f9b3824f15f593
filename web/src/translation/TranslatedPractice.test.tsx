import { create } from "@bufbuild/protobuf";
import { fireEvent, screen } from "@testing-library/dom";
import { act } from "react-dom/test-utils";
import { createRoot, type Root } from "react-dom/client";
import { IntlProvider } from "react-intl";
import { afterEach, describe, expect, it } from "vitest";
import { CriterionSchema } from "../gen/miasta/v1/edition_pb.js";
import { PracticeSchema } from "../gen/miasta/v1/report_pb.js";
import { PracticeTranslationSchema, TranslationStatus } from "../gen/miasta/v1/translation_pb.js";
import en from "../i18n/en.json";
import { TranslatedPractice } from "./TranslatedPractice";

// The app runs on Preact (see vite.config.ts), so the test renders through the aliased react-dom
// rather than @testing-library/react, which would load React itself.
let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  document.body.replaceChildren();
});

const practice = create(PracticeSchema, {
  title: "Centrum Wielokulturowe",
  description: "Porady i kursy.",
  narratives: [{ criterionId: "c1", text: "Łączy pomoc prawną." }],
});
const criteria = [create(CriterionSchema, { id: "c1", namePl: "Kompleksowość", nameEn: "Comprehensiveness", names: { pl: "Kompleksowość", en: "Comprehensiveness" } })];

function show(translation?: ReturnType<typeof create<typeof PracticeTranslationSchema>>, lang = "uk") {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  act(() =>
    root!.render(
      <IntlProvider locale="en" messages={en}>
        <TranslatedPractice practice={practice} translation={translation} lang={lang} criteria={criteria} />
      </IntlProvider>,
    ),
  );
}

describe("TranslatedPractice", () => {
  it("shows the translation with each block's lang, the original one tap away, and notes", () => {
    show(
      create(PracticeTranslationSchema, {
        practiceId: "p", language: "uk", version: 1n, status: TranslationStatus.MACHINE,
        texts: [{ field: "title", text: "Багатокультурний центр" }, { field: "description", text: "Поради й курси.", outdated: true }],
      }),
    );
    expect(screen.getByRole("heading", { name: "Багатокультурний центр" }).getAttribute("lang")).toBe("uk");
    expect(screen.getByText("Поради й курси.").getAttribute("lang")).toBe("uk");
    expect(screen.getByText("Łączy pomoc prawną.").getAttribute("lang")).toBe("pl"); // not translated: the original
    expect(screen.getByText(en["translation.machineNote"])).toBeTruthy();
    expect(screen.getByText(en["translation.outdatedNote"])).toBeTruthy();
    expect(screen.getByText(en["translation.partialNote"])).toBeTruthy();
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: en["translation.showOriginal"] }));
    });
    expect(screen.getByRole("heading", { name: "Centrum Wielokulturowe" }).getAttribute("lang")).toBe("pl");
    expect(screen.getByRole("button", { pressed: true })).toBeTruthy();
  });

  it("says when there is no translation and shows the original", () => {
    show(undefined, "vi");
    expect(screen.getByRole("heading", { name: "Centrum Wielokulturowe" }).getAttribute("lang")).toBe("pl");
    expect(screen.getByRole("note").textContent).toContain("Tiếng Việt");
  });
});
