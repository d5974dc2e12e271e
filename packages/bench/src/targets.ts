import type { CaseResult } from "./runner.js";
import { formatPercent, formatRatio } from "./table.js";

/** A goal checked against the medians of one run. `pass` is undefined when a case is missing. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | undefined;
}

/** Step cost at 10000 items may exceed the cost at 0 items by this factor and still count as flat. */
export const FLAT_TOLERANCE = 1.25;
/** Waiting Sends must finish within this fraction over the ideal wall time. */
export const IDEAL_TOLERANCE = 0.1;

/** Evaluates the project's performance targets from the results, by case id. */
export function evaluateTargets(results: ReadonlyMap<string, CaseResult>): TargetResult[] {
  const median = (id: string, engine: "weft" | "langgraph"): number | undefined => results.get(id)?.[engine]?.median;
  const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : a / b;
  const check = (value: number | undefined, ok: (value: number) => boolean): boolean | undefined =>
    value === undefined ? undefined : ok(value);

  const sendsSpeedup = ratio(median("sends/1000", "langgraph"), median("sends/1000", "weft"));
  const sendsGrowth = ratio(median("sends/10000", "weft"), median("sends/1000", "weft"));
  const chainSpeedup = ratio(median("chain/1000", "langgraph"), median("chain/1000", "weft"));
  const loopGrowth = ratio(median("loop/200@10000", "weft"), median("loop/200@0", "weft"));
  const loopGrowthLangGraph = ratio(median("loop/200@10000", "langgraph"), median("loop/200@0", "langgraph"));

  const rows: TargetResult[] = [
    {
      target: "1000 Sends: Weft ≥ 50× faster than LangGraph.js",
      measured: formatRatio(sendsSpeedup),
      pass: check(sendsSpeedup, (r) => r >= 50),
    },
    {
      target: "10000 Sends ≤ 12× the 1000-Send time (Weft, linear)",
      measured: formatRatio(sendsGrowth),
      pass: check(sendsGrowth, (r) => r <= 12),
    },
    {
      target: "chain: Weft per-step overhead ≥ 20× lower than LangGraph.js",
      measured: formatRatio(chainSpeedup),
      pass: check(chainSpeedup, (r) => r >= 20),
    },
    {
      target: `loop: Weft step cost at 10000 items vs 0 items ≤ ${FLAT_TOLERANCE}× (flat)`,
      measured: `${formatRatio(loopGrowth)} (LangGraph.js: ${formatRatio(loopGrowthLangGraph)})`,
      pass: check(loopGrowth, (r) => r <= FLAT_TOLERANCE),
    },
  ];
  for (const result of results.values()) {
    const ideal = result.workload.idealMs;
    const measured = result.weft?.median;
    if (ideal === undefined || measured === undefined) continue;
    const over = (measured - ideal) / ideal;
    rows.push({
      target: `${result.workload.title}: within ${IDEAL_TOLERANCE * 100}% of ideal ${ideal} ms`,
      measured: formatPercent(over),
      pass: Math.abs(over) <= IDEAL_TOLERANCE,
    });
  }
  return rows;
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? "n/a" : pass ? "PASS" : "MISS";
}
