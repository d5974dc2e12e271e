import { GraphError } from "../errors.js";
import type { TaskOutcome } from "./task.js";
import { taskRef } from "../stream/events.js";
import { isThenable, runTask, sendLabel, type StepEnv, type Task } from "./task.js";

/** What one step needs besides its tasks. */
export interface StepOptions extends Omit<StepEnv, "signal" | "onFatal"> {
  /** After a failure aborts its siblings, how long to wait for them before giving up. */
  readonly settleTimeoutMs: number;
  readonly runSignal: AbortSignal;
  /** Outcomes known before the step runs (saved by an earlier, interrupted attempt), by task id. */
  readonly known: ReadonlyMap<string, TaskOutcome>;
  /** Called as each task settles, before the step ends: persists finished work at once. */
  readonly onSettled: ((outcome: TaskOutcome) => Promise<void>) | undefined;
}

/**
 * Runs every task of a step at once and returns their outcomes in task order. On a fatal
 * failure it aborts the rest through their signal and waits for them, at most
 * `settleTimeoutMs`.
 */
export async function runStep(tasks: readonly Task[], options: StepOptions): Promise<TaskOutcome[]> {
  const stepStarted = options.emit === undefined ? 0 : options.at();
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(options.runSignal.reason);
  if (options.runSignal.aborted) onRunAbort();
  else options.runSignal.addEventListener("abort", onRunAbort, { once: true });
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let giveUp: (() => void) | undefined;
  const env: StepEnv = {
    ...options,
    signal: controller.signal,
    onFatal: (failure) => {
      if (controller.signal.aborted) return;
      controller.abort(
        new GraphError("ABORTED", `Cancelled because "${failure.node}"${sendLabel(failure)} failed in step ${failure.step}.`),
      );
    },
  };
  const outcomes: (TaskOutcome | undefined)[] = new Array(tasks.length);
  try {
    const all = settleAll(tasks, env, options, outcomes);
    if (all !== undefined) {
      const bounded = new Promise<void>((resolve) => {
        giveUp = resolve;
        const startClock = (): void => {
          settleTimer = setTimeout(resolve, options.settleTimeoutMs);
        };
        // A task that failed synchronously has aborted the step already.
        if (controller.signal.aborted) startClock();
        else controller.signal.addEventListener("abort", startClock, { once: true });
      });
      await Promise.race([all, bounded]);
    }
  } finally {
    giveUp?.();
    clearTimeout(settleTimer);
    options.runSignal.removeEventListener("abort", onRunAbort);
  }
  return tasks.map((task, i) => outcomes[i] ?? abandoned(task, options, stepStarted));
}

/** A task that did not settle within `settleTimeoutMs` of its step's cancellation: left behind. */
function abandoned(task: Task, options: StepOptions, stepStarted: number): TaskOutcome {
  const reason = new GraphError(
    "ABORTED",
    `Node "${task.node}"${sendLabel(task)} did not stop within ${options.settleTimeoutMs} ms of its step's cancellation and was left behind.`,
  );
  // Its duration is counted from the start of the step: it never ended.
  options.emit?.({ type: "task:cancelled", ...taskRef(task), durationMs: options.at() - stepStarted, at: options.at() });
  return { status: "cancelled", task, reason };
}

/**
 * Starts every task and records each outcome at its task's position as it settles (after
 * `onSettled` has persisted it). Returns undefined when every task ended synchronously, else a
 * promise that resolves when the last one has, or rejects if persisting an outcome fails.
 * One counter instead of `Promise.all`, so a task that ends synchronously allocates no promise
 * and one that ends later costs a single reaction.
 */
function settleAll(
  tasks: readonly Task[],
  env: StepEnv,
  options: StepOptions,
  outcomes: (TaskOutcome | undefined)[],
): Promise<void> | undefined {
  const { known, onSettled } = options;
  let pending = 0;
  let started = false;
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  const record = (outcome: TaskOutcome, i: number): void => {
    outcomes[i] = outcome;
    if (--pending === 0 && started) resolve();
  };
  const persist = (outcome: TaskOutcome, i: number): void => {
    onSettled!(outcome).then(() => record(outcome, i), reject);
  };
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const saved = known.size === 0 ? undefined : known.get(task.taskId);
    if (saved !== undefined) {
      outcomes[i] = saved;
      continue;
    }
    const outcome = runTask(task, env);
    if (isThenable(outcome)) {
      pending++;
      outcome.then(onSettled === undefined ? (settled) => record(settled, i) : (settled) => persist(settled, i));
    } else if (onSettled !== undefined) {
      pending++;
      persist(outcome, i);
    } else {
      outcomes[i] = outcome;
    }
  }
  started = true;
  if (pending === 0) return undefined;
  return done;
}
