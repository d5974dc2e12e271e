import { summarize, type Summary } from "./stats.js";
import { checkFinalState, type Engine, type StepClock, type Workload } from "./workloads/workload.js";

/** How long to sample one case, and how each block of timed runs is prepared. */
export interface SamplingPlan {
  /** Untimed runs of each engine between its forced collection and its block of timed runs. */
  readonly rewarm: number;
  /** Timed runs taken in a row, one engine at a time, after each collection and rewarm. */
  readonly block: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Stop sampling an engine once its samples add up to this much (and `minSamples` are taken). */
  readonly budgetMs: number;
}

/**
 * After a forced full collection an engine's runs take a while to come back to their steady
 * time, as V8 optimizes its code again. Measured with `pnpm --filter @weft/bench run warmup`
 * (see docs/benchmarks.md): the 4th run after the collection took 1.6× the steady time on
 * Weft's chain of 1000 nodes, 2.2× on its loop, 1.2× on LangGraph.js's 100 Sends and loop, and
 * the runs settle from about the 9th on. So each block of timed runs starts after
 * {@link FULL}`.rewarm` untimed ones.
 */
export const FULL: SamplingPlan = { rewarm: 10, block: 10, minSamples: 7, maxSamples: 200, budgetMs: 3000 };
/** Smoke mode: enough to see every case run, not to measure it. */
export const QUICK: SamplingPlan = { rewarm: 1, block: 3, minSamples: 3, maxSamples: 20, budgetMs: 300 };

/** Per engine: the wall times of the timed runs, and for loops the in-run step times (each run's median step). */
export type CaseResult = { readonly workload: Workload } & { readonly [E in Engine]?: Summary } & {
  readonly steps?: { readonly [E in Engine]?: Summary };
};

const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/**
 * What comes before a block of timed runs: a forced full collection (with `--expose-gc`)
 * clears what earlier runs (of any engine) left behind, so the block meets only garbage of
 * its own engine's making, as a long-running process would; then `rewarm` untimed runs of the
 * same engine bring its optimized code back (see {@link FULL}).
 */
export async function prepareTimedRun(run: () => Promise<unknown>, rewarm: number): Promise<void> {
  collect();
  for (let i = 0; i < rewarm; i++) await run();
}

/** Times one run; with a clock, also reads the run's median step. */
async function timed(
  run: () => Promise<unknown>,
  clock: StepClock | undefined,
): Promise<{ ms: number; state: unknown; stepMs: number | undefined }> {
  clock?.reset();
  const start = performance.now();
  const state = await run();
  return { ms: performance.now() - start, state, stepMs: clock?.medianStepMs() };
}

/**
 * Measures a workload on each engine it has. The first run of each engine is checked against
 * the expected final state (a wrong result throws). Engines then take samples in turns, a
 * block of `plan.block` runs each after {@link prepareTimedRun}, so load from other processes
 * falls on both alike. A case whose first run alone exceeds the budget keeps that run as its
 * only sample.
 */
export async function measureCase(workload: Workload, plan: SamplingPlan, engines: readonly Engine[]): Promise<CaseResult> {
  const active = engines.filter((engine) => workload[engine] !== undefined);
  const samples = new Map<Engine, number[]>();
  const stepSamples = new Map<Engine, number[]>();
  const done = new Set<Engine>();
  for (const engine of active) {
    await prepareTimedRun(workload[engine]!, 0);
    const first = await timed(workload[engine]!, workload.stepClock);
    checkFinalState(workload, engine, first.state);
    samples.set(engine, []);
    stepSamples.set(engine, []);
    if (first.ms > plan.budgetMs) {
      samples.get(engine)!.push(first.ms);
      if (first.stepMs !== undefined) stepSamples.get(engine)!.push(first.stepMs);
      done.add(engine);
    }
  }
  while (done.size < active.length) {
    for (const engine of active) {
      if (done.has(engine)) continue;
      const run = workload[engine]!;
      const taken = samples.get(engine)!;
      await prepareTimedRun(run, plan.rewarm);
      for (let i = 0; i < plan.block && !done.has(engine); i++) {
        const { ms, stepMs } = await timed(run, workload.stepClock);
        taken.push(ms);
        if (stepMs !== undefined) stepSamples.get(engine)!.push(stepMs);
        const spent = taken.reduce((sum, ms) => sum + ms, 0);
        if ((spent >= plan.budgetMs && taken.length >= plan.minSamples) || taken.length >= plan.maxSamples) done.add(engine);
      }
    }
  }
  const result: { workload: Workload; steps?: { [E in Engine]?: Summary } } & { [E in Engine]?: Summary } = { workload };
  for (const [engine, taken] of samples) result[engine] = summarize(taken);
  for (const [engine, taken] of stepSamples) {
    if (taken.length > 0) result.steps = { ...result.steps, [engine]: summarize(taken) };
  }
  return result;
}
