import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Checkpointer } from "@weft/core/adapter";
import { expect, it } from "vitest";
import { spawnSource } from "../child-process.js";
import type { CrashBackend } from "./crash-recovery.js";
import { STEP_WORKERS, STEPS_PER_WORKER, stepGraph } from "./step-graph.js";

const child = fileURLToPath(new URL("./step-crash-child.ts", import.meta.url));

/** Every step of the graph, as its log line says it: `<worker> <k>`. */
const ALL_STEPS = Array.from({ length: STEP_WORKERS }, (_, i) => Array.from({ length: STEPS_PER_WORKER }, (_, k) => `${i} ${k}`)).flat();
/** A worker's step keys in the store, by the `k` of its log line. */
const STEP_KEYS = ["fetch#0", "fetch#1", "write#0"];

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** A small seeded generator (mulberry32): the same kill points on every run of the tests. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One trial: when to kill each run (after that many step effects in its log), and how to go on. */
interface Trial {
  readonly kills: readonly number[];
  readonly recover: boolean;
}

/** One process's run of the thread: its log, and, when it was killed, the steps saved then. */
interface Run {
  readonly log: string[];
  readonly saved: ReadonlySet<string> | undefined;
}

/**
 * The steps whose results the store holds for the thread: those saved under the fan-out step
 * while it is pending, or all of them once that step has committed.
 */
async function savedSteps(saver: Checkpointer, threadId: string): Promise<Set<string>> {
  const latest = await saver.get(threadId);
  if (latest === undefined) return new Set();
  if (latest.step >= 2) return new Set(ALL_STEPS);
  const saved = new Set<string>();
  for (let i = 0; i < STEP_WORKERS; i++) {
    for (const row of await saver.getStepResults(threadId, latest.checkpointId, `2:${i}`))
      saved.add(`${i} ${STEP_KEYS.indexOf(row.stepKey)}`);
  }
  return saved;
}

/**
 * The step crash test, for one backend: a process runs 200 Sends of three steps each, each
 * step appending a unique line to a log before its result is saved. It is SIGKILLed after a
 * random number of step effects (once or twice per trial), then resumed by a new process
 * (`invoke`, or `recover()` once its lease expired) until the run ends.
 *
 * What must hold, with "saved at kill j" read from the store right after run j was killed:
 * - a step saved at a kill never runs after it;
 * - no process runs a step twice;
 * - each step ran exactly once, plus once more for each kill that found it run (its line
 *   written) but not saved: the crash fell between its function's end and its save;
 * - a worker's third step ran only once its first two were saved (`ctx.step` returns a value
 *   only once it is saved), so a kill that finds a third step's line finds the two saved;
 * - the final state equals an uninterrupted run's, and no step result is left in the store.
 */
export function itKeepsStepsThroughCrashes(name: string, backend: () => CrashBackend, options: { trials: number; seed: number }): void {
  const random = seeded(options.seed);
  const total = STEP_WORKERS * STEPS_PER_WORKER;
  const trials: Trial[] = Array.from({ length: options.trials }, (_, t) => ({
    kills: Array.from({ length: random() < 0.5 ? 1 : 2 }, () => 1 + Math.floor(random() * (total - 40))),
    recover: t % 2 === 1,
  }));
  trials.forEach((trial, t) => {
    const how = trial.recover ? "recover()" : "invoke";
    it(`${name}: trial ${t + 1}, killed after ${trial.kills.join(" then ")} step effects, resumed by ${how}`, async () => {
      const { saverModule, saverArg, open, settled } = backend();
      const dir = mkdtempSync(join(tmpdir(), "weft-step-crash-"));
      const threadId = `step-crash-${process.pid}-${Date.now()}-${t}`;
      const saver = open();
      try {
        const { runs, final } = await runUntilDone({ saverModule, saverArg, saver, threadId, dir, trial, settled });
        expect(runs.filter((run) => run.saved !== undefined).length).toBeGreaterThanOrEqual(1);
        checkSteps(runs);
        const reference = await stepGraph({}).invoke({});
        expect(final).toEqual(reference);
        const graph = stepGraph({ checkpointer: saver });
        const done = await graph.getState(threadId);
        expect(done?.values).toEqual(reference);
        expect(done?.next).toEqual([]);
        const history = await graph.getHistory(threadId);
        for (const state of history) {
          for (let i = 0; i < STEP_WORKERS; i += 37) expect(await saver.getStepResults(threadId, state.checkpointId, `2:${i}`)).toEqual([]);
        }
      } finally {
        await saver.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}

/** Runs the thread in child processes, killing them as the trial says, until one finishes it. */
async function runUntilDone(at: {
  saverModule: string;
  saverArg: string;
  saver: Checkpointer;
  threadId: string;
  dir: string;
  trial: Trial;
  settled: CrashBackend["settled"];
}): Promise<{ runs: Run[]; final: unknown }> {
  const { saverModule, saverArg, saver, threadId, dir, trial, settled } = at;
  const runs: Run[] = [];
  for (let j = 0; ; j++) {
    const mode = j === 0 ? "start" : trial.recover ? "recover" : "resume";
    if (mode === "recover") await leaseExpired(saver, threadId);
    const log = join(dir, `run-${j}.log`);
    const run = spawnSource(child, [saverModule, saverArg, threadId, log, mode]);
    let exited = false;
    void run.done.then(() => (exited = true));
    const killAt = trial.kills[j];
    if (killAt !== undefined) {
      while (!exited && lines(log).length < killAt) await sleep(2);
      if (!exited) run.kill("SIGKILL");
    }
    const exit = await run.done;
    if (exit.signal === "SIGKILL") {
      await settled?.();
      runs.push({ log: lines(log), saved: await savedSteps(saver, threadId) });
      continue;
    }
    expect(exit.code, exit.stderr).toBe(0);
    runs.push({ log: lines(log), saved: undefined });
    return { runs, final: JSON.parse(exit.stdout) };
  }
}

async function leaseExpired(saver: Checkpointer, threadId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await saver.expiredLeases()).some((lease) => lease.threadId === threadId)) {
    expect(Date.now(), "the killed run's lease never expired").toBeLessThan(deadline);
    await sleep(20);
  }
}

/** The exactly-once rules of the test's description, step by step. */
function checkSteps(runs: readonly Run[]): void {
  const ranIn = new Map<string, number[]>();
  runs.forEach((run, j) => {
    const once = new Set<string>();
    for (const line of run.log) {
      expect(once.has(line), `run ${j} ran step "${line}" twice`).toBe(false);
      once.add(line);
      ranIn.set(line, [...(ranIn.get(line) ?? []), j]);
    }
  });
  expect([...ranIn.keys()].sort()).toEqual([...ALL_STEPS].sort());
  for (const [j, run] of runs.entries()) {
    if (run.saved === undefined) continue;
    for (const line of run.log.filter((entry) => entry.endsWith(" 2"))) {
      const i = line.split(" ")[0];
      expect(
        [run.saved.has(`${i} 0`), run.saved.has(`${i} 1`)],
        `worker ${i} took its third step in run ${j} before its first two were saved`,
      ).toEqual([true, true]);
    }
  }
  for (const step of ALL_STEPS) {
    const ran = ranIn.get(step)!;
    let lost = 0;
    runs.forEach((run, j) => {
      if (run.saved === undefined) return;
      if (run.saved.has(step))
        expect(
          ran.filter((r) => r > j),
          `step "${step}" ran again after it was saved`,
        ).toEqual([]);
      else if (ran.includes(j)) lost++;
    });
    expect(ran.length, `step "${step}" ran in runs ${ran.join(", ")}`).toBe(1 + lost);
  }
}
