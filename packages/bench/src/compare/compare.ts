import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { FULL, prepareTimedRun } from "../runner.js";
import { median } from "../stats.js";
import { weftChain } from "../workloads/chain.js";
import { weftJoin } from "../workloads/join.js";
import { weftLoop } from "../workloads/loop.js";
import { weftSendsGraph, type WeftCore, type WorkerUpdate } from "../workloads/sends.js";
import { weftSubgraphSends } from "../workloads/subgraph-sends.js";
import { withoutEngine } from "../workloads/waiting-sends.js";
import { range, type RunOnce } from "../workloads/workload.js";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where revisions of core are unpacked: inside this package, so they resolve its zod and immer. */
const SNAPSHOTS = join(PACKAGE, ".compare");

/**
 * Loads `@weft/core` as it was at a git revision: its `packages/core/src`, unpacked once into
 * `packages/bench/.compare/<commit>` and imported from source (through tsx, like the bench).
 */
export async function coreAt(revision: string): Promise<{ commit: string; core: WeftCore }> {
  const git = (args: readonly string[]): Buffer => execFileSync("git", args, { cwd: PACKAGE, maxBuffer: 64 << 20 });
  // `git archive <commit>:<path>` takes the path from the top of the repository, and runs there.
  const top = git(["rev-parse", "--show-toplevel"]).toString().trim();
  const commit = git(["rev-parse", "--short=12", `${revision}^{commit}`])
    .toString()
    .trim();
  const dir = join(SNAPSHOTS, commit);
  if (!existsSync(dir)) {
    // Unpacked beside it, then renamed: a half-unpacked copy is never taken for a whole one.
    const partial = `${dir}.${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const archive = execFileSync("git", ["archive", `${commit}:packages/core/src`], { cwd: top, maxBuffer: 64 << 20 });
    // Without core's own tests: this package's test runner would pick them up.
    execFileSync("tar", ["-x", "-C", partial, "--exclude=*.test.ts", "--exclude=*.test-d.ts"], { input: archive });
    renameSync(partial, dir);
  }
  return { commit, core: (await import(pathToFileURL(join(dir, "index.ts")).href)) as WeftCore };
}

/** Marks inside one run of the waiting Sends, in ms from the start of `invoke`. */
export interface RunMarks {
  readonly wallMs: number;
  /** When the last worker started: routing, planning and starting every task. */
  readonly lastStartMs: number;
  /** From the first worker resuming after its wait to the last: handling the completions. */
  readonly completionsMs: number;
  /** From the last worker resuming to the end of `invoke`: the last completion, commit, final step. */
  readonly tailMs: number;
}

/** What {@link compareCores} measured: per side, the marks of each timed run, in run order. */
export interface Comparison {
  readonly before: readonly RunMarks[];
  readonly after: readonly RunMarks[];
  /** The same workers awaited with `Promise.all`: the floor. */
  readonly none: readonly RunMarks[];
}

/** Options of {@link compareCores}. */
export interface CompareOptions {
  readonly sends: number;
  readonly waitMs: number;
  /** Timed runs per side. */
  readonly runs: number;
}

/**
 * Runs `n` Sends whose worker waits `waitMs` (the bench's waiting Sends) on two copies of core
 * side by side in one process, alternating run by run, each run after a forced collection and
 * the full bench's rewarm runs ({@link prepareTimedRun}), so that load from other processes
 * falls on both alike and a pair of runs can be compared. The two cores swap their
 * order every round. Checks every timed run's result.
 */
export async function compareCores(before: WeftCore, after: WeftCore, options: CompareOptions): Promise<Comparison> {
  const { sends, waitMs, runs } = options;
  let t0 = 0;
  let started = 0;
  let resumed = 0;
  let lastStart = 0;
  let firstResume = 0;
  let lastResume = 0;
  const worker = async ({ i }: { i: number }): Promise<WorkerUpdate> => {
    if (++started === sends) lastStart = performance.now();
    await sleep(waitMs);
    const now = performance.now();
    if (resumed++ === 0) firstResume = now;
    lastResume = now;
    return { items: [i] };
  };
  const sides = [
    ["before", weftSendsGraph(worker, { core: before })],
    ["after", weftSendsGraph(worker, { core: after })],
  ] as const;
  const runOf = (side: "before" | "after" | "none"): (() => Promise<{ items: readonly number[] }>) =>
    side === "none" ? () => withoutEngine(sends, worker) : () => sides[side === "before" ? 0 : 1][1].invoke({ n: sends });
  const marks: Record<"before" | "after" | "none", RunMarks[]> = { before: [], after: [], none: [] };
  const expected = range(sends);
  for (let round = 0; round < runs; round++) {
    // The two cores swap places every round, so neither always runs first.
    for (const side of round % 2 === 0 ? (["before", "after", "none"] as const) : (["after", "before", "none"] as const)) {
      const run = runOf(side);
      await prepareTimedRun(run, FULL.rewarm);
      started = resumed = 0;
      t0 = performance.now();
      const { items } = await run();
      const end = performance.now();
      if (items.length !== sends || items.some((item, i) => item !== expected[i])) {
        throw new Error(`compare: the ${side} side returned items out of Send order or missing some.`);
      }
      marks[side].push({
        wallMs: end - t0,
        lastStartMs: lastStart - t0,
        completionsMs: lastResume - firstResume,
        tailMs: end - lastResume,
      });
    }
  }
  return marks;
}

/** Medians of each mark over the runs. */
export function medianMarks(runs: readonly RunMarks[]): RunMarks {
  const of = (key: keyof RunMarks): number => median(runs.map((run) => run[key]));
  return { wallMs: of("wallMs"), lastStartMs: of("lastStartMs"), completionsMs: of("completionsMs"), tailMs: of("tailMs") };
}

/** `after − before` for each pair of runs taken together: the median, and how many runs got faster. */
export function pairedChange(before: readonly number[], after: readonly number[]): { medianMs: number; faster: number; pairs: number } {
  if (before.length !== after.length) throw new Error("pairedChange: both sides need the same number of runs.");
  const changes = after.map((value, i) => value - before[i]!);
  return { medianMs: median(changes), faster: changes.filter((change) => change < 0).length, pairs: changes.length };
}

/** A workload that {@link compareCase} can build on any copy of core. */
export interface CoreCase {
  readonly id: string;
  /** Builds the workload's run on `core`. */
  readonly build: (core: WeftCore) => RunOnce;
}

/**
 * The bench's Weft workloads, each buildable on another revision's core: every kind of case
 * `pnpm bench` times (fan-out, chain, join, loops, waiting Sends with and without a cap, subgraphs).
 * `COMPARE_ONLY` keeps the cases whose id starts with it.
 */
export function coreCases(only: string | undefined = process.env.COMPARE_ONLY): CoreCase[] {
  const waiting =
    (n: number, waitMs: number, maxConcurrency?: number): CoreCase["build"] =>
    (core) => {
      const graph = weftSendsGraph(
        async ({ i }) => {
          await sleep(waitMs);
          return { items: [i] };
        },
        { core },
      );
      const options = maxConcurrency === undefined ? {} : { maxConcurrency };
      return () => graph.invoke({ n }, options);
    };
  const sends =
    (n: number): CoreCase["build"] =>
    (core) => {
      const graph = weftSendsGraph(({ i }) => ({ items: [i] }), { core });
      return () => graph.invoke({ n });
    };
  const counter = (s: { counter: number }) => ({ items: [s.counter], counter: s.counter + 1 });
  const cases: CoreCase[] = [
    { id: "sends/1000", build: sends(1000) },
    { id: "sends/10000", build: sends(10_000) },
    { id: "chain/1000", build: (core) => weftChain(1000, core) },
    { id: "join/100", build: (core) => weftJoin(100, core) },
    { id: "loop/200@0", build: (core) => weftLoop(200, [], counter, core) },
    { id: "loop/200@10000", build: (core) => weftLoop(200, range(10_000), counter, core) },
    { id: "waiting-sends/1000", build: waiting(1000, 20) },
    { id: "waiting-sends/1000/cap50", build: waiting(1000, 20, 50) },
    { id: "subgraphs/1000", build: (core) => weftSubgraphSends(1000, core) },
  ];
  return cases.filter((kase) => only === undefined || kase.id.startsWith(only));
}

/** Wall times of one case on two cores, run by run, in run order. */
export interface CaseComparison {
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/** A case the core at the older revision cannot build (a feature it does not have yet), and why. */
export interface UnsupportedCase {
  readonly unsupported: string;
}

/**
 * Times one case on two copies of core side by side in one process, alternating run by run
 * and swapping their order every round, each run after a forced collection and the full
 * bench's rewarm runs: the same protocol as {@link compareCores}, for any workload.
 */
export async function compareCase(
  before: WeftCore,
  after: WeftCore,
  kase: CoreCase,
  runs: number,
): Promise<CaseComparison | UnsupportedCase> {
  let older: () => Promise<unknown>;
  try {
    older = kase.build(before);
  } catch (error) {
    return { unsupported: error instanceof Error ? error.message : String(error) };
  }
  const sides = { before: older, after: kase.build(after) };
  const times: Record<"before" | "after", number[]> = { before: [], after: [] };
  for (let round = 0; round < runs; round++) {
    for (const side of round % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const)) {
      const run = sides[side];
      await prepareTimedRun(run, FULL.rewarm);
      const t0 = performance.now();
      await run();
      times[side].push(performance.now() - t0);
    }
  }
  return times;
}
