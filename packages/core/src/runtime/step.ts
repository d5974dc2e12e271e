import { GraphError } from "../errors.js";
import type { TaskOutcome } from "./task.js";
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
  const settle = async (outcome: TaskOutcome, i: number): Promise<void> => {
    if (options.onSettled !== undefined) await options.onSettled(outcome);
    outcomes[i] = outcome;
  };
  try {
    const all = Promise.all(
      tasks.map((task, i) => {
        const known = options.known.get(task.taskId);
        if (known !== undefined) {
          outcomes[i] = known;
          return undefined;
        }
        const outcome = runTask(task, env);
        if (isThenable(outcome)) return outcome.then((settled) => settle(settled, i));
        if (options.onSettled !== undefined) return settle(outcome, i);
        outcomes[i] = outcome;
        return undefined;
      }),
    );
    const bounded = new Promise<void>((resolve) => {
      giveUp = resolve;
      controller.signal.addEventListener(
        "abort",
        () => {
          settleTimer = setTimeout(resolve, options.settleTimeoutMs);
        },
        { once: true },
      );
    });
    await Promise.race([all, bounded]);
  } finally {
    giveUp?.();
    clearTimeout(settleTimer);
    options.runSignal.removeEventListener("abort", onRunAbort);
  }
  return tasks.map(
    (task, i) => outcomes[i] ?? { status: "cancelled", task, reason: new GraphError("ABORTED", "did not settle in time") },
  );
}
