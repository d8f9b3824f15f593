// The archive's pictures, drawn as SVG with Observable Plot. This module (and Plot with it) loads only
// when a page that draws one opens (the pages import it lazily), so no other page pays for it. Every
// chart is a figure with a caption saying what it shows, an aria-label summarising its data for screen
// readers (the SVG itself is hidden from them), and the same numbers as a table in a disclosure below.
import * as Plot from "@observablehq/plot";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useLocale, useT } from "../i18n";

const ACCENT = "#8a1c1c"; // the award's red, 7.5:1 on white
const OTHER = "#5c5c5c"; // the other bars, 6.6:1 on white
const INK = "#1a1a1a";

/** useWidth is the width of the element ref points at, following resizes. */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const o = new ResizeObserver(measure);
    o.observe(el);
    return () => o.disconnect();
  }, []);
  return [ref, width];
}

/** Chart renders a Plot into a figure with its caption, text alternative and table. */
function Chart({ caption, label, render, table, testId }: { caption: string; label: string; render: (width: number) => Element; table: ReactNode; testId?: string }) {
  const t = useT();
  const [ref, width] = useWidth();
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el || width <= 0) return;
    const chart = render(width);
    chart.setAttribute("aria-hidden", "true");
    el.replaceChildren(chart);
    return () => chart.remove();
  }, [render, width]);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{caption}</figcaption>
      <div ref={ref} className="chart-area">
        <div ref={holder} role="img" aria-label={label} />
      </div>
      <details className="chart-table">
        <summary>{t("archive.chartTable")}</summary>
        <div className="scroll" role="region" tabIndex={0} aria-label={caption}>
          {table}
        </div>
      </details>
    </figure>
  );
}

export interface Bar {
  /** What the bar is called on the axis: "1. Warszawa". */
  label: string;
  /** The practice's title, for the table. */
  title: string;
  value: number;
  /** How the value reads: "37/2 (18.5)". */
  text: string;
  winner: boolean;
}

/**
 * RankingChart is a category's ranked practices as horizontal bars on the score's whole scale, winners
 * in the award's red, with a line at the lowest winning score.
 */
export function RankingChart({ bars, min, max, category }: { bars: Bar[]; min: number; max: number; category: string }) {
  const t = useT();
  const { locale } = useLocale();
  const winning = bars.filter((b) => b.winner).reduce((lo, b) => Math.min(lo, b.value), Infinity);
  const fmt = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 2 });
  const label = t("archive.rankingAlt", {
    category,
    list: bars.map((b) => `${b.label}: ${fmt(b.value)} / ${fmt(max)}`).join("; "),
  });
  const render = (width: number) => {
    const marks: Plot.Markish[] = [
      Plot.barX(bars, { x1: min, x2: "value", y: "label", fill: (d: Bar) => (d.winner ? ACCENT : OTHER), sort: { y: null } }),
      Plot.text(bars, { x: "value", y: "label", text: (d: Bar) => fmt(d.value), dx: 4, textAnchor: "start", fill: INK, fontSize: 13 }),
    ];
    if (Number.isFinite(winning)) {
      marks.push(Plot.ruleX([winning], { stroke: INK, strokeWidth: 2, strokeDasharray: "4,3" }));
      marks.push(Plot.text([winning], { x: (d: number) => d, frameAnchor: "top", dy: -12, text: () => t("archive.winningLine"), fill: INK, fontSize: 12 }));
    }
    return Plot.plot({
      width,
      height: 48 + bars.length * 34,
      marginLeft: Math.min(140, Math.max(80, width * 0.3)),
      marginRight: 40,
      marginTop: 28,
      style: { fontSize: "13px", color: INK, background: "transparent" },
      marginBottom: 40,
      x: { domain: [min, max], label: t("archive.scoreAxis", { max: fmt(max) }), labelAnchor: "left", labelOffset: 34, labelArrow: "none", grid: true, ticks: Math.max(2, Math.min(10, Math.floor(width / 70))) },
      y: { label: null, domain: bars.map((b) => b.label), tickFormat: (s: string) => (s.length > 18 ? s.slice(0, 17) + "…" : s) },
      marks,
    });
  };
  return (
    <Chart
      testId="ranking-chart"
      caption={t("archive.rankingCaption", { category })}
      label={label}
      render={render}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{t("results.rank")}</th>
              <th scope="col">{t("results.practice")}</th>
              <th scope="col">{t("results.score")}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label} className={b.winner ? "winner" : ""}>
                <td>{b.label}</td>
                <th scope="row">{b.title}</th>
                <td>{t("archive.scoreOf", { score: b.text, max: fmt(max) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export interface CriterionBar {
  name: string;
  value: number;
  text: string;
  min: number;
  max: number;
  weight: number;
  nonRanking: boolean;
}

/** CriteriaChart is a practice's aggregate on each criterion, each against its own scale (as a share of it). */
export function CriteriaChart({ criteria, practice }: { criteria: CriterionBar[]; practice: string }) {
  const t = useT();
  const { locale } = useLocale();
  const fmt = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 2 });
  const rows = criteria.map((c) => ({ ...c, share: c.max > c.min ? (c.value - c.min) / (c.max - c.min) : 0 }));
  const label = t("archive.criteriaAlt", { practice, list: criteria.map((c) => `${c.name}: ${fmt(c.value)} / ${fmt(c.max)}`).join("; ") });
  // Each criterion's name stands above its bar rather than beside it, so that long names fit a phone.
  const render = (width: number) =>
    Plot.plot({
      width,
      height: 40 + rows.length * 52,
      marginLeft: 16,
      marginRight: 72,
      marginTop: 8,
      marginBottom: 40,
      style: { fontSize: "13px", color: INK, background: "transparent" },
      x: { domain: [0, 1], label: t("archive.shareAxis"), labelAnchor: "left", labelOffset: 34, labelArrow: "none", grid: true, ticks: Math.max(2, Math.min(5, Math.floor(width / 90))), tickFormat: "~%" },
      y: { axis: null, domain: rows.map((r) => r.name), paddingInner: 0.55, paddingOuter: 0.6 },
      marks: [
        Plot.barX(rows, { x1: 0, x2: 1, y: "name", fill: "#ece9e2" }),
        Plot.barX(rows, { x1: 0, x2: "share", y: "name", fill: ACCENT }),
        Plot.text(rows, { x: 0, y: "name", text: "name", textAnchor: "start", dy: -19, fill: INK, fontSize: 13, fontWeight: 600, lineWidth: Math.floor(width / 8) }),
        Plot.text(rows, { x: 1, y: "name", text: (d: (typeof rows)[number]) => `${fmt(d.value)} / ${fmt(d.max)}`, dx: 6, textAnchor: "start", fill: INK, fontSize: 13 }),
      ],
    });
  return (
    <Chart
      testId="criteria-chart"
      caption={t("archive.criteriaCaption")}
      label={label}
      render={render}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{t("archive.criterion")}</th>
              <th scope="col">{t("results.score")}</th>
              <th scope="col">{t("archive.scale")}</th>
              <th scope="col">{t("archive.weight")}</th>
            </tr>
          </thead>
          <tbody>
            {criteria.map((c) => (
              <tr key={c.name}>
                <th scope="row">
                  {c.name}
                  {c.nonRanking ? " " + t("results.nonRankingMark") : ""}
                </th>
                <td>{c.text}</td>
                <td>
                  {fmt(c.min)}–{fmt(c.max)}
                </td>
                <td>{c.weight}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export interface Bin {
  lower: number;
  upper: number;
  count: number;
}

/** DistributionChart is the histogram of the jury's weighted sums over every counted ballot. */
export function DistributionChart({ bins, total, year }: { bins: Bin[]; total: number; year: number }) {
  const t = useT();
  const range = (b: Bin) => (b.lower === b.upper ? `${b.lower}` : `${b.lower}–${b.upper}`);
  const label = t("archive.distributionAlt", { total, list: bins.map((b) => `${range(b)}: ${b.count}`).join("; ") });
  const render = (width: number) =>
    Plot.plot({
      width,
      height: 240,
      style: { fontSize: "13px", color: INK, background: "transparent" },
      marginBottom: width < 500 ? 64 : 44,
      x: { label: t("archive.weightedSum"), labelAnchor: "left", labelOffset: width < 500 ? 58 : 36, labelArrow: "none", type: "band", domain: bins.map(range), tickRotate: width < 500 ? -45 : 0 },
      y: { label: t("archive.marks"), grid: true, tickFormat: "d" },
      marks: [Plot.barY(bins, { x: range, y: "count", fill: ACCENT }), Plot.ruleY([0], { stroke: INK })],
    });
  return (
    <Chart
      testId="distribution-chart"
      caption={t("archive.distributionCaption", { year, total })}
      label={label}
      render={render}
      table={
        <table className="fit">
          <thead>
            <tr>
              <th scope="col">{t("archive.weightedSum")}</th>
              <th scope="col">{t("archive.marks")}</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((b) => (
              <tr key={b.lower}>
                <th scope="row">{range(b)}</th>
                <td>{b.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
