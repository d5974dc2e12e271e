import { summarize, type Summary } from "./stats.js";
import { checkFinalState, type Engine, type StepClock, type Workload } from "./workloads/workload.js";

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

/** Per engine: the wall times of the timed runs, and for loops the in-run step times (each run's median step). */
export type CaseResult = { readonly workload: Workload } & { readonly [E in Engine]?: Summary } & {
  readonly steps?: { readonly [E in Engine]?: Summary };
};

const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/**
 * Untimed runs of the same engine between the forced collection and a timed run. V8 throws
 * optimized code away in a forced collection (over 90 runs of the waiting Sends, 2904
 * functions were optimized again with a collection before each run, 364 without one) and takes
 * a few runs to tier back up: the waiting Sends' median was 23.6 ms one run after the
 * collection, 22.7 ms three runs after it, 22.0 ms with no forced collection at all.
 */
export const REWARM_RUNS = 3;

/**
 * What comes before every timed run: a forced full collection (with `--expose-gc`) clears what
 * earlier runs (of any engine) left behind; with `rewarm`, {@link REWARM_RUNS} untimed runs of
 * the same engine then bring its optimized code back, so the timed run measures the engine,
 * not V8 re-optimizing it, and meets only garbage of its own engine's making.
 */
export async function prepareTimedRun(run: () => Promise<unknown>, rewarm: boolean): Promise<void> {
  collect();
  if (rewarm) for (let i = 0; i < REWARM_RUNS; i++) await run();
}

/** Times one run after {@link prepareTimedRun}. */
async function timed(
  run: () => Promise<unknown>,
  rewarm: boolean,
  clock: StepClock | undefined,
): Promise<{ ms: number; state: unknown; stepMs: number | undefined }> {
  await prepareTimedRun(run, rewarm);
  clock?.reset();
  const start = performance.now();
  const state = await run();
  return { ms: performance.now() - start, state, stepMs: clock?.medianStepMs() };
}

/**
 * Measures a workload on each engine it has. The first run of each engine is checked against
 * the expected final state (a wrong result throws). Engines then take samples in turns, so
 * load from other processes falls on both alike. A case whose first run alone exceeds the
 * budget keeps that run as its only sample.
 */
export async function measureCase(workload: Workload, plan: SamplingPlan, engines: readonly Engine[]): Promise<CaseResult> {
  const active = engines.filter((engine) => workload[engine] !== undefined);
  const samples = new Map<Engine, number[]>();
  const stepSamples = new Map<Engine, number[]>();
  const done = new Set<Engine>();
  for (const engine of active) {
    const first = await timed(workload[engine]!, false, workload.stepClock);
    checkFinalState(workload, engine, first.state);
    if (first.ms > plan.budgetMs) {
      samples.set(engine, [first.ms]);
      if (first.stepMs !== undefined) stepSamples.set(engine, [first.stepMs]);
      done.add(engine);
      continue;
    }
    samples.set(engine, []);
    stepSamples.set(engine, []);
    for (let i = 0; i < plan.warmup; i++) await workload[engine]!();
  }
  while (done.size < active.length) {
    for (const engine of active) {
      if (done.has(engine)) continue;
      const taken = samples.get(engine)!;
      const { ms, stepMs } = await timed(workload[engine]!, true, workload.stepClock);
      taken.push(ms);
      if (stepMs !== undefined) stepSamples.get(engine)!.push(stepMs);
      const spent = taken.reduce((sum, ms) => sum + ms, 0);
      if ((spent >= plan.budgetMs && taken.length >= plan.minSamples) || taken.length >= plan.maxSamples) done.add(engine);
    }
  }
  const result: { workload: Workload; steps?: { [E in Engine]?: Summary } } & { [E in Engine]?: Summary } = { workload };
  for (const [engine, taken] of samples) result[engine] = summarize(taken);
  for (const [engine, taken] of stepSamples) {
    if (taken.length > 0) result.steps = { ...result.steps, [engine]: summarize(taken) };
  }
  return result;
}
