// One edition's whole life, written with the builder: set-up, reports, a
// shortlist, a jury round reopened for a shortlist change, a close, a round
// reopened after the tally, a second close, a jury decision, the
// announcement. Other editions' leaves and platform leaves are interleaved.

import { criterionRule, EditionBuilder, type Publication, ruleJson, uuid } from "./helpers.ts";

export interface Scenario {
  b: EditionBuilder;
  ids: Record<string, string>;
  /** Log sizes at interesting moments (transaction boundaries). */
  at: Record<string, number>;
}

export function fullScenario(publication: Publication = "names", opts: { stopAt?: string; skipDecision?: boolean } = {}): Scenario {
  const b = new EditionBuilder(publication);
  const ids: Record<string, string> = {};
  const at: Record<string, number> = {};
  const otherEdition = uuid("ee");
  b.other(null);
  b.other(otherEdition);
  b.created();
  b.ev("edition.timeline_set", {
    reporting_deadline: "2025-04-01T00:00:00.000000Z",
    jury_deadline: "2026-01-01T00:00:00.000000Z",
    ceremony_time: null,
  });
  const A = (ids.A = b.city("Alfa"));
  const B = (ids.B = b.city("Beta"));
  const C = (ids.C = b.city("Gamma"));
  const D = b.city("Delta");
  b.ev("edition.city_removed", { city_id: D, name: "Delta" });
  const cat1 = (ids.cat1 = b.category(1));
  const cat2 = (ids.cat2 = b.category(2));
  const k1 = (ids.k1 = b.criterion(1));
  const k2 = (ids.k2 = b.criterion(2));
  const k3 = (ids.k3 = b.criterion(3));
  b.setRule(
    ruleJson({
      criteria: [
        criterionRule(k1, 1, { weight: 2 }),
        criterionRule(k2, 2),
        criterionRule(k3, 3, { non_ranking: true, min: 1, max: 3, labels: [{ text: { pl: "tak" }, value: 1 }] }),
      ],
    }),
  );
  b.other(otherEdition);
  b.ev("mail.policy_set", { kind: "INVITATION", delivery: "REVIEW" });
  at.draft = b.log.length;

  b.move("REPORTING");
  const P1 = "sha256:" + "1".repeat(64);
  const P2 = "sha256:" + "2".repeat(64);
  const P3 = "sha256:" + "3".repeat(64);
  const P9 = "sha256:" + "9".repeat(64);
  // The expert for city A is the same person as juror J3 (home city C).
  const EA = (ids.EA = b.person("expert", A, P3));
  const EB = (ids.EB = b.person("expert", B, P9));
  b.report(EA, A);
  b.report(EB, B);
  b.other(null);
  b.move("REVIEW", "Not every report was accepted in time.", true);
  at.review = b.log.length;

  const n1 = (ids.n1 = b.nominate(cat1, A, "a1"));
  const n2 = (ids.n2 = b.nominate(cat1, B, "a2"));
  const n3 = (ids.n3 = b.nominate(cat1, C, "a3"));
  const n4 = (ids.n4 = b.nominate(cat2, B, "b4"));
  const J1 = (ids.J1 = b.person("juror", A, P1));
  const J2 = (ids.J2 = b.person("juror", B, P2));
  const J3 = (ids.J3 = b.person("juror", C, P3));
  b.ev("mail.released", { mail_id: uuid("3a"), kind: "INVITATION", version: 1, content_commitment: "sha256:" + "a".repeat(64) });
  if (opts.stopAt === "review") return { b, ids, at };

  b.move("JURY");
  at.jury = b.log.length;
  b.conflict(J1, n4);
  const first1 = b.cast(J1, { [n2]: [5, 3, 1], [n3]: [5, 3, 1] });
  ids.firstJ1 = first1.request_id as string;
  b.cast(J2, { [n1]: [3, 3, 2], [n3]: [5, 3, 2] });
  b.other(otherEdition);
  at.jury1 = b.log.length;
  if (opts.stopAt === "jury") return { b, ids, at };

  // Back to REVIEW for a missing nomination: earlier casts no longer count.
  b.move("REVIEW", "A practice of city A was left out by mistake.");
  const n5 = (ids.n5 = b.nominate(cat2, A, "b5"));
  b.move("JURY");
  b.cast(J1, { [n2]: [5, 3, 1], [n3]: [5, 3, 1] }, 2);
  b.cast(J2, { [n1]: [3, 3, 2], [n3]: [5, 3, 2], [n5]: [4, 2, 3] }, 2);
  b.conflict(J3, n4, "abstained");
  b.ev("edition.timeline_set", { reporting_deadline: null, jury_deadline: null, ceremony_time: "2026-02-01T18:00:00.000000Z" });
  b.cast(J3, { [n2]: [5, 3, 3], [n4]: [2, 2, 1] });
  b.move("TALLIED");
  at.tallied1 = b.log.length;
  if (opts.stopAt === "tallied1") return { b, ids, at };

  // Reopened after the tally: J2 corrects a mark.
  b.move("JURY", "Juror asked to correct a mark before the announcement.");
  b.cast(J2, { [n1]: [3, 3, 2], [n3]: [5, 3, 2], [n5]: [4, 1, 3] }, 3);
  b.move("TALLIED");
  at.tallied2 = b.log.length;
  if (opts.stopAt === "tallied2") return { b, ids, at };

  const ties = b.ties();
  const tie = ties.find((t) => t.category_id === cat1);
  if (!tie || tie.members.length !== 2) throw new Error("scenario: expected a tie in category 1");
  if (!opts.skipDecision) b.decide(cat1, [n3, n2]);
  b.other(null);
  b.move("ANNOUNCED");
  b.other(otherEdition);
  at.announced = b.log.length;
  void J3;
  void k3;
  return { b, ids, at };
}
