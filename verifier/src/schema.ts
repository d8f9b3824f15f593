// Exact schemas (spec §2 "Exact names", §3.3 value types, §5, §6, §7, §8, §10).
// A check returns null when the value conforms, else a message naming the
// path of the offending value.

import type { Json, JsonObject } from "./canonical.ts";
import { Rational } from "./rational.ts";

export type Check = (v: Json, path: string) => string | null;

export const STAGES = ["DRAFT", "REPORTING", "REVIEW", "JURY", "TALLIED", "ANNOUNCED"] as const;
export type Stage = (typeof STAGES)[number];
export const PUBLICATIONS = ["names", "pseudonyms", "aggregates"] as const;
export type Publication = (typeof PUBLICATIONS)[number];

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const describe = (v: Json): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;

export const text: Check = (v, p) => (typeof v === "string" ? null : `${p}: expected a string, got ${describe(v)}`);

export const nonEmptyText: Check = (v, p) =>
  typeof v !== "string" ? `${p}: expected a string, got ${describe(v)}` : v === "" ? `${p}: must not be empty` : null;

export const bool: Check = (v, p) => (typeof v === "boolean" ? null : `${p}: expected a boolean, got ${describe(v)}`);

export function int(min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Check {
  return (v, p) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) return `${p}: expected an integer, got ${describe(v)}`;
    if (v < min || v > max) return `${p}: ${v} is outside ${min}–${max}`;
    return null;
  };
}

export function literal(s: string): Check {
  return (v, p) => (v === s ? null : `${p}: expected ${JSON.stringify(s)}, got ${describe(v)}`);
}

export function oneOf(...options: readonly string[]): Check {
  return (v, p) =>
    typeof v === "string" && options.includes(v)
      ? null
      : `${p}: expected one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${describe(v)}`;
}

function pattern(re: RegExp, what: string): Check {
  return (v, p) => (typeof v === "string" && re.test(v) ? null : `${p}: expected ${what}, got ${describe(v)}`);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HASH_RE = /^sha256:[0-9a-f]{64}$/;
export const HEX_DIGEST_RE = /^[0-9a-f]{64}$/;

export const uuid = pattern(UUID_RE, "a uuid (lowercase 8-4-4-4-12 hex)");
export const hash = pattern(HASH_RE, "a hash string (sha256: and 64 lowercase hex digits)");
export const commitment = hash;
export const person = hash;
export const hexDigest = pattern(HEX_DIGEST_RE, "a hex digest (64 lowercase hex digits)");

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]; // February: see isTime

export function isTime(s: string): boolean {
  const m = TIME_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const se = Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = mo === 2 ? (leap ? 29 : 28) : MONTH_DAYS[mo - 1];
  return d <= days;
}

export const time: Check = (v, p) =>
  typeof v === "string" && isTime(v) ? null : `${p}: expected a time YYYY-MM-DDTHH:MM:SS.ffffffZ, got ${describe(v)}`;

export const rational: Check = (v, p) =>
  typeof v === "string" && Rational.parse(v) !== null
    ? null
    : `${p}: expected a rational N/D in lowest terms, got ${describe(v)}`;

export const stage = oneOf(...STAGES);
export const role = oneOf("organiser", "expert", "juror");
export const publication = oneOf(...PUBLICATIONS);

export function nullable(c: Check): Check {
  return (v, p) => (v === null ? null : c(v, p));
}

export function arrayOf(c: Check, opts: { min?: number; distinct?: boolean } = {}): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p}: expected an array, got ${describe(v)}`;
    if (opts.min !== undefined && v.length < opts.min) return `${p}: needs at least ${opts.min} entries, has ${v.length}`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    if (opts.distinct) {
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        const k = JSON.stringify(v[i]);
        if (seen.has(k)) return `${p}[${i}]: repeats an earlier entry`;
        seen.add(k);
      }
    }
    return null;
  };
}

/** An object with exactly the required members and any of the optional ones. */
export function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (v, p) => {
    if (!isObject(v)) return `${p}: expected an object, got ${describe(v)}`;
    for (const name of Object.keys(required)) {
      if (!Object.prototype.hasOwnProperty.call(v, name)) return `${p}: missing member ${JSON.stringify(name)}`;
    }
    const names = Object.keys(v);
    for (const name of names) {
      if (!Object.prototype.hasOwnProperty.call(required, name) && !Object.prototype.hasOwnProperty.call(optional, name)) {
        return `${p}: unexpected member ${JSON.stringify(name)}`;
      }
    }
    for (const name of names) {
      const c = required[name] ?? optional[name];
      const e = c(v[name], `${p}.${name}`);
      if (e) return e;
    }
    return null;
  };
}

/**
 * An object whose member names are free but each matches `key` (for the label
 * texts: language tags); every value is checked by c.
 */
export function mapOf(c: Check, key?: { re: RegExp; what: string }): Check {
  return (v, p) => {
    if (!isObject(v)) return `${p}: expected an object, got ${describe(v)}`;
    for (const name of Object.keys(v)) {
      if (key && !key.re.test(name)) return `${p}: member name ${JSON.stringify(name)} is not ${key.what}`;
      const e = c(v[name], `${p}[${JSON.stringify(name)}]`);
      if (e) return e;
    }
    return null;
  };
}

// ---- §7 the rule ----

export const TIE_BREAKS = ["more_top_marks", "higher_median", "criteria_in_order", "jury_decision"] as const;
export const METHODS = ["weighted_mean", "median", "trimmed_mean", "majority_judgment"] as const;

/** §7: a label's text is keyed by BCP 47 language tags of this form (a key of another form is S2). */
export const LANGUAGE_TAG_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export const label = object({ text: mapOf(text, { re: LANGUAGE_TAG_RE, what: "a language tag (^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$)" }), value: int() });

export const criterionRule = object({
  criterion_id: uuid,
  number: int(),
  min: int(0, 100),
  max: int(1, 100),
  weight: int(1, 100),
  non_ranking: bool,
  labels: arrayOf(label),
});

export const rule = object({
  format: literal("miasta-rule/2"),
  method: oneOf(...METHODS),
  criteria: arrayOf(criterionRule, { min: 1 }),
  quorum: int(1, 100),
  winners: int(1, 10),
  minimum_score: nullable(rational),
  trim_count: int(0, 10),
  tie_breaks: arrayOf(oneOf(...TIE_BREAKS)),
});

// ---- §8 casts, §10 cast entries ----

const RECUSAL_KINDS = ["home_city", "declared", "abstained"] as const;
const nominationKey = { re: UUID_RE, what: "a nomination id (a uuid)" };

/** §10: a cast as the bundle gives it, its marks and recusals keyed by nomination (canonical JSON
 * orders the keys, so they are in increasing nomination_id). */
export const castEntry = object({
  marks: mapOf(arrayOf(int()), nominationKey),
  recusals: mapOf(oneOf(...RECUSAL_KINDS), nominationKey),
});

/** §10: the cast (§8) of a bundle's entry, completed from the bundle's edition and its ballot.cast
 * event's payload. Object keys keep the order in which canonical JSON sorted them. */
export function completeCast(entry: JsonObject, editionId: string, actorIdOf: string, payload: JsonObject): JsonObject {
  const marks = entry.marks as JsonObject;
  const recusals = entry.recusals as JsonObject;
  return {
    format: "miasta-ballot/2",
    edition_id: editionId,
    juror_id: actorIdOf,
    version: payload.version,
    request_id: payload.request_id,
    rule_sha256: payload.rule_sha256,
    marks: Object.keys(marks).map((nomination_id) => ({ nomination_id, values: marks[nomination_id] })),
    recusals: Object.keys(recusals).map((nomination_id) => ({ kind: recusals[nomination_id], nomination_id })),
  };
}

// ---- §10 bundle parts ----

/** §10: the counts of a marks entry are ints ≥ 0 (a negative count is S2). */
export const recusalCounts = object({ abstained: int(0), declared: int(0), home_city: int(0) });

export const marksEntry = object({
  nomination_id: uuid,
  recusals: recusalCounts,
  vectors: arrayOf(arrayOf(int())),
});

export const digestEntry = object({ digest: hexDigest, edition_id: nullable(uuid) });

export const bundleTop = object(
  {
    format: literal("miasta-audit-bundle/2"),
    edition_id: uuid,
    year: int(),
    publication: publication,
    verifier_key: text,
    checkpoint: text,
    log: arrayOf((v, p) => (isObject(v) ? null : `${p}: a log entry must be an object`)),
  },
  {
    rule: rule,
    casts: arrayOf(castEntry),
    marks: arrayOf(marksEntry),
    tally: (v, p) =>
      !isObject(v)
        ? `${p}: expected an object`
        : v.format !== "miasta-tally/2"
          ? `${p}.format: expected "miasta-tally/2"`
          : null,
  },
);

// ---- §5 events and §6 payloads ----

const actor = nullable(object({ role: role, id: uuid }));

const namedThing = (idName: string) =>
  object({ [idName]: uuid, number: int(1), name_pl: nonEmptyText, name_en: text, description: text });

/** The SHA-256s of a submitted report's attachments: distinct hashes in increasing order (§6). */
const increasingHashes: Check = (v, p) => {
  const bad = arrayOf(hash)(v, p);
  if (bad) return bad;
  const list = v as string[];
  for (let i = 1; i < list.length; i++) {
    if (!(list[i - 1] < list[i])) return `${p}[${i}]: expected distinct hashes in increasing order`;
  }
  return null;
};

const report = (withComment: boolean, withAttachments = false) =>
  object(
    {
      report_id: uuid,
      city_id: uuid,
      version: int(1),
      status: oneOf("DRAFT", "SUBMITTED", "RETURNED", "ACCEPTED"),
      content_sha256: hash,
      ...(withComment ? { comment_commitment: commitment } : {}),
    },
    withAttachments ? { attachments: increasingHashes } : {},
  );

const mailChange = object({ mail_id: uuid, kind: text, version: int(1), content_commitment: commitment });

/**
 * The invitation payloads have two forms: cities (and persons) in the clear,
 * or as commitments (a juror under `aggregates`). S3 accepts either form —
 * exactly one member of each pair, and in an acceptance city_id together with
 * person (§6) — and E5 checks that the form is the one the role and the
 * publication setting call for (§11 E5).
 */
function exactlyOneOf(v: JsonObject, p: string, a: string, b: string): string | null {
  const hasA = Object.prototype.hasOwnProperty.call(v, a);
  const hasB = Object.prototype.hasOwnProperty.call(v, b);
  if (hasA && hasB) return `${p}: has both ${JSON.stringify(a)} and ${JSON.stringify(b)}`;
  if (!hasA && !hasB) return `${p}: missing member ${JSON.stringify(a)} (or ${JSON.stringify(b)})`;
  return null;
}

const invitationCreated: Check = (v, p) => {
  if (!isObject(v)) return `${p}: expected an object`;
  const e = exactlyOneOf(v, p, "city_id", "city_commitment");
  if (e) return e;
  return object({ invitation_id: uuid, role: oneOf("expert", "juror") }, { city_id: uuid, city_commitment: commitment })(v, p);
};

/** §6: an acceptance has city_id together with person, or both commitments (a mixed pair is S3). */
const invitationAccepted: Check = (v, p) => {
  if (!isObject(v)) return `${p}: expected an object`;
  const e = exactlyOneOf(v, p, "city_id", "city_commitment") ?? exactlyOneOf(v, p, "person", "person_commitment");
  if (e) return e;
  const has = (n: string) => Object.prototype.hasOwnProperty.call(v, n);
  if (has("city_id") !== has("person")) {
    return `${p}: has ${has("city_id") ? '"city_id"' : '"city_commitment"'} with ${has("person") ? '"person"' : '"person_commitment"'} (city_id goes with person, city_commitment with person_commitment)`;
  }
  return object(
    { invitation_id: uuid, role: oneOf("expert", "juror") },
    { city_id: uuid, city_commitment: commitment, person: person, person_commitment: commitment },
  )(v, p);
};

/**
 * §6 results.announced: a jury text maps language tags to non-empty texts and
 * has a Polish one ("pl").
 */
const juryText: Check = (v, p) => {
  const bad = mapOf(nonEmptyText, { re: LANGUAGE_TAG_RE, what: "a language tag (^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$)" })(v, p);
  if (bad) return bad;
  return Object.prototype.hasOwnProperty.call(v, "pl") ? null : `${p}: has no Polish text ("pl")`;
};

/** §6: the justifications, one per nomination, in strictly increasing nomination id. */
const justifications: Check = (v, p) => {
  const bad = arrayOf(object({ nomination_id: uuid, text: juryText }))(v, p);
  if (bad) return bad;
  const list = v as JsonObject[];
  for (let i = 1; i < list.length; i++) {
    if (!((list[i - 1].nomination_id as string) < (list[i].nomination_id as string))) {
      return `${p}[${i}].nomination_id: expected distinct nomination ids in increasing order`;
    }
  }
  return null;
};

export function payloadSchemas(): Record<string, Check> {
  return {
    "city.created": object({ city_id: uuid, name: nonEmptyText }),
    "log.key_rotated": object({ signature: text, verifier_key: text }),
    "edition.created": object({
      year: int(2014, 2100),
      name: nonEmptyText,
      publication: publication,
      previous_edition_id: nullable(uuid),
    }),
    "edition.timeline_set": object({
      reporting_deadline: nullable(time),
      jury_deadline: nullable(time),
      ceremony_time: nullable(time),
    }),
    "edition.stage_changed": object({ from: stage, to: stage, reason: text, override: bool }),
    "edition.city_added": object({ city_id: uuid, name: text }),
    "edition.city_removed": object({ city_id: uuid, name: text }),
    "category.created": namedThing("category_id"),
    "criterion.created": namedThing("criterion_id"),
    "invitation.created": invitationCreated,
    "invitation.revoked": object({ invitation_id: uuid }),
    "assignment.revoked": object({ assignment_id: uuid, role: oneOf("expert", "juror"), reason_commitment: commitment }),
    "invitation.accepted": invitationAccepted,
    "report.saved": report(false),
    "report.submitted": report(false, true),
    "report.returned": report(true),
    "report.accepted": report(false),
    "shortlist.nominated": object({ nomination_id: uuid, practice_id: uuid, category_id: uuid, city_id: uuid, reason: text }),
    "shortlist.unnominated": object({ nomination_id: uuid, practice_id: uuid, reason: text }),
    "tally_rule.set": object({ version: int(1), rule_sha256: hash }),
    "tally_rule.frozen": object({ rule_sha256: hash }),
    "ballot.cast": object({
      cast_id: uuid,
      version: int(1),
      request_id: uuid,
      rule_sha256: hash,
      ballot_sha256: hash,
    }),
    "ballot.conflict_declared": object({ nomination_id: uuid, reason_commitment: commitment }),
    "ballot.abstained": object({ nomination_id: uuid, reason_commitment: commitment }),
    "tally.computed": object({ tally_sha256: hash, rule_sha256: hash, ballots: int(0) }),
    "tally.jury_decision": object({
      category_id: uuid,
      nomination_ids: arrayOf(uuid, { min: 2, distinct: true }),
      reason: nonEmptyText,
      tally_sha256: hash,
    }),
    "results.announced": object(
      { tally_sha256: hash, winners: arrayOf(uuid) },
      { justifications: justifications, recommendations: juryText },
    ),
    "mail.edited": mailChange,
    "mail.released": mailChange,
    "mail.discarded": mailChange,
    "mail.policy_set": object({ kind: text, delivery: nullable(oneOf("REVIEW", "AUTOMATIC")) }),
  };
}

export const eventEnvelope = object({
  actor: actor,
  edition_id: nullable(uuid),
  id: int(1),
  kind: text,
  payload: (v, p) => (isObject(v) ? null : `${p}: expected an object`),
  time: time,
});
