import { create } from "@bufbuild/protobuf";
import { describe, expect, test } from "vitest";
import { CitySchema } from "../gen/miasta/v1/edition_pb.js";
import { InvitationSchema, InvitationState, Role } from "../gen/miasta/v1/identity_pb.js";
import { JurorProgressSchema, ProgressState } from "../gen/miasta/v1/jury_pb.js";
import { listPeople, loneJurorCities, notCast } from "./peopleMath";

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

describe("listPeople", () => {
  const inv = (displayName: string, email: string, role: Role, state: InvitationState, city = "") =>
    create(InvitationSchema, { displayName, email, role, state, city: city ? create(CitySchema, { name: city }) : undefined });
  const all = [
    inv("Zofia Łęcka", "zofia@miasta.test", Role.EXPERT, InvitationState.ACCEPTED, "Łódź"),
    inv("Amani Wanjiru", "amani@miasta.test", Role.JUROR, InvitationState.PENDING, "Łódź"),
    inv("Kwame Owusu", "kwame@miasta.test", Role.JUROR, InvitationState.ACCEPTED, "Gdańsk"),
    inv("Ewa Partnerka", "ewa@miasta.test", Role.OBSERVER, InvitationState.REVOKED),
  ];
  const names = (l: { displayName: string }[]) => l.map((i) => i.displayName);
  test("sorts by name, in Polish order, and keeps the order of ties", () => {
    expect(names(listPeople(all, { role: "all", state: "all", text: "" }, "name"))).toEqual(["Amani Wanjiru", "Ewa Partnerka", "Kwame Owusu", "Zofia Łęcka"]);
    expect(names(listPeople(all, { role: "all", state: "all", text: "" }, "city"))).toEqual(["Ewa Partnerka", "Kwame Owusu", "Zofia Łęcka", "Amani Wanjiru"]);
  });
  test("filters by role, state and words, ignoring case and accents", () => {
    expect(names(listPeople(all, { role: Role.JUROR, state: "all", text: "" }, "name"))).toEqual(["Amani Wanjiru", "Kwame Owusu"]);
    expect(names(listPeople(all, { role: "all", state: InvitationState.ACCEPTED, text: "lodz" }, "name"))).toEqual(["Zofia Łęcka"]);
    expect(names(listPeople(all, { role: "all", state: "all", text: "LECKA zofia" }, "name"))).toEqual(["Zofia Łęcka"]);
    expect(listPeople(all, { role: "all", state: "all", text: "nobody" }, "name")).toEqual([]);
  });
});
