import type { CaseResult } from "./runner.js";
import { formatPercent, formatRatio } from "./table.js";
import type { Engine } from "./workloads/workload.js";
import { cappedId, type CapKind } from "./workloads/capped-sends.js";

/**
 * A goal checked against the medians of one run (`pass` is undefined when a case is missing).
 * `measuredMin` is the same figure on the fastest runs, which load from other processes
 * inflates least: where the two disagree, the verdict is noise-sensitive.
 */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly measuredMin: string;
  readonly pass: boolean | undefined;
}

/** Step cost at 10000 items may exceed the cost at 0 items by this factor and still count as flat. */
export const FLAT_TOLERANCE = 1.25;
/** A capped fan-out may take this many times the uncapped one and still count as linear. */
export const CAP_TOLERANCE = 1.5;
/** Peak resident memory allowed for a million Sends behind a cap of 1000, in MiB. */
export const MILLION_RSS_MIB = 1024;
/** Waiting Sends: Weft's time over the no-engine floor may be at most this fraction of the ideal wall time. */
export const IDEAL_TOLERANCE = 0.02;
/** 1000 synchronous Sends may take at most this many times the hand-written floor. */
export const FLOOR_TOLERANCE = 2;

type Metric = "median" | "min";

/** The caps of the capped fan-out, each held to the same target. */
const CAPS: readonly { readonly cap: CapKind; readonly label: string }[] = [
  { cap: "run", label: "maxConcurrency" },
  { cap: "node", label: "node concurrency" },
  { cap: "limit", label: "a shared ConcurrencyLimit of" },
];

/** Evaluates the project's performance targets from the results, by case id. */
export function evaluateTargets(results: ReadonlyMap<string, CaseResult>): TargetResult[] {
  const time = (metric: Metric, id: string, engine: Engine): number | undefined => results.get(id)?.[engine]?.[metric];
  /** `a / b` of two cases' medians, on both metrics. */
  const ratio = (a: [string, Engine], b: [string, Engine]): Record<Metric, number | undefined> => {
    const of = (metric: Metric): number | undefined => {
      const top = time(metric, ...a);
      const bottom = time(metric, ...b);
      return top === undefined || bottom === undefined ? undefined : top / bottom;
    };
    return { median: of("median"), min: of("min") };
  };
  /**
   * How much a loop step costs at 10000 items relative to 0 items, by the step time measured
   * inside each run (the median gap between the looping node's calls), so one-time work such
   * as validating the run's 10000-item input is not counted as step cost.
   */
  const flatness = (prefix: string, engine: Engine): Record<Metric, number | undefined> => {
    const of = (metric: Metric): number | undefined => {
      const big = results.get(`${prefix}/200@10000`)?.steps?.[engine]?.[metric];
      const small = results.get(`${prefix}/200@0`)?.steps?.[engine]?.[metric];
      return big === undefined || small === undefined ? undefined : big / small;
    };
    return { median: of("median"), min: of("min") };
  };
  const row = (
    target: string,
    value: Record<Metric, number | undefined>,
    ok: (value: number) => boolean,
    format: (value: Record<Metric, number | undefined>, metric: Metric) => string = (v, metric) => formatRatio(v[metric]),
  ): TargetResult => ({
    target,
    measured: format(value, "median"),
    measuredMin: format(value, "min"),
    pass: value.median === undefined ? undefined : ok(value.median),
  });

  const loopLangGraph = flatness("loop", "langgraph");
  const holdLangGraph = flatness("loop-hold", "langgraph");
  const rows: TargetResult[] = [
    row("1000 Sends: Weft ≥ 50× faster than LangGraph.js", ratio(["sends/1000", "langgraph"], ["sends/1000", "weft"]), (r) => r >= 50),
    row(
      `1000 Sends ≤ ${FLOOR_TOLERANCE}× the hand-written floor (no engine)`,
      ratio(["sends/1000", "weft"], ["sends/1000", "none"]),
      (r) => r <= FLOOR_TOLERANCE,
    ),
    row("10000 Sends ≤ 12× the 1000-Send time (Weft, linear)", ratio(["sends/10000", "weft"], ["sends/1000", "weft"]), (r) => r <= 12),
    row(
      "chain: Weft per-step overhead ≥ 20× lower than LangGraph.js",
      ratio(["chain/1000", "langgraph"], ["chain/1000", "weft"]),
      (r) => r >= 20,
    ),
    ...CAPS.map(({ cap, label }) =>
      row(
        `capped fan-out: 100000 Sends at ${label} 100 ≤ ${CAP_TOLERANCE}× uncapped (linear)`,
        ratio([cappedId(100_000, { kind: cap, size: 100 }), "weft"], [cappedId(100_000), "weft"]),
        (r) => r <= CAP_TOLERANCE,
      ),
    ),
    row(
      `loop holding a list: Weft step cost at 10000 items vs 0 ≤ ${FLAT_TOLERANCE}× (flat)`,
      flatness("loop-hold", "weft"),
      (r) => r <= FLAT_TOLERANCE,
      (v, metric) => `${formatRatio(v[metric])} (LangGraph.js: ${formatRatio(holdLangGraph[metric])})`,
    ),
    row(
      `loop appending to a list: Weft step cost at 10000 items vs 0 ≤ ${FLAT_TOLERANCE}× (flat)`,
      flatness("loop", "weft"),
      (r) => r <= FLAT_TOLERANCE,
      (v, metric) => `${formatRatio(v[metric])} (LangGraph.js: ${formatRatio(loopLangGraph[metric])})`,
    ),
  ];
  for (const result of results.values()) {
    const ideal = result.workload.idealMs;
    if (ideal === undefined || result.weft === undefined || result.none === undefined) continue;
    const { weft, none } = result;
    const over = (metric: Metric): number => (weft[metric] - none[metric]) / ideal;
    const show = (metric: Metric): string =>
      `${formatPercent(over(metric))} (Weft ${formatPercent((weft[metric] - ideal) / ideal)}, no engine ${formatPercent((none[metric] - ideal) / ideal)})`;
    rows.push({
      target: `${result.workload.title}: Weft over the no-engine floor ≤ ${IDEAL_TOLERANCE * 100}% of ideal ${ideal} ms`,
      measured: show("median"),
      measuredMin: show("min"),
      pass: over("median") <= IDEAL_TOLERANCE,
    });
  }
  return rows;
}

/** What the million-Send probe measured (see `memory/million.ts`). */
export interface MillionProbe {
  readonly sends: number;
  readonly maxConcurrency: number;
  readonly ms: number;
  readonly peakRssMiB: number;
}

/** The memory target: a million Sends behind a cap of 1000 in one run, peak RSS under 1 GiB. */
export function millionTarget(probe: MillionProbe | undefined): TargetResult {
  const measured = probe === undefined ? "not run" : `${probe.peakRssMiB.toFixed(0)} MiB peak RSS, ${(probe.ms / 1000).toFixed(1)} s`;
  return {
    target: `1000000 Sends at maxConcurrency 1000 in one run: peak RSS < ${MILLION_RSS_MIB} MiB`,
    measured,
    measuredMin: measured,
    pass: probe === undefined ? undefined : probe.peakRssMiB < MILLION_RSS_MIB,
  };
}

/** What the steadiness probe measured (see `warmup/steady.ts`): where a case's run time settles after a forced collection. */
export interface SteadyProbe {
  readonly id: string;
  /** The 1-based run after the collection from which no {@link STEADY_WINDOW} runs in a row are slower than {@link STEADY_TOLERANCE} × steady ones. */
  readonly settledAt: number;
  /** The first run after the collection over the steady time. */
  readonly firstRun: number;
}

/** Within this many runs after a forced collection, a case's run time is steady again. */
export const STEADY_RUNS = 10;
/** Steady: no {@link STEADY_WINDOW} runs in a row slower than this × as many steady runs. */
export const STEADY_TOLERANCE = 1.25;
/** How many runs in a row are judged together: young collections make single runs alternate. */
export const STEADY_WINDOW = 4;

/** The steadiness target: 10000 Sends steady again within {@link STEADY_RUNS} runs after a forced collection. */
export function steadyTarget(probe: SteadyProbe | undefined): TargetResult {
  const measured =
    probe === undefined ? "not run" : `steady from run ${probe.settledAt} (first run ${formatRatio(probe.firstRun)} the steady time)`;
  return {
    target: `${probe?.id ?? "sends/10000"}: steady (≤ ${STEADY_TOLERANCE}× its steady time) within ${STEADY_RUNS} runs after a forced collection`,
    measured,
    measuredMin: measured,
    pass: probe === undefined ? undefined : probe.settledAt <= STEADY_RUNS,
  };
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? "n/a" : pass ? "PASS" : "MISS";
}
