import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { measureCase, type SamplingPlan } from "./runner.js";
import type { Engine, Workload } from "./workloads/workload.js";

/** A workload whose runs only record which engine ran, and can be told to take a while. */
function recordingWorkload(calls: Engine[], waitMs: Partial<Record<Engine, number>> = {}): Workload {
  const run = (engine: Engine) => async (): Promise<unknown> => {
    calls.push(engine);
    if (waitMs[engine] !== undefined) await sleep(waitMs[engine]);
    return { done: true };
  };
  return {
    id: "recording",
    title: "recording",
    weft: run("weft"),
    langgraph: run("langgraph"),
    project: (state) => state,
    expected: { done: true },
  };
}

const plan: SamplingPlan = { rewarm: 2, block: 3, minSamples: 4, maxSamples: 5, budgetMs: 60_000 };

describe("measureCase: blocks of timed runs, each after a collection and rewarm runs", () => {
  it("checks one run per engine, then alternates blocks of rewarm + timed runs until the sample cap", async () => {
    const calls: Engine[] = [];

    const result = await measureCase(recordingWorkload(calls), plan, ["weft", "langgraph"]);

    const run = (engine: Engine, times: number): Engine[] => Array<Engine>(times).fill(engine);
    expect(calls).toEqual([
      ...run("weft", 1),
      ...run("langgraph", 1),
      // First blocks: 2 rewarm + 3 timed each.
      ...run("weft", 5),
      ...run("langgraph", 5),
      // Second blocks stop at the cap of 5 samples: 2 rewarm + 2 timed.
      ...run("weft", 4),
      ...run("langgraph", 4),
    ]);
    expect(result.weft?.samples).toBe(5);
    expect(result.langgraph?.samples).toBe(5);
  });

  it("stops an engine once its samples fill the time budget and the minimum count", async () => {
    const calls: Engine[] = [];

    const result = await measureCase(recordingWorkload(calls, { weft: 20 }), { ...plan, budgetMs: 50 }, ["weft"]);

    // 20 ms per run: the 3rd sample passes 50 ms, the 4th meets the minimum.
    expect(result.weft?.samples).toBe(4);
    expect(result.weft?.median).toBeGreaterThanOrEqual(19);
  });

  it("keeps a first run longer than the budget as the engine's only sample", async () => {
    const calls: Engine[] = [];

    const result = await measureCase(recordingWorkload(calls, { langgraph: 30 }), { ...plan, budgetMs: 20 }, ["weft", "langgraph"]);

    expect(calls.filter((engine) => engine === "langgraph")).toHaveLength(1);
    expect(result.langgraph?.samples).toBe(1);
    expect(result.weft?.samples).toBeGreaterThanOrEqual(plan.minSamples);
  });

  it("throws when an engine's checked run computes the wrong final state", async () => {
    const workload: Workload = { ...recordingWorkload([]), expected: { done: false } };

    await expect(measureCase(workload, plan, ["weft"])).rejects.toThrow(/weft computed a wrong final state for recording/);
  });
});
