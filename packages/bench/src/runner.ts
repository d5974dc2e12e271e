import { summarize, type Summary } from "./stats.js";
import { checkFinalState, type Engine, type Workload } from "./workloads/workload.js";

/** How long to sample one case. */
export interface SamplingPlan {
  /** Untimed runs after the first (checked) run. */
  readonly warmup: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Stop sampling an engine once its samples add up to this much (and `minSamples` are taken). */
  readonly budgetMs: number;
}

export const FULL: SamplingPlan = { warmup: 3, minSamples: 7, maxSamples: 200, budgetMs: 3000 };
export const QUICK: SamplingPlan = { warmup: 1, minSamples: 3, maxSamples: 20, budgetMs: 300 };

/** One engine's samples: wall-clock time, and the process's CPU time over the same runs. */
export interface EngineResult {
  readonly wall: Summary;
  /**
   * User + system CPU time of the whole process (GC threads included). Unlike wall time, it
   * does not grow while other processes hold the cores, so it shows what noise did to `wall`.
   */
  readonly cpu: Summary;
}

export type CaseResult = { readonly workload: Workload } & { readonly [E in Engine]?: EngineResult };

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function timed(run: () => Promise<unknown>): Promise<Sample & { state: unknown }> {
  collect();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const state = await run();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000, state };
}

/**
 * Measures a workload on each engine it has. The first run of each engine is checked against
 * the expected final state (a wrong result throws). Engines then take samples in turns, so
 * load from other processes falls on both alike. A case whose first run alone exceeds the
 * budget keeps that run as its only sample.
 */
export async function measureCase(workload: Workload, plan: SamplingPlan, engines: readonly Engine[]): Promise<CaseResult> {
  const active = engines.filter((engine) => workload[engine] !== undefined);
  const samples = new Map<Engine, Sample[]>();
  const done = new Set<Engine>();
  for (const engine of active) {
    const first = await timed(workload[engine]!);
    checkFinalState(workload, engine, first.state);
    if (first.wall > plan.budgetMs) {
      samples.set(engine, [first]);
      done.add(engine);
      continue;
    }
    samples.set(engine, []);
    for (let i = 0; i < plan.warmup; i++) await workload[engine]!();
  }
  while (done.size < active.length) {
    for (const engine of active) {
      if (done.has(engine)) continue;
      const taken = samples.get(engine)!;
      const { wall, cpu } = await timed(workload[engine]!);
      taken.push({ wall, cpu });
      const spent = taken.reduce((sum, sample) => sum + sample.wall, 0);
      if ((spent >= plan.budgetMs && taken.length >= plan.minSamples) || taken.length >= plan.maxSamples) done.add(engine);
    }
  }
  const result: { workload: Workload; weft?: EngineResult; langgraph?: EngineResult } = { workload };
  for (const [engine, taken] of samples) {
    result[engine] = { wall: summarize(taken.map((sample) => sample.wall)), cpu: summarize(taken.map((sample) => sample.cpu)) };
  }
  return result;
}
