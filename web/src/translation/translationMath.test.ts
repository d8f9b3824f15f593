import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PracticeSchema } from "../gen/miasta/v1/report_pb.js";
import { PracticeTranslationSchema, SourceTextSchema, TranslationStatus } from "../gen/miasta/v1/translation_pb.js";
import { blocksOf, draftOf, edited, notesOf, outdatedIn, readsOf, textsOf } from "./translationMath";

const practice = create(PracticeSchema, {
  title: "Centrum Wielokulturowe",
  description: "",
  narratives: [{ criterionId: "c1", text: "Łączy pomoc prawną." }, { criterionId: "c2", text: "3 000 osób." }],
});

describe("blocksOf and notesOf", () => {
  it("shows each text's translation, else its original, and says so", () => {
    const tr = create(PracticeTranslationSchema, {
      practiceId: "p", language: "uk", version: 2n, status: TranslationStatus.MACHINE,
      texts: [{ field: "title", text: "Багатокультурний центр" }, { field: "narrative.c2", text: "3 000 осіб.", outdated: true }],
    });
    const blocks = blocksOf(practice, tr);
    expect(blocks.map((b) => [b.field, b.translated ?? null, b.outdated])).toEqual([
      ["title", "Багатокультурний центр", false],
      ["narrative.c1", null, false],
      ["narrative.c2", "3 000 осіб.", true],
    ]);
    expect(notesOf(blocks, tr)).toEqual({ none: false, partial: true, outdated: true, machine: true });
    expect(notesOf(blocksOf(practice), undefined).none).toBe(true);
  });
});

describe("readsOf", () => {
  it("lists each translation on screen once, only of the practices given, never a version 0", () => {
    const t = (practiceId: string, language: string, version: bigint) => create(PracticeTranslationSchema, { practiceId, language, version });
    const reads = readsOf([t("b", "uk", 3n), t("a", "uk", 1n), t("a", "uk", 1n), t("c", "uk", 0n), t("d", "uk", 2n)], ["a", "b", "c"]);
    expect(reads).toEqual([
      { practiceId: "a", language: "uk", version: 1n },
      { practiceId: "b", language: "uk", version: 3n },
    ]);
  });
});

describe("the translator's draft", () => {
  const src = create(SourceTextSchema, { field: "title", text: "Centrum", sha256: "sha256:new" });
  it("ties an edited text to the original the translator sees, and keeps an untouched one's version", () => {
    const d = draftOf(create(PracticeTranslationSchema, { texts: [{ field: "title", text: "Центр", sourceSha256: "sha256:old" }] }));
    expect(outdatedIn(d, src)).toBe(true);
    const e = edited(d, src, "Центр!");
    expect(outdatedIn(e, src)).toBe(false);
    expect(textsOf({ ...e, description: { text: "  ", sourceSha256: "" } }, [src, create(SourceTextSchema, { field: "description" })])).toEqual([
      { field: "title", text: "Центр!", sourceSha256: "sha256:new" },
    ]);
  });
});

describe("the catalogues name every status and import problem", () => {
  it("has a message for each enum value the pages look up", async () => {
    const en = (await import("../i18n/en.json")).default as Record<string, string>;
    const { XliffProblemKind } = await import("../gen/miasta/v1/translation_pb.js");
    for (const name of Object.values(TranslationStatus).filter((v) => typeof v === "string")) {
      expect(en, name as string).toHaveProperty("translation.status." + name);
    }
    for (const name of Object.values(XliffProblemKind).filter((v) => typeof v === "string")) {
      expect(en, name as string).toHaveProperty("xliff.problem." + name);
    }
  });
});
