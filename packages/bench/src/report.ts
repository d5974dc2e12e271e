import type { CaseResult } from "./runner.js";
import type { Summary } from "./stats.js";
import { evaluateTargets, millionTarget, steadyTarget, verdict, type MillionProbe, type SteadyProbe } from "./targets.js";
import { formatMs, formatPercent, formatRatio, markdownTable } from "./table.js";
import type { Engine } from "./workloads/workload.js";

/**
 * The comparison table, the waiting-Sends table (Weft beside the same workers awaited with no
 * engine, the floor) and the targets, as Markdown.
 */
export function report(
  results: ReadonlyMap<string, CaseResult>,
  probes: { readonly million?: MillionProbe | undefined; readonly steady?: SteadyProbe | undefined } = {},
): string {
  const all = [...results.values()];
  const compared = all.filter(
    (result) =>
      result.workload.idealMs === undefined && result.workload.stepsPerRun === undefined && result.workload.subgraphRuns === undefined,
  );
  const stepCases = all.filter((result) => result.workload.stepsPerRun !== undefined);
  const subgraphCases = all.filter((result) => result.workload.subgraphRuns !== undefined);
  const waiting = all.filter((result) => result.workload.idealMs !== undefined);
  /** A loop's step time measured inside its runs; otherwise the run's time over its steps. */
  const perUnit = (result: CaseResult, engine: Engine): string => {
    const inRun = result.steps?.[engine];
    if (inRun !== undefined) return formatMs(inRun.median);
    const summary = result[engine];
    return result.workload.per === undefined || summary === undefined ? "" : formatMs(summary.median / result.workload.per.count);
  };
  const samples = (summary: Summary | undefined): string =>
    summary === undefined ? "–" : `${summary.samples} ±${(summary.spread * 100).toFixed(0)}%`;
  const speedup = (result: CaseResult, metric: "median" | "min"): string =>
    formatRatio(result.weft === undefined || result.langgraph === undefined ? undefined : result.langgraph[metric] / result.weft[metric]);

  const comparison = markdownTable(
    ["case", "Weft", "LangGraph.js", "Weft faster", "(fastest runs)", "Weft /step", "LangGraph.js /step", "runs Weft", "runs LangGraph.js"],
    compared.map((result) => [
      result.workload.title,
      formatMs(result.weft?.median),
      formatMs(result.langgraph?.median),
      speedup(result, "median"),
      speedup(result, "min"),
      perUnit(result, "weft"),
      perUnit(result, "langgraph"),
      samples(result.weft),
      samples(result.langgraph),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  );

  const over = (summary: Summary | undefined, ideal: number): string =>
    formatPercent(summary === undefined ? undefined : summary.median / ideal - 1);
  const waits = markdownTable(
    ["case", "ideal", "Weft", "Weft min", "Weft over ideal", "no engine", "no engine over ideal", "runs Weft", "runs no engine"],
    waiting.map((result) => [
      result.workload.title,
      formatMs(result.workload.idealMs),
      formatMs(result.weft?.median),
      formatMs(result.weft?.min),
      over(result.weft, result.workload.idealMs!),
      formatMs(result.none?.median),
      over(result.none, result.workload.idealMs!),
      samples(result.weft),
      samples(result.none),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  );

  /**
   * Cases timed beside a variant without what they measure (their `none` engine): Weft's time
   * less the variant's, over `count` — what one `ctx.step`, one subgraph run, … adds.
   */
  const overhead = (
    cases: CaseResult[],
    heads: readonly [string, string, string, string, string],
    count: (result: CaseResult) => number,
  ) => {
    const per = (result: CaseResult, metric: "median" | "min"): string => {
      const { weft, none } = result;
      return weft === undefined || none === undefined ? "–" : formatMs((weft[metric] - none[metric]) / count(result));
    };
    const [withIt, without, perUnit, runsWith, runsWithout] = heads;
    return markdownTable(
      ["case", withIt, without, perUnit, "(fastest runs)", runsWith, runsWithout],
      cases.map((result) => [
        result.workload.title,
        formatMs(result.weft?.median),
        formatMs(result.none?.median),
        per(result, "median"),
        per(result, "min"),
        samples(result.weft),
        samples(result.none),
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    );
  };
  const steps = overhead(
    stepCases,
    ["with ctx.step", "without", "per ctx.step", "runs with", "runs without"],
    (result) => result.workload.stepsPerRun!,
  );
  const subgraphs = overhead(
    subgraphCases,
    ["subgraph", "inlined", "per subgraph run", "runs subgraph", "runs inlined"],
    (result) => result.workload.subgraphRuns!,
  );

  const targets = markdownTable(
    ["target", "measured", "(fastest runs)", "result"],
    [...evaluateTargets(results), steadyTarget(probes.steady), millionTarget(probes.million)].map((row) => [
      row.target,
      row.measured,
      row.measuredMin,
      verdict(row.pass),
    ]),
  );

  return [
    "Medians of the timed runs (wall clock, the whole `invoke`; graphs are compiled beforehand). " +
      "runs = samples ± half the interquartile range. (fastest runs) = the same figure from each " +
      "side's fastest run, which other processes' load inflates least. Verdicts use the medians. " +
      "/step: a chain's time over its nodes; a loop's step time measured inside the run (the median gap between the node's calls). " +
      "no engine = the same worker functions called and awaited by hand (Promise.all, or a pool for a cap): " +
      "what Node itself takes, the floor under any engine.",
    "",
    comparison,
    "",
    waits,
    "",
    "ctx.step: the same one-node graph on the same store, with and without its steps; per ctx.step = the difference over the steps.",
    "",
    steps,
    "",
    "Subgraphs: the same nodes as a subgraph under each Send and inlined in the parent; per subgraph run = the difference over the Sends.",
    "",
    subgraphs,
    "",
    targets,
  ].join("\n");
}
