import { textIn } from "../shared/localized";
import { create } from "@bufbuild/protobuf";
import { useId, useState } from "react";
import { Code, api, errorCode } from "../shared/api";
import { ErrorNote, Loading } from "../shared/components";
import { Stage, type Criterion, type Edition } from "../gen/miasta/v1/edition_pb.js";
import {
  AggregationMethod,
  CriterionRuleSchema,
  ScoreLabelSchema,
  TallyRuleSchema,
  TieBreak,
  type TallyRule,
} from "../gen/miasta/v1/results_pb.js";
import { useLoad } from "../shared/hooks";
import { LOCALE_NAMES, isLocale, useLocale, useT, type MessageId } from "../i18n";
import { DEFAULT_SCALE } from "./scale";

const methodKeys: [AggregationMethod, MessageId][] = [
  [AggregationMethod.WEIGHTED_MEAN, "rule.WEIGHTED_MEAN"],
  [AggregationMethod.MEDIAN, "rule.MEDIAN"],
  [AggregationMethod.TRIMMED_MEAN, "rule.TRIMMED_MEAN"],
  [AggregationMethod.MAJORITY_JUDGMENT, "rule.MAJORITY_JUDGMENT"],
];

function defaultRule(criteria: Criterion[]): TallyRule {
  return create(TallyRuleSchema, {
    method: AggregationMethod.WEIGHTED_MEAN,
    quorum: 2,
    winnersPerCategory: 1,
    // A tie the other steps leave is for the jury to decide, with a recorded reason.
    tieBreaks: [TieBreak.MORE_TOP_MARKS, TieBreak.HIGHER_MEDIAN, TieBreak.CRITERIA_IN_ORDER, TieBreak.JURY_DECISION],
    criteria: criteria.map((c) =>
      create(CriterionRuleSchema, {
        criterionId: c.id,
        minScore: 0,
        maxScore: 5,
        weight: 1,
        labels: DEFAULT_SCALE.map((text, value) => create(ScoreLabelSchema, { value, text })),
      }),
    ),
  });
}

/** RuleEditor sets the tally rule until the jury opens, when it freezes; then it shows it. */
export function RuleEditor({ edition, criteria }: { edition: Edition; criteria: Criterion[] }) {
  const t = useT();
  const { locale } = useLocale();
  const loaded = useLoad(async () => {
    try {
      return { rule: (await api.results.getTallyRule({ editionId: edition.id })).rule!, stored: true };
    } catch (err) {
      if (errorCode(err) === Code.NotFound) return { rule: defaultRule(criteria), stored: false };
      throw err;
    }
  }, [edition.id, criteria.length]); // criteria added in set-up join the default rule
  const [rule, setRule] = useState<TallyRule | undefined>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const ids = useId();
  const r = rule ?? loaded.data?.rule;
  if (!r) return loaded.error ? <ErrorNote error={loaded.error} /> : <Loading />;
  const frozen = r.frozen || edition.stage >= Stage.JURY;
  const set = (patch: Partial<TallyRule>) => {
    setSaved(false);
    setRule({ ...r, ...patch });
  };
  async function save() {
    setError(undefined);
    try {
      const res = await api.results.setTallyRule({ editionId: edition.id, rule: r, expectedVersion: r!.version });
      setRule(res.rule);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby="rule-title">
      <h2 id="rule-title">{t("rule.title")}</h2>
      <p>{frozen ? t("rule.frozen") : loaded.data?.stored || saved ? t("rule.saved") : t("rule.notSet")}</p>
      {r.ruleHash ? (
        <p className="hint">
          {t("rule.hash")} <code>{r.ruleHash}</code>
        </p>
      ) : null}
      <fieldset disabled={frozen} className="plain">
        <legend className="visually-hidden">{t("rule.title")}</legend>
        <div className="field">
          <label htmlFor={ids + "m"}>{t("rule.method")}</label>
          <select
            id={ids + "m"}
            value={r.method}
            onChange={(e) => {
              const method = Number(e.target.value) as AggregationMethod;
              set({ method, trimCount: method === AggregationMethod.TRIMMED_MEAN ? Math.max(r.trimCount, 1) : 0 });
            }}
          >
            {methodKeys.map(([m, k]) => (
              <option key={m} value={m}>
                {t(k)}
              </option>
            ))}
          </select>
        </div>
        {r.method === AggregationMethod.TRIMMED_MEAN ? (
          <div className="field">
            <label htmlFor={ids + "t"}>{t("rule.trimCount")}</label>
            <input id={ids + "t"} type="number" min={1} value={r.trimCount} onChange={(e) => set({ trimCount: Number(e.target.value) })} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids + "q"}>{t("rule.quorum")}</label>
          <input id={ids + "q"} type="number" min={1} value={r.quorum} onChange={(e) => set({ quorum: Number(e.target.value) })} />
        </div>
        <div className="field">
          <label htmlFor={ids + "w"}>{t("rule.winners")}</label>
          <input
            id={ids + "w"}
            type="number"
            min={1}
            value={r.winnersPerCategory}
            onChange={(e) => set({ winnersPerCategory: Number(e.target.value) })}
          />
        </div>
        <table className="fit">
          <thead>
            <tr>
              <th scope="col">{t("rule.criterion")}</th>
              <th scope="col">{t("rule.weight")}</th>
              <th scope="col">{t("rule.scale")}</th>
              <th scope="col">{t("rule.nonRanking")}</th>
            </tr>
          </thead>
          <tbody>
            {r.criteria.map((cr, i) => {
              const c = criteria.find((x) => x.id === cr.criterionId);
              const name = c ? textIn(locale, c.names) : cr.criterionId;
              const setCr = (patch: Partial<typeof cr>) => set({ criteria: r.criteria.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
              return (
                <tr key={cr.criterionId}>
                  <th scope="row">{name}</th>
                  <td>
                    <input
                      type="number"
                      min={1}
                      aria-label={t("rule.weightOf", { criterion: name })}
                      value={cr.weight}
                      onChange={(e) => setCr({ weight: Number(e.target.value) })}
                    />
                  </td>
                  <td>
                    {cr.minScore}–{cr.maxScore}
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t("rule.nonRankingOf", { criterion: name })}
                      checked={cr.nonRanking}
                      onChange={(e) => setCr({ nonRanking: e.target.checked })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <ScaleLabels rule={r} languages={edition.languages} onChange={(criteria) => set({ criteria })} />
        {!frozen ? (
          <p className="actions">
            <button type="button" className="primary" onClick={save}>
              {t("rule.save")}
            </button>
            <span role="status">{saved ? t("rule.saved") : ""}</span>
          </p>
        ) : null}
      </fieldset>
      <ErrorNote error={error} />
    </section>
  );
}


/**
 * ScaleLabels names and explains each mark of the scale in each of the edition's languages, the same
 * for every criterion (the first criterion's labels are shown; a save writes them to all).
 */
function ScaleLabels(props: { rule: TallyRule; languages: string[]; onChange: (criteria: TallyRule["criteria"]) => void }) {
  const t = useT();
  const ids = useId();
  const { rule, languages } = props;
  const first = rule.criteria[0];
  if (!first) return null;
  const values: number[] = [];
  for (let v = first.minScore; v <= first.maxScore; v++) values.push(v);
  const textOf = (v: number) => first.labels.find((l) => l.value === v)?.text ?? {};
  const setText = (v: number, lang: string, text: string) => {
    const labels = values
      .map((x) => {
        const m = { ...textOf(x) };
        if (x === v) {
          if (text) m[lang] = text;
          else delete m[lang];
        }
        return create(ScoreLabelSchema, { value: x, text: m });
      })
      .filter((l) => Object.keys(l.text).length > 0);
    props.onChange(rule.criteria.map((c) => ({ ...c, labels })));
  };
  return (
    <div className="scale-labels">
      <h3 id={ids + "h"}>{t("rule.labels")}</h3>
      <p className="hint">{t("rule.labelsHint")}</p>
      {values.map((v) => (
        <fieldset key={v} className="mark-labels">
          <legend>
            {t("rule.mark")} {v}
          </legend>
          {languages.map((l) => (
            <div className="field" key={l}>
              <label htmlFor={`${ids}${v}${l}`} lang={l}>
                {isLocale(l) ? LOCALE_NAMES[l] : l}
              </label>
              <input
                id={`${ids}${v}${l}`}
                lang={l}
                aria-invalid={textOf(v)[l] ? undefined : true}
                value={textOf(v)[l] ?? ""}
                onChange={(e) => setText(v, l, e.target.value)}
              />
            </div>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
