// DiffTable shows, field by field, what differs between two versions of a report: after a conflict
// (mine and theirs) and in the history (one version and another).
import { Scroll } from "../shared/components";
import { useT, type MessageId } from "../i18n";
import { outcomeKeys } from "./outcomes";
import type { Difference, Field } from "./reportDiff";

const fieldLabels: Record<Exclude<Field, "narrative" | "followUpNarrative">, MessageId> = {
  introduction: "report.introduction",
  title: "practice.title",
  category: "practice.category",
  description: "practice.description",
  sinceYear: "practice.sinceYear",
  partners: "practice.partners",
  targetGroups: "practice.targetGroups",
  evidenceLinks: "practice.evidenceLinks",
  practice: "conflict.wholePractice",
  outcome: "followUp.outcome",
};

export function DiffTable(props: {
  caption: string;
  diffs: Difference[];
  /** Headings of the two columns: d.mine is on the left, d.theirs on the right. */
  left: string;
  right: string;
  catName: (id: string) => string;
  criterionName: (id: string) => string;
}) {
  const t = useT();
  const label = (d: Difference): string => {
    switch (d.field) {
      case "narrative":
        return props.criterionName(d.criterionId ?? "");
      case "followUpNarrative":
        return t("followUp.narrative");
      default:
        return t(fieldLabels[d.field]);
    }
  };
  const value = (d: Difference, v: string): string => {
    if (d.field === "category") return props.catName(v);
    if (d.field === "outcome") return t(outcomeKeys.find(([o]) => String(o) === v)?.[1] ?? "followUp.UNSPECIFIED");
    if (d.field === "practice") return v ? v : t("conflict.absent");
    return v || "—";
  };
  return (
    <Scroll label={props.caption}>
      <table>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("conflict.what")}</th>
            <th scope="col">{props.left}</th>
            <th scope="col">{props.right}</th>
          </tr>
        </thead>
        <tbody>
          {props.diffs.map((d, i) => (
            <tr key={i}>
              <th scope="row">
                {d.where ? <span className="muted">{d.where}: </span> : null}
                {label(d)}
              </th>
              <td className="pre">{value(d, d.mine)}</td>
              <td className="pre">{value(d, d.theirs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
