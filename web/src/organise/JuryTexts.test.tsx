import { fireEvent, screen } from "@testing-library/dom";
import { act } from "react-dom/test-utils";
import { createRoot, type Root } from "react-dom/client";
import { IntlProvider } from "react-intl";
import { afterEach, describe, expect, it } from "vitest";
import en from "../i18n/en.json";
import { cleaned, JuryTextEditor, sameTexts } from "./JuryTexts";

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  document.body.replaceChildren();
});

function show(initial: Record<string, string>, save: (t: Record<string, string>) => Promise<unknown>) {
  const el = document.createElement("div");
  document.body.append(el);
  root = createRoot(el);
  act(() =>
    root!.render(
      <IntlProvider locale="en" messages={en}>
        <JuryTextEditor title="Justification" hint="hint" initial={initial} max={2000} rows={3} save={save} />
      </IntlProvider>,
    ),
  );
}

const type = (label: string, value: string) =>
  act(() => {
    fireEvent.input(screen.getByLabelText(label), { target: { value } });
  });

describe("the jury's texts", () => {
  it("sends only the languages with text, trimmed", () => {
    expect(cleaned({ pl: "  Tak. ", en: "", uk: "   ", vi: "Có." })).toEqual({ pl: "Tak.", vi: "Có." });
    expect(sameTexts({ pl: "Tak.", en: "" }, { pl: "Tak. " })).toBe(true);
    expect(sameTexts({ pl: "Tak." }, { pl: "Tak.", en: "Yes." })).toBe(false);
  });

  it("saves Polish and a translation, then says it is saved", async () => {
    const sent: Record<string, string>[] = [];
    show({}, async (t) => {
      sent.push(t);
    });
    const save = screen.getByRole("button", { name: en["jury.save"] }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    type("Polski (required)", "Za punkt obsługi.");
    type("English", " For the service point. ");
    expect(screen.getByTestId("save-state").textContent).toBe(en["save.dirty"]);
    await act(async () => {
      fireEvent.click(save);
    });
    expect(sent).toEqual([{ pl: "Za punkt obsługi.", en: "For the service point." }]);
    expect(screen.getByTestId("save-state").textContent).toMatch(/^All changes saved/);
    expect(save.disabled).toBe(true);
  });

  it("refuses a translation without Polish and sends nothing; emptying everything removes the text", async () => {
    const sent: Record<string, string>[] = [];
    show({ pl: "Stary tekst." }, async (t) => {
      sent.push(t);
    });
    type("Polski (required)", "");
    type("English", "English only.");
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: en["jury.save"] }));
    });
    expect(sent).toEqual([]);
    expect(screen.getByText(en["jury.polishRequired"])).toBeTruthy();
    expect(screen.getByLabelText("Polski (required)").getAttribute("aria-invalid")).toBe("true");
    type("English", "");
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: en["jury.remove"] }));
    });
    expect(sent).toEqual([{}]);
  });

  it("shows a refused save as not saved, with the error", async () => {
    show({}, async () => {
      throw new Error("offline");
    });
    type("Polski (required)", "Tekst.");
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: en["jury.save"] }));
    });
    expect(screen.getByRole("alert")).toBeTruthy();
  });
});
