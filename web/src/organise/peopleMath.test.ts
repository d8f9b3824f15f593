import { create } from "@bufbuild/protobuf";
import { describe, expect, test } from "vitest";
import { CitySchema } from "../gen/miasta/v1/edition_pb.js";
import { InvitationSchema, Role } from "../gen/miasta/v1/identity_pb.js";
import { loneJurorCities } from "./peopleMath";

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
