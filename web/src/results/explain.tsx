// Explanations of the tally, rendered in the reader's language from the structured items the tally
// records (spec/audit.md §9.7): a code and its arguments, ids as ids, rationals as "N/D". The server
// also sends English sentences; every other language is rendered here.
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ExplanationItem } from "../gen/miasta/v1/results_pb.js";
import { formatRational } from "../shared/format";
import { type MessageId, useLocale, useT } from "../i18n";

/** rational reads a rational as the tally writes it ("37/2"). */
export function rational(s: JsonValue | undefined): { numerator: bigint; denominator: bigint } | undefined {
  if (typeof s !== "string") return undefined;
  const m = /^(-?\d+)\/(\d+)$/.exec(s);
  if (!m) return undefined;
  return { numerator: BigInt(m[1]), denominator: BigInt(m[2]) };
}

function num(v: JsonValue | undefined): number {
  return typeof v === "number" ? v : Number(v ?? 0);
}

type Namer = (id: string) => string;

/** Explanation lists a nomination's explanation items as sentences. */
export function Explanation({ items, name, testId }: { items: ExplanationItem[]; name: Namer; testId?: string }) {
  const t = useT();
  const { locale } = useLocale();
  const rat = (v: JsonValue | undefined) => formatRational(rational(v) as never, locale);
  const list = (v: JsonValue | undefined) => new Intl.ListFormat(locale, { type: "conjunction" }).format(((v as JsonValue[]) ?? []).map((x) => name(String(x))));
  const sentence = (it: ExplanationItem): string => {
    const a: JsonObject = it.args ?? {};
    switch (it.code) {
      case "quorum_met":
      case "quorum_not_met":
        return t(`explain.${it.code}` as MessageId, { jurors: num(a.jurors), quorum: num(a.quorum) });
      case "quorum_not_met_trim":
        return t("explain.quorum_not_met_trim", { jurors: num(a.jurors), trim: num(a.trim_count), needed: num(a.needed) });
      case "not_ranked":
        return t("explain.not_ranked");
      case "score": {
        const sums = ((a.sums as JsonValue[]) ?? []).map((x) => Number(x).toLocaleString(locale)).join("; ");
        const k = ((a.sums as JsonValue[]) ?? []).length;
        const method = String(a.method);
        const id = (["weighted_mean", "median", "trimmed_mean", "majority_judgment"].includes(method) ? `explain.score.${method}` : "explain.score.weighted_mean") as MessageId;
        return t(id, { score: rat(a.score), jurors: k, sums, trim: num(a.trim_count) });
      }
      case "rank":
        return t("explain.rank", { rank: num(a.rank), of: num(a.of) });
      case "tie": {
        const steps = ((a.steps as JsonObject[]) ?? []).map((s) => step(s));
        const outcome = String(a.outcome);
        const end =
          outcome === "above"
            ? t("explain.tie.above")
            : outcome === "below"
              ? t("explain.tie.below")
              : t("explain.tie.shared", { members: num(a.members), rank: num(a.rank) });
        return [t("explain.tie", { with: name(String(a.with)) }), ...(steps.length ? steps : outcome === "shared" ? [t("explain.tie.noTieBreak")] : []), end].join("; ");
      }
      case "winner":
        return a.minimum_score !== undefined
          ? t("explain.winner.minimum", { rank: num(a.rank), places: num(a.places), minimum: rat(a.minimum_score) })
          : t("explain.winner", { rank: num(a.rank), places: num(a.places) });
      case "winner_shared":
        return t("explain.winner_shared", { rank: num(a.rank), places: num(a.places), with: list(a.with) });
      case "not_winner_rank":
        return t("explain.not_winner_rank", { rank: num(a.rank), places: num(a.places) });
      case "not_winner_minimum":
        return t("explain.not_winner_minimum", { rank: num(a.rank), places: num(a.places), score: rat(a.score), minimum: rat(a.minimum_score) });
    }
    return it.code;
  };
  const place = (v: JsonValue | undefined) => (v === null || v === undefined ? t("explain.place.unlisted") : t("explain.place", { place: num(v) }));
  const step = (s: JsonObject): string => {
    switch (s.step) {
      case "majority_judgment":
        return t("explain.step.majority_judgment", { removed: num(s.removed), mine: num(s.mine), theirs: num(s.theirs) });
      case "majority_judgment_exhausted":
        return t("explain.step.majority_judgment_exhausted", { removed: num(s.removed) });
      case "more_top_marks":
      case "higher_median":
        return t(`explain.step.${s.step}` as MessageId, { mine: num(s.mine), theirs: num(s.theirs) });
      case "criteria_in_order":
        return t("explain.step.criteria_in_order", { number: num(s.number), criterion: name(String(s.criterion_id)), mine: rat(s.mine), theirs: rat(s.theirs) });
      case "jury_decision":
        return t("explain.step.jury_decision", { mine: place(s.mine), theirs: place(s.theirs) });
      case "jury_decision_missing":
        return t("explain.step.jury_decision_missing");
    }
    return String(s.step);
  };
  return (
    <ul className="explanation" data-testid={testId}>
      {items.map((it, i) => (
        <li key={i}>{sentence(it)}</li>
      ))}
    </ul>
  );
}
