import { GraphError } from "../errors.js";
import { sendLabel, taskRef } from "../records/task-ref.js";
import { isThenable } from "./maybe.js";
import type { StepEnv, Task, TaskOutcome } from "./task.js";
import { runTask } from "./task-run.js";

/** How a step learns that its run was cancelled. */
export interface Cancellation {
  /**
   * Calls `onCancel` with the reason when the run is cancelled (at once if it already is),
   * until the returned function is called.
   */
  watch(onCancel: (reason: unknown) => void): () => void;
}

/** What one step needs besides its tasks. */
export interface StepOptions extends Omit<StepEnv, "signal" | "onFatal"> {
  /** After a failure aborts its siblings, how long to wait for them before giving up. */
  readonly settleTimeoutMs: number;
  /** The run's cancellation, passed on to the step's tasks. */
  readonly cancellation: Cancellation;
  /** Outcomes known before the step runs (saved by an earlier, interrupted attempt), by task id. */
  readonly known: ReadonlyMap<string, TaskOutcome>;
  /** Called as each task settles, before the step ends: persists finished work at once. */
  readonly onSettled: ((outcome: TaskOutcome) => Promise<void>) | undefined;
}

/**
 * Runs every task of a step at once and returns their outcomes in task order. On a fatal
 * failure, or when the run is cancelled, it aborts the rest through their signal and waits
 * for them, at most `settleTimeoutMs`.
 */
export async function runStep(tasks: readonly Task[], options: StepOptions): Promise<TaskOutcome[]> {
  const stepStarted = options.emit === undefined ? 0 : options.at();
  const flight = new TasksInFlight(tasks.length, options.settleTimeoutMs);
  const unwatch = options.cancellation.watch(flight.cancel);
  // Spelled out rather than spread from `options`: this runs once per step, and a step's
  // bookkeeping after a long wait runs on cold caches, where less code is faster.
  const env: StepEnv = {
    step: options.step,
    snapshot: options.snapshot,
    table: options.table,
    routing: options.routing,
    nodeLimiters: options.nodeLimiters,
    runLimiter: options.runLimiter,
    emit: options.emit,
    at: options.at,
    interruptScope: options.interruptScope,
    executor: options.executor,
    graph: options.graph,
    signal: flight.signal,
    onFatal: (failure) =>
      flight.failFast(new GraphError("ABORTED", `Cancelled because "${failure.node}"${sendLabel(failure)} failed in step ${failure.step}.`)),
  };
  try {
    startAll(tasks, env, options, flight);
    flight.started();
    const ended = flight.ended();
    if (ended !== undefined) await ended;
  } finally {
    flight.dispose();
    unwatch();
  }
  const outcomes = flight.outcomes;
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
 * `onSettled` has persisted it). A task that ends synchronously is recorded at once and
 * allocates no promise; one that ends later costs a single reaction.
 */
function startAll(tasks: readonly Task[], env: StepEnv, options: StepOptions, flight: TasksInFlight): void {
  const { known, onSettled } = options;
  const persist = (outcome: TaskOutcome, i: number): void => {
    onSettled!(outcome).then(() => flight.record(outcome, i), flight.fail);
  };
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const saved = known.size === 0 ? undefined : known.get(task.taskId);
    if (saved !== undefined) {
      flight.outcomes[i] = saved;
      continue;
    }
    const outcome = runTask(task, env);
    if (isThenable(outcome)) {
      flight.expect();
      // runTask never rejects; if it ever did, the run fails with the error instead of the
      // process crashing on an unhandled rejection while the step waits forever.
      outcome.then(onSettled === undefined ? (settled) => flight.record(settled, i) : (settled) => persist(settled, i), flight.fail);
    } else if (onSettled !== undefined) {
      flight.expect();
      persist(outcome, i);
    } else {
      flight.outcomes[i] = outcome;
    }
  }
}

/**
 * The tasks of one step that have not settled yet, and when the step may end: once every one
 * has, or `settleTimeoutMs` after the step was cancelled, whichever comes first. Outcomes
 * only ever arrive from promise reactions, after every task has started.
 */
class TasksInFlight {
  readonly outcomes: (TaskOutcome | undefined)[];
  readonly #controller = new AbortController();
  readonly #settleTimeoutMs: number;
  #pending = 0;
  #starting = true;
  #failedWhileStarting: { readonly reason: unknown } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #end: (() => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(size: number, settleTimeoutMs: number) {
    this.outcomes = new Array<TaskOutcome | undefined>(size);
    this.#settleTimeoutMs = settleTimeoutMs;
  }

  /** Fires when the step is cancelled: passed to every task. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts the tasks still running; from then on they have `settleTimeoutMs` to stop. */
  readonly cancel = (reason: unknown): void => {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#timer = setTimeout(this.#giveUp, this.#settleTimeoutMs);
  };

  /**
   * A task failed the step: cancel the others. While the step is still starting its tasks,
   * this waits until every one has started, so that each task of a step runs (and reports its
   * own failure) whatever the order in which they fail.
   */
  readonly failFast = (reason: unknown): void => {
    if (this.#starting) this.#failedWhileStarting ??= { reason };
    else this.cancel(reason);
  };

  /** Every task has started: a failure that came meanwhile now cancels the rest. */
  started(): void {
    this.#starting = false;
    if (this.#failedWhileStarting !== undefined) this.cancel(this.#failedWhileStarting.reason);
  }

  /** Persisting an outcome failed (or a task broke its promise never to reject): the step fails with that error. */
  readonly fail = (error: unknown): void => {
    this.#reject?.(error);
  };

  /** One more task will settle later. */
  expect(): void {
    this.#pending++;
  }

  record(outcome: TaskOutcome, i: number): void {
    this.outcomes[i] = outcome;
    if (--this.#pending === 0) this.#end?.();
  }

  /**
   * Called once every task has started: undefined when none is pending, else a promise that
   * resolves when the step may end and rejects if persisting an outcome fails.
   */
  ended(): Promise<void> | undefined {
    if (this.#pending === 0) return undefined;
    return new Promise((resolve, reject) => {
      this.#end = resolve;
      this.#reject = reject;
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }

  readonly #giveUp = (): void => {
    this.#end?.();
  };
}
