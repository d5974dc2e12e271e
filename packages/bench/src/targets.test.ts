import { describe, expect, it } from "vitest";
import type { CaseResult } from "./runner.js";
import { summarize } from "./stats.js";
import { evaluateTargets, millionTarget } from "./targets.js";
import { cappedSends } from "./workloads/capped-sends.js";
import { chain } from "./workloads/chain.js";
import { loop } from "./workloads/loop.js";
import { sends } from "./workloads/sends.js";
import { waitingSends } from "./workloads/waiting-sends.js";
import type { Workload } from "./workloads/workload.js";

/** A result whose medians are the given times; its fastest runs took half as long. */
function result(workload: Workload, weft: number, langgraph?: number, none?: number): [string, CaseResult] {
  const engine = (ms: number) => summarize([ms / 2, ms, ms]);
  return [
    workload.id,
    {
      workload,
      weft: engine(weft),
      ...(langgraph === undefined ? {} : { langgraph: engine(langgraph) }),
      ...(none === undefined ? {} : { none: engine(none) }),
    },
  ];
}

/** A loop result whose in-run step times have the given medians (and, on the fastest runs, minimums). */
function loopResult(workload: Workload, weftStep: [median: number, min: number], langgraphStep: [number, number]): [string, CaseResult] {
  const steps = ([median, min]: [number, number]) => summarize([min, median, median]);
  return [
    workload.id,
    { workload, weft: summarize([1]), langgraph: summarize([1]), steps: { weft: steps(weftStep), langgraph: steps(langgraphStep) } },
  ];
}

describe("targets are computed from the medians of the run", () => {
  it("each target passes or misses on its own threshold", () => {
    const results = new Map([
      result(sends(1000), 10, 600, 4), // 60× faster: pass; 2.5× the floor: miss
      result(sends(10_000), 130), // 13× the 1000-Send time: miss
      result(chain(10), 50, 900), // 18×: miss
      loopResult(loop(200, 0), [0.01, 0.008], [1, 1]),
      loopResult(loop(200, 10_000), [0.012, 0.009], [1.1, 1.1]), // 1.2×: pass
      loopResult(loop(200, 0, "hold"), [0.01, 0.01], [1, 1]),
      loopResult(loop(200, 10_000, "hold"), [0.014, 0.011], [1, 1]), // 1.4×: miss
      result(waitingSends(10, 20), 23, undefined, 21), // 2 ms over the floor, 10% of 20 ms: miss
      result(waitingSends(10, 20, 5), 41, undefined, 40.6), // 0.4 ms over the floor, 1% of 40 ms: pass
      result(cappedSends(100_000), 100),
      result(cappedSends(100_000, { kind: "run", size: 100 }), 160), // 1.6× uncapped: miss
      result(cappedSends(100_000, { kind: "node", size: 100 }), 140), // 1.4×: pass
      result(cappedSends(100_000, { kind: "limit", size: 100 }), 151), // 1.51×: miss
    ]);
    // The targets look cases up by the ids of the bench's sizes.
    results.set("chain/1000", results.get("chain/10")!);

    const verdicts = evaluateTargets(results).map((row) => [row.measured, row.measuredMin, row.pass]);

    expect(verdicts).toEqual([
      ["60.0×", "60.0×", true],
      ["2.50×", "2.50×", false],
      ["13.0×", "13.0×", false],
      ["18.0×", "18.0×", false],
      ["1.60×", "1.60×", false],
      ["1.40×", "1.40×", true],
      ["1.51×", "1.51×", false],
      ["1.40× (LangGraph.js: 1.00×)", "1.10× (LangGraph.js: 1.00×)", false],
      ["1.20× (LangGraph.js: 1.10×)", "1.13× (LangGraph.js: 1.10×)", true],
      ["+10.0% (Weft +15.0%, no engine +5.0%)", "+5.0% (Weft -42.5%, no engine -47.5%)", false],
      ["+1.0% (Weft +2.5%, no engine +1.5%)", "+0.5% (Weft -48.8%, no engine -49.3%)", true],
    ]);
  });

  it("a waiting case is judged by Weft's time over the no-engine floor, both shown beside it", () => {
    const workload = waitingSends(10, 20);
    const results = new Map([[workload.id, { workload, weft: summarize([21, 21.3, 21.3]), none: summarize([20.5, 21, 21]) }]]);

    expect(evaluateTargets(results).at(-1)).toMatchObject({
      measured: "+1.5% (Weft +6.5%, no engine +5.0%)",
      measuredMin: "+2.5% (Weft +5.0%, no engine +2.5%)",
      pass: true,
    });
  });

  it("verdicts come from the medians even when the fastest runs tell otherwise", () => {
    const loaded: CaseResult = { workload: sends(1000), weft: summarize([5, 20, 20]), langgraph: summarize([600, 600, 600]) };
    const results = new Map([["sends/1000", loaded]]);

    expect(evaluateTargets(results)[0]).toMatchObject({ measured: "30.0×", measuredMin: "120×", pass: false });
  });

  it("the million-Send target passes under 1 GiB of peak memory, and is open when not run", () => {
    const probe = { sends: 1_000_000, maxConcurrency: 1000, ms: 6000 };
    expect(millionTarget({ ...probe, peakRssMiB: 900 })).toMatchObject({ measured: "900 MiB peak RSS, 6.0 s", pass: true });
    expect(millionTarget({ ...probe, peakRssMiB: 1100 }).pass).toBe(false);
    expect(millionTarget(undefined)).toMatchObject({ measured: "not run", pass: undefined });
  });

  it("a target whose cases did not run is neither a pass nor a miss", () => {
    const results = new Map([result(sends(1000), 10)]);

    expect(evaluateTargets(results)[0]).toMatchObject({ measured: "–", pass: undefined });
  });
});
