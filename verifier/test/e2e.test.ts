// End-to-end: bundles built per the spec (test/scenario.ts), verified whole,
// then changed in one respect — re-signed where the change is to meaning —
// so that exactly the named check must catch them.

import { describe, expect, test } from "vitest";
import type { JsonObject } from "../src/canonical.ts";
import { serialize } from "../src/canonical.ts";
import { verify, type Result } from "../src/index.ts";
import { bundleText, castEntry, checkpointText, clone, commitment, criterionRule, EditionBuilder, hashOf, makeSigner, ruleJson, seal, type Signer, type Publication } from "./helpers.ts";
import { fullScenario, type Scenario } from "./scenario.ts";

interface Built {
  s: Scenario;
  signer: Signer;
  bundle: JsonObject;
  text: string;
}

async function build(pub: Publication = "names", opts: { stopAt?: string; skipDecision?: boolean } = {}): Promise<Built> {
  const s = fullScenario(pub, opts);
  const signer = await makeSigner();
  const bundle = s.b.bundle(signer);
  const text = await seal(bundle, signer);
  return { s, signer, bundle, text };
}

const events = (b: JsonObject, kind?: string) =>
  (b.log as JsonObject[]).filter((e) => !("digest" in e) && (kind === undefined || e.kind === kind));
const pl = (e: JsonObject) => e.payload as JsonObject;
const maxId = (b: JsonObject) => Math.max(...events(b).map((e) => e.id as number));

function expectFail(r: Result, check: string): void {
  if (r.ok) throw new Error(`expected ${check} to fail, but the bundle verified`);
  if (process.env.SHOW_FAILS) console.log(`${r.check}: ${r.message}`);
  expect(`${r.check}: ${r.message}`).toMatch(new RegExp(`^${check}: `));
}

async function resigned(pub: Publication, mutate: (b: JsonObject, x: Built) => void, opts: { stopAt?: string; skipDecision?: boolean } = {}) {
  const x = await build(pub, opts);
  const b = clone(x.bundle);
  mutate(b, x);
  return { text: await seal(b, x.signer), key: x.signer.verifierKey };
}

/** Changed without re-signing: the old checkpoint stays. */
async function unsigned(pub: Publication, mutate: (b: JsonObject, x: Built) => void, opts: { stopAt?: string } = {}) {
  const x = await build(pub, opts);
  const b = JSON.parse(x.text);
  mutate(b, x);
  return { text: serialize(b), key: x.signer.verifierKey };
}

describe("valid bundles", () => {
  for (const pub of ["names", "pseudonyms", "aggregates"] as const) {
    test(`${pub}: the whole edition verifies`, async () => {
      const x = await build(pub);
      const r = await verify(x.text, { key: x.signer.verifierKey });
      if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
      const s = r.summary;
      expect(s.final_stage).toBe("ANNOUNCED");
      expect(s.year).toBe(2025);
      expect(s.checkpoint_size).toBe((x.bundle.log as unknown[]).length);
      expect(s.counted_casts).toBe(3);
      expect(s.winners).toEqual([x.s.ids.n3, x.s.ids.n5]);
      expect(s.moves_back.map((m) => `${m.from}>${m.to}`)).toEqual(["JURY>REVIEW", "TALLIED>JURY"]);
      expect(s.moves_back[1].reason).toMatch(/correct a mark/);
      expect(s.moves_back[1].actor).toEqual(x.s.b.organiser);
      expect(s.overrides.map((m) => m.reason)).toEqual(["Not every report was accepted in time."]);
      expect(s.jury_decisions.map((d) => [d.nomination_ids, d.reason, d.in_force])).toEqual([
        [[x.s.ids.n3, x.s.ids.n2], "The jury voted 4 to 3.", true],
      ]);
      expect(s.trusted_embedded_key).toBe(false);
    });
  }

  for (const stopAt of ["review", "jury", "tallied1", "tallied2"]) {
    for (const pub of ["names", "aggregates"] as const) {
      test(`${pub}: a bundle whose checkpoint is at ${stopAt} verifies`, async () => {
        const x = await build(pub, { stopAt });
        const r = await verify(x.text, { key: x.signer.verifierKey });
        if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
        expect(r.summary.winners).toBeNull();
        expect(r.summary.counted_casts).toBe(stopAt.startsWith("tallied") ? 3 : null);
      });
    }
  }

  test("a nomination taken off with the practice it was nominated with verifies (review)", async () => {
    const s = fullScenario("names", { stopAt: "review" });
    s.b.unnominate(s.ids.n2);
    const signer = await makeSigner();
    const r = await verify(await seal(s.b.bundle(signer), signer), { key: signer.verifierKey });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
  });

  test("an announcement with the jury's texts verifies (justifications of the winners, recommendations) and reports them", async () => {
    let justified: string[] = [];
    const { text, key } = await resigned("names", (b, x) => {
      const a = pl(events(b, "results.announced")[0]);
      justified = [x.s.ids.n3, x.s.ids.n5].sort();
      a.justifications = justified.map((id) => ({ nomination_id: id, text: { pl: `Za „${id}”.`, uk: "За відкритість." } }));
      a.recommendations = { pl: "Zatrudniajcie cudzoziemców.\nDrugi akapit.", vi: "Khuyến nghị." };
    });
    const r = await verify(text, { key });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
    expect(r.summary.justifications?.map((j) => j.nomination_id)).toEqual(justified);
    expect(r.summary.justifications?.[0].text.uk).toBe("За відкритість.");
    expect(r.summary.recommendations).toEqual({ pl: "Zatrudniajcie cudzoziemców.\nDrugi akapit.", vi: "Khuyến nghị." });
    const plain = await build("names");
    const r2 = await verify(plain.text, { key: plain.signer.verifierKey });
    expect(r2.ok && r2.summary.justifications === null && r2.summary.recommendations === null).toBe(true);
  });

  test("bytes and text input give the same verdict", async () => {
    const x = await build();
    const r = await verify(new TextEncoder().encode(x.text), { key: x.signer.verifierKey });
    expect(r.ok).toBe(true);
  });

  test("trusting the bundle's own key says so", async () => {
    const x = await build();
    const r = await verify(x.text, { trustEmbeddedKey: true });
    if (!r.ok) throw new Error(r.message);
    expect(r.summary.trusted_embedded_key).toBe(true);
    expect(r.summary.notes.join(" ")).toMatch(/not obtained independently/);
  });

  test("options: a key is required, and not both", async () => {
    const x = await build("names", { stopAt: "review" });
    await expect(verify(x.text, {})).rejects.toThrow(/key/);
    await expect(verify(x.text, { key: x.signer.verifierKey, trustEmbeddedKey: true })).rejects.toThrow(/not both/);
  });
});

describe("receipts (P1)", () => {
  const castHashes = (b: JsonObject) => events(b, "ballot.cast").map((e) => pl(e).ballot_sha256 as string);

  test("counted, superseded and shortlist-changed casts, each with a verified inclusion proof", async () => {
    const x = await build();
    const h = castHashes(x.bundle);
    // Casts in order: J1 v1, J2 v1 (before the shortlist change), J1 v2, J2 v2, J3, J2 v3.
    const want = ["shortlist_changed", "shortlist_changed", "counted", "superseded", "counted", "counted"];
    for (let i = 0; i < h.length; i++) {
      const r = await verify(x.text, { key: x.signer.verifierKey, receipt: h[i] });
      if (!r.ok) throw new Error(r.message);
      expect(r.summary.receipt!.status, `cast ${i}`).toBe(want[i]);
      expect(r.summary.receipt!.included).toBe(true);
      expect(r.summary.receipt!.leaf_index).toBe((x.bundle.log as JsonObject[]).findIndex((e) => e.kind === "ballot.cast" && pl(e).ballot_sha256 === h[i]));
    }
  });

  test("not yet counted before a close", async () => {
    const x = await build("aggregates", { stopAt: "jury" });
    const r = await verify(x.text, { key: x.signer.verifierKey, receipt: castHashes(x.bundle)[0] });
    if (!r.ok) throw new Error(r.message);
    expect(r.summary.receipt!.status).toBe("not_yet_counted");
  });

  test("an unknown receipt fails P1", async () => {
    const x = await build();
    expectFail(await verify(x.text, { key: x.signer.verifierKey, receipt: "sha256:" + "0".repeat(64) }), "P1");
    expectFail(await verify(x.text, { key: x.signer.verifierKey, receipt: "not a hash" }), "P1");
  });
});

/**
 * A small announced edition in which juror J is invited twice: first for city
 * A as person P, then — reusing the assignment — for city B as the person of
 * B's expert. The assignment keeps A and P (§6), so J recuses A's nomination
 * as home_city and marks B's.
 */
function reusedAssignmentEdition(pub: Publication, opts: { conflictOnB?: boolean } = {}) {
  const b = new EditionBuilder(pub);
  b.created();
  const A = b.city("Alfa");
  const B = b.city("Beta");
  const cat = b.category(1);
  const k = b.criterion(1);
  b.setRule(ruleJson({ criteria: [criterionRule(k, 1)], tie_breaks: [] }));
  b.move("REPORTING");
  const P = "sha256:" + "1".repeat(64);
  const PB = "sha256:" + "2".repeat(64);
  const EB = b.person("expert", B, PB);
  b.report(EB, B);
  b.move("REVIEW");
  const nA = b.nominate(cat, A, "a1");
  const nB = b.nominate(cat, B, "a2");
  const J = b.person("juror", A, P);
  b.person("juror", B, PB, J); // the same assignment again: keeps A and P
  const J2 = b.person("juror", B, "sha256:" + "3".repeat(64));
  b.move("JURY");
  if (opts.conflictOnB) b.conflict(J, nB);
  b.cast(J, opts.conflictOnB ? {} : { [nB]: [4] });
  b.cast(J2, { [nA]: [3] });
  b.move("TALLIED");
  b.move("ANNOUNCED");
  return { b, A, B, J, nA, nB };
}

describe("a reused assignment keeps its first city and person (§6)", () => {
  for (const pub of ["names", "pseudonyms", "aggregates"] as const) {
    test(`${pub}: verifies, the second acceptance's city and person change nothing`, async () => {
      const { b, nA, nB } = reusedAssignmentEdition(pub);
      expect(b.casts[0].recusals).toEqual([{ kind: "home_city", nomination_id: nA }]);
      expect((b.casts[0].marks as JsonObject[]).map((m) => m.nomination_id)).toEqual([nB]);
      const signer = await makeSigner();
      const r = await verify(await seal(b.bundle(signer), signer), { key: signer.verifierKey });
      if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
    });
  }

  test("a cast that takes the second acceptance's city or person as the juror's fails C3", async () => {
    const { b, nA, nB } = reusedAssignmentEdition("names");
    const signer = await makeSigner();
    const bundle = b.bundle(signer);
    const c = (bundle.casts as JsonObject[])[0];
    c.marks = [{ nomination_id: nA, values: [4] }];
    c.recusals = [{ kind: "home_city", nomination_id: nB }];
    const e = events(bundle, "ballot.cast")[0];
    pl(e).ballot_sha256 = hashOf(c);
    // The tally and the announcement are left as they were: C3 comes first.
    expectFail(await verify(await seal(bundle, signer), { key: signer.verifierKey }), "C3");
  });

  test("a conflict declared on the second acceptance's city is not one on a home city", async () => {
    const { b } = reusedAssignmentEdition("names", { conflictOnB: true });
    const signer = await makeSigner();
    const r = await verify(await seal(b.bundle(signer), signer), { key: signer.verifierKey });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
  });

  test("a conflict declared on the first acceptance's city fails E5", async () => {
    const { b, J, nA } = reusedAssignmentEdition("names");
    const signer = await makeSigner();
    const bundle = b.bundle(signer);
    const l = bundle.log as JsonObject[];
    const i = l.findIndex((e) => e.kind === "ballot.cast");
    const conflict = (nid: string, id: number): JsonObject => ({
      actor: { id: J, role: "juror" },
      edition_id: b.editionId,
      id,
      kind: "ballot.conflict_declared",
      payload: { nomination_id: nid, reason_commitment: commitment("r") },
      time: (l[i - 1] as JsonObject).time as string,
    });
    const bad = clone(bundle);
    (bad.log as JsonObject[]).splice(i, 0, conflict(nA, maxId(bundle) + 1));
    expectFail(await verify(await seal(bad, signer), { key: signer.verifierKey }), "E5");
  });

  test("an assignment reused under another role fails E5", async () => {
    const b = new EditionBuilder("names");
    b.created();
    const A = b.city("Alfa");
    b.move("REPORTING");
    const E = b.person("expert", A, "sha256:" + "1".repeat(64));
    b.person("juror", A, "sha256:" + "1".repeat(64), E);
    const signer = await makeSigner();
    expectFail(await verify(await seal(b.bundle(signer), signer), { key: signer.verifierKey }), "E5");
  });
});

/**
 * An announced edition with a jury decision made after the first close, then
 * a reopened round and a second close (the decision no longer applies, §9.6).
 */
function decisionBeforeReopening(pub: Publication, opts: { tieBreaks: string[]; category?: string; order?: "tie" | "not-a-tie" }) {
  const b = new EditionBuilder(pub);
  b.created();
  const A = b.city("Alfa");
  const B = b.city("Beta");
  const C = b.city("Gamma");
  const cat = b.category(1);
  const k = b.criterion(1);
  b.setRule(ruleJson({ criteria: [criterionRule(k, 1)], tie_breaks: opts.tieBreaks }));
  b.move("REPORTING");
  b.move("REVIEW");
  const nA = b.nominate(cat, A, "a1");
  const nB = b.nominate(cat, B, "a2");
  const nC = b.nominate(cat, C, "a3");
  const J = b.person("juror", C, "sha256:" + "1".repeat(64));
  b.move("JURY");
  b.cast(J, { [nA]: [4], [nB]: [4] }); // nA and nB tied
  b.move("TALLIED");
  const order = opts.order === "not-a-tie" ? [nA, nC] : [nB, nA];
  b.decide(opts.category ?? cat, order);
  b.move("JURY", "A juror asked to change a mark.");
  b.cast(J, { [nA]: [5], [nB]: [4] }, 2);
  b.move("TALLIED");
  b.move("ANNOUNCED");
  return b;
}

describe("T2 for a decision whose close is not the last close", () => {
  const run = async (b: EditionBuilder) => {
    const signer = await makeSigner();
    return verify(await seal(b.bundle(signer), signer), { key: signer.verifierKey });
  };
  for (const pub of ["names", "aggregates"] as const) {
    test(`${pub}: a genuine earlier decision verifies`, async () => {
      const r = await run(decisionBeforeReopening(pub, { tieBreaks: ["jury_decision"] }));
      if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
      expect(r.summary.jury_decisions.map((d) => d.in_force)).toEqual([false]);
    });
    test(`${pub}: under a rule without jury_decision it fails T2`, async () => {
      expectFail(await run(decisionBeforeReopening(pub, { tieBreaks: ["more_top_marks"] })), "T2");
    });
    test(`${pub}: for a category that is not the edition's it fails T2`, async () => {
      expectFail(await run(decisionBeforeReopening(pub, { tieBreaks: ["jury_decision"], category: "ca000000-0000-4000-8000-0000000000ff" })), "T2");
    });
  }
  test("names: ordering nominations that were not tied fails T2", async () => {
    expectFail(await run(decisionBeforeReopening("names", { tieBreaks: ["jury_decision"], order: "not-a-tie" })), "T2");
  });
  test("aggregates: the same verifies — its close's tally cannot be recomputed, only the first two conditions are checked", async () => {
    const r = await run(decisionBeforeReopening("aggregates", { tieBreaks: ["jury_decision"], order: "not-a-tie" }));
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
  });
});

describe("turning one check off (testing §13 only)", () => {
  test("a bundle changed in one respect verifies with that check off, and says it is no verdict", async () => {
    const { text, key } = await resigned("names", (b) => {
      const saves = events(b, "report.saved");
      pl(saves[1]).report_id = pl(saves[0]).report_id; // E5 only: a report id under two cities
    });
    expectFail(await verify(text, { key }), "E5");
    const r = await verify(text, { key, turnOff: "E5" });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
    expect(r.summary.turned_off!.check).toBe("E5");
    expect(r.summary.turned_off!.failures.join(" ")).toMatch(/its first event/);
    expect(r.summary.notes.join(" ")).toMatch(/turned off \(testing only\)/);
  });
  test("a bundle changed in two respects still fails at the other check", async () => {
    const { text, key } = await resigned("names", (b) => {
      const saves = events(b, "report.saved");
      pl(saves[1]).report_id = pl(saves[0]).report_id;
      pl(events(b, "tally.computed")[0]).ballots = 99; // and T1
    });
    expectFail(await verify(text, { key, turnOff: "E5" }), "T1");
  });
  test("another edition's event in full verifies with E1 off: it is not taken for one of the edition's", async () => {
    const { text, key } = await resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const e = { ...clone(events(b, "mail.released")[0]), id: maxId(b) + 1, edition_id: "ee000000-0000-4000-8000-0000000000ff" };
      l.splice(3, 0, e);
    });
    expectFail(await verify(text, { key }), "E1");
    const r = await verify(text, { key, turnOff: "E1" });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
  });
  test("a second edition.created is E1's matter alone (E4 does not judge it)", async () => {
    const { text, key } = await resigned("names", (b) => {
      const e = clone(events(b, "edition.created")[0]);
      e.id = maxId(b) + 1;
      (b.log as JsonObject[]).splice(5, 0, e);
    });
    expectFail(await verify(text, { key }), "E1");
    const r = await verify(text, { key, turnOff: "E1" });
    if (!r.ok) throw new Error(`${r.check}: ${r.message}`);
  });
  test("a check that finds nothing reports no failures; a bundle that verifies still verifies", async () => {
    const x = await build();
    const r = await verify(x.text, { key: x.signer.verifierKey, turnOff: "C3" });
    if (!r.ok) throw new Error(r.message);
    expect(r.summary.turned_off).toEqual({ check: "C3", failures: [] });
  });
  test("an unknown check to turn off is a usage error", async () => {
    const x = await build("names", { stopAt: "review" });
    await expect(verify(x.text, { key: x.signer.verifierKey, turnOff: "Z9" as never })).rejects.toThrow(/not a check/);
  });
});

describe("tampered bundles fail at the right check", () => {
  const cases: [string, string, () => Promise<{ text: string; key: string }>][] = [
    // ---- S1 ----
    ["S1", "trailing newline", async () => { const x = await build(); return { text: x.text + "\n", key: x.signer.verifierKey }; }],
    ["S1", "white space", async () => { const x = await build(); return { text: x.text.replace('{"actor"', '{ "actor"'), key: x.signer.verifierKey }; }],
    ["S1", "duplicate member", async () => { const x = await build(); return { text: x.text.replace('"year":2025', '"year":2025,"year":2025'), key: x.signer.verifierKey }; }],
    ["S1", "non-canonical escape", async () => { const x = await build(); return { text: x.text.replace('"Award 2025"', '"Award \\u0032025"'), key: x.signer.verifierKey }; }],
    ["S1", "unsorted members", async () => { const x = await build(); return { text: x.text.replace('{"digest":"', '{"edition_id":null,"digest":"').replace(/"digest":"([0-9a-f]{64})","edition_id":null}/, '"digest":"$1"}'), key: x.signer.verifierKey }; }],
    ["S1", "a fraction", async () => { const x = await build(); return { text: x.text.replace('"year":2025', '"year":2025.0'), key: x.signer.verifierKey }; }],
    // ---- S2 ----
    ["S2", "an extra member differing only in case", () => resigned("names", (b) => { b.Tally = clone(b.tally); })],
    ["S2", "wrong format", () => resigned("names", (b) => { b.format = "miasta-audit-bundle/1"; })],
    ["S2", "a digest entry with an extra member", () => resigned("names", (b) => { (b.log as JsonObject[])[0].extra = 1; })],
    ["S2", "a digest in uppercase hex", () => resigned("names", (b) => { const e = (b.log as JsonObject[])[0]; e.digest = (e.digest as string).toUpperCase(); })],
    ["S2", "rule quorum out of range", () => resigned("names", (b) => { (b.rule as JsonObject).quorum = 0; })],
    ["S2", "a cast entry with a member §10 does not define", () => resigned("names", (b) => {
      const casts = b.casts as JsonObject[];
      casts[0] = { ...castEntry(casts[0]), request_id: casts[0].request_id };
    })],
    ["S2", "a tally of another format", () => resigned("names", (b) => { (b.tally as JsonObject).format = "miasta-tally/1"; })],
    ["S2", "a log entry that is not an object", () => unsigned("names", (b) => { (b.log as unknown[]).push("x"); })],
    ["S2", "a marks entry with a non-integer count", () => resigned("aggregates", (b) => { ((b.marks as JsonObject[])[0].recusals as JsonObject).declared = "0"; })],
    ["S2", "a marks entry with a negative count (the total kept)", () => resigned("aggregates", (b) => {
      const m = (b.marks as JsonObject[]).find((m) => (m.vectors as unknown[]).length > 0)!;
      const r = m.recusals as JsonObject;
      (m.vectors as unknown[]).push(clone((m.vectors as unknown[])[0]));
      r.declared = (r.declared as number) - 1;
    })],
    ["S2", "a label keyed by something that is not a language tag (rule re-hashed everywhere)", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      const label = ((rule.criteria as JsonObject[])[0].labels as JsonObject[])[0];
      label.text = { Polish: "słabo" };
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    ["S2", "a label keyed pt_BR instead of pt-BR", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      ((rule.criteria as JsonObject[])[0].labels as JsonObject[])[0].text = { pt_BR: "ruim" };
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    // ---- S3 ----
    ["S3", "a payload with an extra member", () => resigned("names", (b) => { pl(events(b, "category.created")[0]).extra = ""; })],
    ["S3", "an unknown kind", () => resigned("names", (b) => { events(b, "mail.released")[0].kind = "mail.sent"; })],
    ["S3", "a time with milliseconds", () => resigned("names", (b) => { events(b)[3].time = "2025-03-01T10:03:00.000Z"; })],
    ["S3", "an uppercase uuid", () => resigned("names", (b) => { const p = pl(events(b, "category.created")[0]); p.category_id = (p.category_id as string).toUpperCase(); })],
    ["E5", "a juror's city and person in the clear under aggregates", () => resigned("aggregates", (b) => {
      const e = events(b, "invitation.accepted").find((e) => pl(e).role === "juror")!;
      const p = pl(e);
      delete p.city_commitment;
      delete p.person_commitment;
      p.city_id = "c1000000-0000-4000-8000-000000000001";
      p.person = "sha256:" + "3".repeat(64);
    })],
    ["E5", "a juror's invitation city in the clear under aggregates", () => resigned("aggregates", (b) => {
      const p = pl(events(b, "invitation.created").find((e) => pl(e).role === "juror")!);
      delete p.city_commitment;
      p.city_id = "c1000000-0000-4000-8000-000000000001";
    })],
    ["E5", "a juror's commitment under names", () => resigned("names", (b) => {
      const p = pl(events(b, "invitation.created").find((e) => pl(e).role === "juror")!);
      delete p.city_id;
      p.city_commitment = commitment("x");
    })],
    ["S3", "an invitation with both a city and a city commitment", () => resigned("names", (b) => {
      pl(events(b, "invitation.created")[0]).city_commitment = commitment("x");
    })],
    ["S3", "an acceptance with neither person nor person commitment", () => resigned("aggregates", (b) => {
      delete pl(events(b, "invitation.accepted").find((e) => pl(e).role === "juror")!).person_commitment;
    })],
    ["S3", "an acceptance with city_id and person_commitment", () => resigned("names", (b) => {
      const p = pl(events(b, "invitation.accepted").find((e) => pl(e).role === "juror")!);
      p.person_commitment = commitment(p.person as string);
      delete p.person;
    })],
    ["S3", "an acceptance with city_commitment and person", () => resigned("aggregates", (b) => {
      const p = pl(events(b, "invitation.accepted").find((e) => pl(e).role === "juror")!);
      delete p.person_commitment;
      p.person = "sha256:" + "3".repeat(64);
    })],
    ["S3", "a jury decision with one nomination", () => resigned("names", (b) => { const p = pl(events(b, "tally.jury_decision")[0]); p.nomination_ids = [(p.nomination_ids as string[])[0]]; })],
    ["S3", "year out of range", () => resigned("names", (b) => { pl(events(b, "edition.created")[0]).year = 2013; b.year = 2013; })],
    ["S3", "a null where an object is required", () => resigned("names", (b) => { events(b)[1].payload = null; })],
    // ---- K1 ----
    ["K1", "a bundle key other than the trusted one", async () => { const x = await build(); const other = await makeSigner(); return { text: x.text, key: other.verifierKey }; }],
    ["K1", "a malformed trusted key", async () => { const x = await build(); return { text: x.text, key: x.signer.verifierKey.replace(/\+[0-9a-f]{8}\+/, "+00000000+") }; }],
    // ---- K2 ----
    ["K2", "signed by another key (bundle names that key)", async () => {
      const x = await build();
      const other = await makeSigner();
      const b = clone(x.bundle);
      b.checkpoint = await other.sign(checkpointText(b.log as JsonObject[]));
      return { text: bundleText(b), key: x.signer.verifierKey };
    }],
    ["K2", "checkpoint text changed after signing", () => unsigned("names", (b) => { b.checkpoint = (b.checkpoint as string).replace(/\n(\d+)\n/, (_m, n) => `\n${Number(n) + 1}\n`); })],
    ["K2", "a checkpoint of another origin, signed", async () => {
      const x = await build();
      const b = clone(x.bundle);
      b.checkpoint = await x.signer.sign(checkpointText(b.log as JsonObject[]).replace("miasta-otwarte/audit-log\n", "other/log\n"));
      return { text: bundleText(b), key: x.signer.verifierKey };
    }],
    ["K2", "a checkpoint with an extension line, signed", async () => {
      const x = await build();
      const b = clone(x.bundle);
      b.checkpoint = await x.signer.sign(checkpointText(b.log as JsonObject[]) + "ext\n");
      return { text: bundleText(b), key: x.signer.verifierKey };
    }],
    ["K2", "a bad first signature line of the key before a good one", async () => {
      const x = await build();
      const b = clone(x.bundle);
      const note = b.checkpoint as string;
      const i = note.lastIndexOf("\n\n") + 2;
      const line = note.slice(i);
      const prefix = "\u2014 miasta-otwarte/audit-log ";
      const sig = Buffer.from(line.slice(prefix.length, -1), "base64");
      sig[40] ^= 1;
      b.checkpoint = note.slice(0, i) + prefix + sig.toString("base64") + "\n" + line;
      return { text: bundleText(b), key: x.signer.verifierKey };
    }],
    ["K2", "a control character in the note", () => unsigned("names", (b) => { b.checkpoint = (b.checkpoint as string).replace("\n\n", "\n\r\n"); })],
    // ---- K3 ----
    ["K3", "an event changed without re-signing", () => unsigned("names", (b) => { pl(events(b, "edition.created")[0]).name = "Award 2026"; })],
    ["K3", "the last leaf dropped without re-signing", () => unsigned("names", (b) => { (b.log as unknown[]).pop(); })],
    ["K3", "two leaves swapped without re-signing", () => unsigned("names", (b) => { const l = b.log as JsonObject[]; [l[0], l[1]] = [l[1], l[0]]; })],
    ["K3", "a leaf's edition id changed without re-signing", () => unsigned("names", (b) => { (b.log as JsonObject[])[0].edition_id = "ee000000-0000-4000-8000-000000000001"; })],
    // ---- E1 ----
    ["E1", "a digest entry of the bundle's own edition", () => resigned("names", (b) => { (b.log as JsonObject[])[0].edition_id = b.edition_id; })],
    ["E1", "the bundle's year differs", () => resigned("names", (b) => { b.year = 2024; })],
    ["E1", "the bundle's publication differs", () => resigned("names", (b) => { b.publication = "pseudonyms"; })],
    ["E1", "another edition's event in full", () => resigned("names", (b) => { events(b, "mail.released")[0].edition_id = "ee000000-0000-4000-8000-0000000000ff"; })],
    ["E1", "a second edition.created", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const e = clone(events(b, "edition.created")[0]);
      e.id = maxId(b) + 1;
      l.splice(5, 0, e);
    })],
    ["E1", "the first event is not edition.created", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const i = l.findIndex((e) => e.kind === "edition.created");
      [l[i], l[i + 1]] = [l[i + 1], l[i]];
    })],
    // ---- E2 ----
    ["E2", "two events with one id", () => resigned("names", (b) => { events(b)[5].id = events(b)[4].id; })],
    // ---- E3 ----
    ["E3", "a stage skipped", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed")[0]).to = "REVIEW"; })],
    ["E3", "a move back without reason", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed").find((e) => pl(e).from === "JURY" && pl(e).to === "REVIEW")!).reason = ""; })],
    ["E3", "a forward move with a reason but no override", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed")[0]).reason = "because"; })],
    ["E3", "an override without reason", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed").find((e) => pl(e).override === true)!).reason = ""; })],
    ["E3", "a move back marked override", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed").find((e) => pl(e).from === "TALLIED" && pl(e).to === "JURY")!).override = true; })],
    ["E3", "from is not the current stage", () => resigned("names", (b) => { pl(events(b, "edition.stage_changed")[1]).from = "DRAFT"; })],
    // ---- E4 ----
    ["E4", "a category created in REVIEW", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const i = l.findIndex((e) => e.kind === "shortlist.nominated");
      const e = clone(events(b, "category.created")[0]);
      e.id = maxId(b) + 1;
      const p = pl(e);
      p.category_id = "ca000000-0000-4000-8000-0000000000ff";
      p.number = 9;
      l.splice(i, 0, e);
    })],
    ["E4", "a nomination in JURY", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const i = l.findIndex((e) => e.kind === "ballot.cast");
      const e = clone(events(b, "shortlist.nominated")[0]);
      e.id = maxId(b) + 1;
      pl(e).nomination_id = "a9000000-0000-4000-8000-0000000000ff";
      l.splice(i, 0, e);
    })],
    ["E4", "tally.computed missing after a close", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      l.splice(l.findIndex((e) => e.kind === "tally.computed"), 1);
    })],
    ["E4", "tally_rule.frozen not right after the first JURY", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const i = l.findIndex((e) => e.kind === "tally_rule.frozen");
      [l[i], l[i + 1]] = [l[i + 1], l[i]];
    })],
    ["E4", "a tally_rule.set after the rule was frozen", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      // Insert it in REVIEW after the move back from JURY: the stage allows it, the freeze does not.
      const i = l.findIndex((e) => e.kind === "edition.stage_changed" && pl(e).from === "JURY" && pl(e).to === "REVIEW");
      const e = clone(events(b, "tally_rule.set")[0]);
      e.id = maxId(b) + 1;
      l.splice(i + 1, 0, e);
    })],
    ["E4", "a city.created event inside the edition", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const e = clone(events(b, "edition.city_added")[0]);
      e.kind = "city.created";
      e.id = maxId(b) + 1;
      pl(e).name = "Nowe";
      l.splice(l.indexOf(events(b, "edition.city_added")[0]), 0, e);
    })],
    ["E4", "a ballot abstention in TALLIED", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const i = l.findIndex((e) => e.kind === "tally.jury_decision");
      const e = clone(events(b, "ballot.abstained")[0]);
      e.id = maxId(b) + 1;
      l.splice(i, 0, e);
    })],
    // ---- E5 ----
    ["E5", "a nomination of a removed city", () => resigned("names", (b) => {
      const removed = pl(events(b, "edition.city_removed")[0]).city_id;
      pl(events(b, "shortlist.nominated")[0]).city_id = removed;
    })],
    ["E5", "a category number used twice", () => resigned("names", (b) => { pl(events(b, "category.created")[1]).number = 1; })],
    ["E5", "a report saved by the expert of another city", () => resigned("names", (b) => {
      const saves = events(b, "report.saved");
      saves[0].actor = clone(saves[1].actor);
    })],
    ["E5", "a conflict declared on the juror's own city", () => resigned("names", (b) => {
      const x = events(b, "ballot.conflict_declared")[0];
      const juror = (x.actor as JsonObject).id;
      const acc = events(b, "invitation.accepted").find((e) => (e.actor as JsonObject).id === juror)!;
      const own = events(b, "shortlist.nominated").find((e) => pl(e).city_id === pl(acc).city_id)!;
      pl(x).nomination_id = pl(own).nomination_id;
    })],
    ["E5", "an acceptance of a revoked invitation", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const acc = events(b, "invitation.accepted")[0];
      const e = { ...clone(acc), kind: "invitation.revoked", id: maxId(b) + 1, actor: clone(events(b, "edition.created")[0].actor), payload: { invitation_id: pl(acc).invitation_id } };
      l.splice(l.indexOf(acc), 0, e);
    })],
    ["E5", "tally.computed with an actor", () => resigned("names", (b) => { events(b, "tally.computed")[0].actor = clone(events(b, "edition.created")[0].actor); })],
    ["E5", "an organiser event by an expert", () => resigned("names", (b) => { events(b, "report.accepted")[0].actor = clone(events(b, "report.saved")[0].actor); })],
    ["E5", "an unknown juror assignment as actor", () => resigned("names", (b) => {
      const e = events(b, "ballot.abstained")[0];
      e.actor = { id: "d0000000-0000-4000-8000-0000000000ff", role: "juror" };
    })],
    ["E5", "an acceptance under another role", () => resigned("names", (b) => {
      const e = events(b, "invitation.accepted").find((e) => pl(e).role === "juror")!;
      pl(e).role = "expert";
      (e.actor as JsonObject).role = "expert";
    })],
    ["E5", "a reporting city added a second time", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const add = events(b, "edition.city_added")[0];
      const e = clone(add);
      e.id = maxId(b) + 1;
      l.splice(l.indexOf(add) + 1, 0, e);
    })],
    ["E5", "a city removed that does not report", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const rm = events(b, "edition.city_removed")[0];
      const e = clone(rm);
      e.id = maxId(b) + 1;
      l.splice(l.indexOf(rm) + 1, 0, e);
    })],
    ["E5", "a city removed before it was added", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const rm = events(b, "edition.city_removed")[0];
      const add = events(b, "edition.city_added").find((e) => pl(e).city_id === pl(rm).city_id)!;
      const i = l.indexOf(add);
      const j = l.indexOf(rm);
      [l[i], l[j]] = [l[j], l[i]];
    })],
    ["E5", "two invitations with one id", () => resigned("names", (b) => {
      const inv = events(b, "invitation.created");
      const old = pl(inv[1]).invitation_id;
      pl(inv[1]).invitation_id = pl(inv[0]).invitation_id;
      // its acceptance then names an invitation already accepted; the creation is caught first
      for (const e of events(b, "invitation.accepted")) if (pl(e).invitation_id === old) pl(e).invitation_id = pl(inv[0]).invitation_id;
    })],
    ["E5", "a nomination taken off under another practice", () => resigned("names", (b) => {
      const l = b.log as JsonObject[];
      const nom = events(b, "shortlist.nominated")[0];
      const e: JsonObject = { ...clone(nom), id: maxId(b) + 1, kind: "shortlist.unnominated", payload: { nomination_id: pl(nom).nomination_id, practice_id: "bb000000-0000-4000-8000-0000000000ff", reason: "x" } };
      l.splice(l.indexOf(nom) + 1, 0, e);
    }, { stopAt: "review" })],
    ["E5", "a report id moved to another city (saved)", () => resigned("names", (b) => {
      const saves = events(b, "report.saved");
      pl(saves[1]).report_id = pl(saves[0]).report_id;
    })],
    ["E5", "a report accepted under another city than it was saved for", () => resigned("names", (b) => {
      const acc = events(b, "report.accepted");
      pl(acc[0]).city_id = pl(acc[1]).city_id;
    })],
    // ---- D1 ----
    ["D1", "casts disclosed before the announcement", () => resigned("names", (b, x) => { b.casts = clone(x.s.b.casts); }, { stopAt: "tallied2" })],
    ["D1", "a rule disclosed in REVIEW", () => resigned("names", (b, x) => { b.rule = clone(x.s.b.rule!); }, { stopAt: "review" })],
    ["D1", "announced without the tally", () => resigned("names", (b) => { delete b.tally; })],
    ["D1", "announced without the rule", () => resigned("names", (b) => { delete b.rule; })],
    ["D1", "marks instead of casts under names", () => resigned("names", (b, x) => { delete b.casts; b.marks = clone(x.s.b.lastMarks); })],
    ["D1", "casts instead of marks under aggregates", () => resigned("aggregates", (b, x) => { delete b.marks; b.casts = clone(x.s.b.casts); })],
    ["D1", "announced under aggregates without marks", () => resigned("aggregates", (b) => { delete b.marks; })],
    // ---- R1 ----
    ["R1", "a rule that is not the frozen one", () => resigned("names", (b) => { (b.rule as JsonObject).quorum = 2; })],
    ["R1", "a valid-looking rule that is not valid for the edition (trim_count for weighted_mean)", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      rule.trim_count = 1;
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    ["R1", "jury_decision not last", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      rule.tie_breaks = ["jury_decision", "more_top_marks"];
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    ["R1", "a criterion missing from the rule", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      (rule.criteria as unknown[]).pop();
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    ["R1", "labels out of order", () => resigned("names", (b) => {
      const rule = b.rule as JsonObject;
      const c = (rule.criteria as JsonObject[])[0];
      (c.labels as unknown[]).reverse();
      const h = hashOf(rule);
      for (const e of [...events(b, "tally_rule.set"), ...events(b, "tally_rule.frozen")]) pl(e).rule_sha256 = h;
    }, { stopAt: "jury" })],
    // ---- C1 ----
    ["C1", "a cast after the jury deadline", () => resigned("names", (b) => { pl(events(b, "edition.timeline_set")[0]).jury_deadline = "2025-03-01T10:00:00.000000Z"; })],
    ["C1", "a cast by an expert's account", () => resigned("names", (b) => {
      events(b, "ballot.cast")[0].actor = clone(events(b, "report.saved")[0].actor);
    })],
    ["C2", "a cast moved to another juror's account", () => resigned("names", (b) => {
      const c = events(b, "ballot.cast");
      c[0].actor = clone(c[1].actor);
    })],
    ["C1", "a repeated request id", () => resigned("names", (b) => {
      const c = events(b, "ballot.cast");
      pl(c[2]).request_id = pl(c[0]).request_id; // J1's second cast reuses its first request id
    })],
    ["C1", "a repeated cast id", () => resigned("names", (b) => {
      const c = events(b, "ballot.cast");
      pl(c[1]).cast_id = pl(c[0]).cast_id;
    })],
    ["C1", "a cast under another rule hash", () => resigned("aggregates", (b) => { pl(events(b, "ballot.cast")[0]).rule_sha256 = "sha256:" + "5".repeat(64); })],
    // ---- C2 ----
    ["C2", "a cast changed after casting", () => resigned("names", (b) => { ((b.casts as JsonObject[])[2].marks as JsonObject[])[0].values = [4, 3, 1]; })],
    ["C2", "a cast missing", () => resigned("names", (b) => { (b.casts as unknown[]).pop(); })],
    ["C2", "casts reordered", () => resigned("names", (b) => { (b.casts as unknown[]).reverse(); })],
    // ---- C3 ----
    ["C3", "a home-city nomination marked (receipt re-hashed, re-signed)", () => resigned("names", (b) => {
      const casts = b.casts as JsonObject[];
      const c = casts[2]; // J1's second cast: n1 (its own city) is recused home_city
      const rec = c.recusals as JsonObject[];
      const i = rec.findIndex((r) => r.kind === "home_city");
      const nid = rec[i].nomination_id;
      rec.splice(i, 1);
      (c.marks as JsonObject[]).unshift({ nomination_id: nid, values: [1, 1, 1] });
      pl(events(b, "ballot.cast")[2]).ballot_sha256 = hashOf(c);
    })],
    ["C3", "a nomination neither marked nor recused", () => resigned("names", (b) => {
      const c = (b.casts as JsonObject[])[0];
      (c.marks as unknown[]).pop();
      pl(events(b, "ballot.cast")[0]).ballot_sha256 = hashOf(c);
    })],
    ["C3", "a mark out of range", () => resigned("pseudonyms", (b) => {
      const c = (b.casts as JsonObject[])[0];
      ((c.marks as JsonObject[])[0].values as number[])[0] = 6;
      pl(events(b, "ballot.cast")[0]).ballot_sha256 = hashOf(c);
    })],
    ["C3", "an expert's city not recused by the same person as juror", () => resigned("names", (b) => {
      // J3 (home city C) is also the expert of city A: n1 must be home_city, not abstained.
      const casts = b.casts as JsonObject[];
      const i = casts.findIndex((c) => (c.recusals as JsonObject[]).some((r) => r.kind === "abstained"));
      const c = casts[i];
      const rec = c.recusals as JsonObject[];
      const first = rec.find((r) => r.kind === "home_city")!;
      first.kind = "abstained";
      pl(events(b, "ballot.cast")[i]).ballot_sha256 = hashOf(c);
    })],
    ["S2", "a cast entry's mark keyed by something that is not a nomination id", () => resigned("names", (b) => {
      const casts = b.casts as JsonObject[];
      const entry = castEntry(casts[0]);
      const marks = entry.marks as JsonObject;
      const first = Object.keys(marks)[0];
      marks[first.toUpperCase()] = marks[first];
      delete marks[first];
      casts[0] = entry;
    })],
    // ---- M1 ----
    ["M1", "a vector dropped from the marks", () => resigned("aggregates", (b) => {
      const m = (b.marks as JsonObject[]).find((m) => (m.vectors as unknown[]).length > 0)!;
      (m.vectors as unknown[]).pop();
    })],
    ["M1", "vectors out of order", () => resigned("aggregates", (b) => {
      const m = (b.marks as JsonObject[]).find((m) => (m.vectors as unknown[]).length > 1)!;
      const v = m.vectors as number[][];
      v.reverse();
      if (serialize(v[0]) === serialize(v[1])) throw new Error("test needs distinct vectors");
    })],
    ["M1", "a marks entry missing", () => resigned("aggregates", (b) => { (b.marks as unknown[]).pop(); })],
    ["M1", "a mark out of range", () => resigned("aggregates", (b) => {
      const m = (b.marks as JsonObject[]).find((m) => (m.vectors as unknown[]).length > 0)!;
      (m.vectors as number[][])[0][0] = 99;
    })],
    // ---- T1 ----
    ["T1", "a wrong ballots count", () => resigned("names", (b) => { pl(events(b, "tally.computed")[0]).ballots = 2; })],
    ["T1", "a wrong tally hash at the first close", () => resigned("names", (b) => { pl(events(b, "tally.computed")[0]).tally_sha256 = "sha256:" + "6".repeat(64); })],
    ["T1", "changed marks of the last close under aggregates", () => resigned("aggregates", (b) => {
      const m = (b.marks as JsonObject[]).find((m) => (m.vectors as unknown[]).length > 0)!;
      const v = (m.vectors as number[][])[0];
      v[2] = v[2] === 1 ? 2 : 1; // the non-ranking criterion: still sorted, still in range
    })],
    // ---- T2 ----
    ["T2", "a jury decision for nominations that are not tied", () => resigned("names", (b, x) => {
      pl(events(b, "tally.jury_decision")[0]).nomination_ids = [x.s.ids.n3, x.s.ids.n1];
    })],
    ["T2", "a jury decision with a wrong tally hash", () => resigned("names", (b) => { pl(events(b, "tally.jury_decision")[0]).tally_sha256 = "sha256:" + "7".repeat(64); })],
    // ---- T3 ----
    ["T3", "announced winners differ", () => resigned("names", (b, x) => { pl(events(b, "results.announced")[0]).winners = [x.s.ids.n2, x.s.ids.n5]; })],
    ["T3", "an unresolved tie within the winning places", () => resigned("names", () => {}, { skipDecision: true })],
    ["T3", "a wrong announced tally hash", () => resigned("aggregates", (b) => { pl(events(b, "results.announced")[0]).tally_sha256 = "sha256:" + "8".repeat(64); })],
    // ---- the jury's texts in the announcement (S3, E5) ----
    ["E5", "a justification of a nomination that is not a winner", () => resigned("names", (b, x) => {
      pl(events(b, "results.announced")[0]).justifications = [{ nomination_id: x.s.ids.n2, text: { pl: "Wyróżnienie, którego nie było." } }];
    })],
    ["S3", "a justification without Polish", () => resigned("names", (b, x) => {
      pl(events(b, "results.announced")[0]).justifications = [{ nomination_id: x.s.ids.n3, text: { en: "English only." } }];
    })],
    ["S3", "justifications out of order", () => resigned("names", (b, x) => {
      const ids = [x.s.ids.n3, x.s.ids.n5].sort().reverse();
      pl(events(b, "results.announced")[0]).justifications = ids.map((id) => ({ nomination_id: id, text: { pl: "Tak." } }));
    })],
    ["S3", "recommendations keyed by something that is not a language tag", () => resigned("names", (b) => {
      pl(events(b, "results.announced")[0]).recommendations = { pl: "Tak.", Polish: "Tak." };
    })],
    ["S3", "recommendations with an empty Polish text", () => resigned("names", (b) => {
      pl(events(b, "results.announced")[0]).recommendations = { pl: "" };
    })],
    // ---- T4 ----
    ["T4", "a published tally with a changed explanation", () => unsigned("names", (b) => {
      const n = ((b.tally as JsonObject).categories as JsonObject[])[0].nominations as JsonObject[];
      (n[0].explanation as JsonObject[])[0].jurors = 7;
    })],
    ["T4", "a published tally of the first close", () => resigned("names", (b, x) => {
      void x;
      const n = ((b.tally as JsonObject).categories as JsonObject[])[1].nominations as JsonObject[];
      n.reverse();
    })],
  ];

  test.each(cases)("%s: %s", async (check, _name, make) => {
    const { text, key } = await make();
    expectFail(await verify(text, { key }), check);
  });
});
