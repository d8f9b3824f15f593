import { create } from "@bufbuild/protobuf";
import { describe, expect, test } from "vitest";
import { CitySchema } from "../gen/miasta/v1/edition_pb.js";
import { InvitationSchema, Role } from "../gen/miasta/v1/identity_pb.js";
import { JurorProgressSchema, ProgressState } from "../gen/miasta/v1/jury_pb.js";
import { loneJurorCities, notCast } from "./peopleMath";

const juror = (city: string) => create(InvitationSchema, { role: Role.JUROR, city: create(CitySchema, { name: city }) });

describe("loneJurorCities", () => {
  test("names the cities with exactly one juror, in Polish order", () => {
    const got = loneJurorCities([juror("Łódź"), juror("Gdańsk"), juror("Gdańsk"), juror("Lublin"), juror("Białystok")]);
    expect(got).toEqual(["Białystok", "Lublin", "Łódź"]);
  });
  test("nothing when every city has two jurors or more", () => {
    expect(loneJurorCities([juror("Gdańsk"), juror("Gdańsk")])).toEqual([]);
    expect(loneJurorCities([])).toEqual([]);
  });
});

describe("notCast", () => {
  const jp = (name: string, ...states: ProgressState[]) =>
    create(JurorProgressSchema, { displayName: name, categories: states.map((state, i) => ({ categoryId: "c" + i, state })) });
  test("names who has something left to score, cast or recused everywhere else", () => {
    const got = notCast([
      jp("Zofia", ProgressState.CAST, ProgressState.CAST),
      jp("Łukasz", ProgressState.CAST, ProgressState.DRAFT),
      jp("Ana", ProgressState.NOT_STARTED, ProgressState.NOT_STARTED),
      jp("Kwame", ProgressState.CAST, ProgressState.RECUSED),
    ]);
    expect(got).toEqual(["Ana", "Łukasz"]);
  });
  test("nobody when everyone cast", () => {
    expect(notCast([jp("Zofia", ProgressState.CAST)])).toEqual([]);
  });
});
