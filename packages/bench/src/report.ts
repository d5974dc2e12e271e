import type { CaseResult, EngineResult } from "./runner.js";
import type { Summary } from "./stats.js";
import { evaluateTargets, verdict } from "./targets.js";
import { formatMs, formatPercent, formatRatio, markdownTable } from "./table.js";

/** The comparison table, the waiting-Sends table and the targets, as Markdown. */
export function report(results: ReadonlyMap<string, CaseResult>): string {
  const all = [...results.values()];
  const compared = all.filter((result) => result.workload.idealMs === undefined);
  const waiting = all.filter((result) => result.workload.idealMs !== undefined);
  const perUnit = (result: CaseResult, engine: EngineResult | undefined): string =>
    result.workload.per === undefined || engine === undefined ? "" : formatMs(engine.wall.median / result.workload.per.count);
  const samples = (summary: Summary | undefined): string =>
    summary === undefined ? "–" : `${summary.samples} ±${(summary.spread * 100).toFixed(0)}%`;
  const speedup = (result: CaseResult, metric: "wall" | "cpu"): string =>
    formatRatio(
      result.weft === undefined || result.langgraph === undefined
        ? undefined
        : result.langgraph[metric].median / result.weft[metric].median,
    );

  const comparison = markdownTable(
    ["case", "Weft", "LangGraph.js", "Weft faster", "(CPU time)", "Weft /step", "LangGraph.js /step", "runs Weft", "runs LangGraph.js"],
    compared.map((result) => [
      result.workload.title,
      formatMs(result.weft?.wall.median),
      formatMs(result.langgraph?.wall.median),
      speedup(result, "wall"),
      speedup(result, "cpu"),
      perUnit(result, result.weft),
      perUnit(result, result.langgraph),
      samples(result.weft?.wall),
      samples(result.langgraph?.wall),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  );

  const waits = markdownTable(
    ["case (Weft only)", "ideal", "median", "min", "over ideal", "runs"],
    waiting.map((result) => [
      result.workload.title,
      formatMs(result.workload.idealMs),
      formatMs(result.weft?.wall.median),
      formatMs(result.weft?.wall.min),
      formatPercent(result.weft === undefined ? undefined : result.weft.wall.median / result.workload.idealMs! - 1),
      samples(result.weft?.wall),
    ]),
    ["left", "right", "right", "right", "right", "right"],
  );

  const targets = markdownTable(
    ["target", "measured", "(CPU time)", "result"],
    evaluateTargets(results).map((row) => [row.target, row.measured, row.measuredCpu, verdict(row.pass)]),
  );

  return [
    "Wall-clock medians of the timed runs (the whole `invoke`; graphs are compiled beforehand). " +
      "runs = samples ± half the interquartile range. (CPU time) = the same ratio on medians of the " +
      "process's CPU time, which other processes' load does not inflate. Verdicts use wall time.",
    "",
    comparison,
    "",
    waits,
    "",
    targets,
  ].join("\n");
}
