import { graphError } from "../errors.js";
import { taskRef } from "../records/task-ref.js";
import { isThenable } from "./maybe.js";
import { Admission, type AdmissionHooks, type Slots } from "./admission.js";
import type { Gate, Pass } from "../controls/gate.js";
import { Meter } from "./meter.js";
import type { StepEnv, Task, TaskOutcome } from "./task.js";
import { refuseTask, runTask } from "./task-run.js";

/** How a step learns that its run was cancelled. */
export interface Cancellation {
  /**
   * Calls `onCancel` with the reason when the run is cancelled (at once if it already is),
   * until the returned function is called.
   */
  watch(onCancel: (reason: unknown) => void): () => void;
}

/** Told when a step is cancelled, before its running tasks are given time to stop. */
interface CancelListener {
  withdraw(reason: unknown): void;
}

/** What one step needs besides its tasks. */
export interface StepOptions extends Omit<StepEnv, "signal" | "onFatal" | "meter">, Slots {
  /** True when a node of the graph has a rate limit: the step then settles rate passes attempt by attempt, with the tokens tasks report. */
  readonly metered: boolean;
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
 * Runs every task of a step at once — those beyond a concurrency cap as slots free up — and
 * returns their outcomes in task order. On a fatal failure, or when the run is cancelled, it
 * aborts the rest through their signal, takes the waiting ones out of the queues, and waits
 * for the running ones, at most `settleTimeoutMs`.
 */
export function runStep(tasks: readonly Task[], options: StepOptions): Promise<TaskOutcome[]> {
  return new StepRun(tasks, options).run();
}

/**
 * One step on its way to its outcomes. It is the admission's hooks and the flight's listener
 * itself (methods, not arrow fields): a step is made for every superstep, and each closure
 * field would be one more allocation per step.
 */
class StepRun implements AdmissionHooks, CancelListener {
  readonly #tasks: readonly Task[];
  readonly #options: StepOptions;
  readonly #flight: TasksInFlight;
  readonly #env: StepEnv;
  readonly #admission: Admission | undefined;
  readonly #started: number;

  constructor(tasks: readonly Task[], options: StepOptions) {
    this.#tasks = tasks;
    this.#options = options;
    this.#started = options.emit === undefined ? 0 : options.at();
    const flight = new TasksInFlight(tasks.length, options.settleTimeoutMs, this);
    this.#flight = flight;
    // Spelled out rather than spread from `options`: this runs once per step, and a step's
    // bookkeeping after a long wait runs on cold caches, where less code is faster.
    this.#env = {
      step: options.step,
      snapshot: options.snapshot,
      table: options.table,
      routing: options.routing,
      emit: options.emit,
      at: options.at,
      interruptScope: options.interruptScope,
      executor: options.executor,
      graph: options.graph,
      steps: options.steps,
      waits: options.waits,
      budget: options.budget,
      inner: options.inner,
      meter: options.metered ? new Meter() : undefined,
      signal: flight.signal,
      onFatal: (failure) =>
        flight.failFast(graphError("ABORTED", "siblingFailed", { node: failure.node, step: failure.step, sendIndex: failure.sendIndex })),
    };
    this.#admission = Admission.needed(options) ? new Admission(tasks, options, this) : undefined;
  }

  async run(): Promise<TaskOutcome[]> {
    const flight = this.#flight;
    const unwatch = this.#options.cancellation.watch(flight.cancel);
    try {
      this.#startAll();
      flight.started();
      const ended = flight.ended();
      if (ended !== undefined) await ended;
    } finally {
      flight.dispose();
      unwatch();
    }
    const outcomes = flight.outcomes;
    for (let i = 0; i < outcomes.length; i++) {
      // A task left behind may still settle: the step's result is then a copy it cannot reach.
      if (outcomes[i] === undefined) return this.#tasks.map((task, j) => outcomes[j] ?? this.#abandoned(task));
    }
    return outcomes as TaskOutcome[];
  }

  /**
   * Starts every task (or queues it for its slots) and records each outcome at its task's
   * position as it settles (after `onSettled` has persisted it). A task that ends synchronously
   * is recorded at once and allocates no promise; one that ends later costs a single reaction.
   */
  #startAll(): void {
    const { known } = this.#options;
    const tasks = this.#tasks;
    const admission = this.#admission;
    const signal = this.#flight.signal;
    for (let i = 0; i < tasks.length; i++) {
      const saved = known.size === 0 ? undefined : known.get(tasks[i]!.taskId);
      if (saved !== undefined) this.#flight.outcomes[i] = saved;
      else if (admission === undefined) this.start(i, false);
      // A run cancelled while its step starts queues nothing more: its waiting tasks have left.
      else if (signal.aborted) this.#flight.outcomes[i] = this.#cancelledWaiting(i, signal.reason);
      else admission.admit(i);
    }
  }

  /** Runs task `i`, which holds its slots; `waited` when it was queued (and so counted as pending). */
  start(i: number, waited: boolean): void {
    const flight = this.#flight;
    const outcome = runTask(this.#tasks[i]!, this.#env);
    if (isThenable(outcome)) {
      if (!waited) flight.expect();
      // runTask never rejects; if it ever did, the run fails with the error instead of the
      // process crashing on an unhandled rejection while the step waits forever.
      this.#later(outcome, i);
    } else if (waited || this.#admission !== undefined || this.#options.onSettled !== undefined) {
      if (!waited) flight.expect();
      this.#settled(outcome, i);
    } else {
      flight.outcomes[i] = outcome;
    }
  }

  // Closures live in methods of their own: a method that creates one allocates its context on
  // every call, even on the synchronous path that creates none.
  #later(outcome: Promise<TaskOutcome>, i: number): void {
    outcome.then((settled) => this.#settled(settled, i), this.#flight.fail);
  }

  /** Task `i` could not pass a gate: it fails without running, having given back what it held. */
  refused(i: number, waited: boolean, error: unknown): void {
    if (!waited) this.#flight.expect();
    refuseTask(this.#tasks[i]!, this.#env, error).then((outcome) => this.#record(outcome, i), this.#flight.fail);
  }

  /** The tokens task `i` is expected to use, from its node's `estimateTokens`. */
  cost(i: number): number | undefined {
    const task = this.#tasks[i]!;
    return task.spec.estimateTokens?.(task.input);
  }

  holdRate(i: number, gate: Gate, pass: Pass): void {
    this.#env.meter!.hold(this.#tasks[i]!, gate, pass);
  }

  settleRates(i: number): void {
    this.#env.meter!.settle(this.#tasks[i]!);
  }

  /** Task `i` ended: its slots go on to waiting tasks, and its outcome is persisted, then recorded. */
  #settled(outcome: TaskOutcome, i: number): void {
    this.#admission?.release(i);
    this.#record(outcome, i);
  }

  #record(outcome: TaskOutcome, i: number): void {
    const onSettled = this.#options.onSettled;
    if (onSettled === undefined) this.#flight.record(outcome, i);
    else this.#persist(onSettled(outcome), outcome, i);
  }

  #persist(persisting: Promise<void>, outcome: TaskOutcome, i: number): void {
    persisting.then(() => this.#flight.record(outcome, i), this.#flight.fail);
  }

  queued(i: number, first: boolean, gate: Gate): void {
    if (first) this.#flight.expect();
    const { emit, at } = this.#options;
    if (emit === undefined) return;
    const limit = gate.name;
    const ref = taskRef(this.#tasks[i]!);
    emit(
      limit === undefined
        ? { type: "task:queued", waitsFor: gate.kind, ...ref, at: at() }
        : { type: "task:queued", waitsFor: gate.kind, limit, ...ref, at: at() },
    );
  }

  /** The step was cancelled: its waiting tasks leave the queues, cancelled without running. */
  withdraw(reason: unknown): void {
    const admission = this.#admission;
    if (admission === undefined) return;
    for (const i of admission.withdraw()) this.#flight.record(this.#cancelledWaiting(i, reason), i);
  }

  /** The outcome of task `i`, cancelled before it could start. */
  #cancelledWaiting(i: number, reason: unknown): TaskOutcome {
    const task = this.#tasks[i]!;
    const { emit, at } = this.#options;
    emit?.({ type: "task:cancelled", ...taskRef(task), durationMs: at() - this.#started, at: at() });
    return { status: "cancelled", task, reason };
  }

  /** A task that did not settle within `settleTimeoutMs` of its step's cancellation: left behind. */
  #abandoned(task: Task): TaskOutcome {
    const { settleTimeoutMs, emit, at } = this.#options;
    const { node, step, sendIndex } = task;
    const reason = graphError("ABORTED", "leftBehind", { node, step, sendIndex, settleTimeoutMs });
    // Its duration is counted from the start of the step: it never ended.
    emit?.({ type: "task:cancelled", ...taskRef(task), durationMs: at() - this.#started, at: at() });
    return { status: "cancelled", task, reason };
  }
}

/**
 * The tasks of one step that have not settled yet, and when the step may end: once every one
 * has, or `settleTimeoutMs` after the step was cancelled, whichever comes first.
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
  readonly #listener: CancelListener;

  constructor(size: number, settleTimeoutMs: number, listener: CancelListener) {
    this.outcomes = new Array<TaskOutcome | undefined>(size);
    this.#settleTimeoutMs = settleTimeoutMs;
    this.#listener = listener;
  }

  /** Fires when the step is cancelled: passed to every task. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts the tasks still running; from then on they have `settleTimeoutMs` to stop. */
  readonly cancel = (reason: unknown): void => {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#listener.withdraw(reason);
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
