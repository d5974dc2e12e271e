import { graphError } from "../errors.js";
import { taskRef } from "../records/task-ref.js";
import { isThenable } from "./maybe.js";
import { Admission, type AdmissionHooks, type Slots } from "./admission.js";
import type { Gate, Pass } from "../controls/gate.js";
import type { Cancellable } from "../records/cancel.js";
import { CancelScope } from "./cancel.js";
import { Meter } from "./meter.js";
import type { TaskFailure } from "../records/task-ref.js";
import type { StepEnv, Task, TaskOutcome } from "./task.js";
import { refuseTask, runTask } from "./task-run.js";

/** How a step learns that its run was cancelled. */
export interface Cancellation {
  /**
   * Tells `step` the reason when the run is cancelled (at once if it already is), until
   * {@link unwatch} is called. A run watches one step at a time.
   */
  watch(step: Cancellable): void;
  /** The watched step has ended: the run tells it nothing more. */
  unwatch(): void;
}

/** Told when a step is cancelled, before its running tasks are given time to stop. */
interface CancelListener {
  withdraw(reason: unknown): void;
}

/** What one step needs besides its tasks. */
export interface StepOptions extends Omit<StepEnv, "signal" | "aborted" | "onFatal" | "ended" | "meter" | "link" | "unlink">, Slots {
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
 * One step on its way to its outcomes. It is also what its tasks share (their
 * {@link StepEnv}), the admission's hooks and the flight's listener: methods and plain fields,
 * no closures. A step is made for every superstep, and each object or closure it made would be
 * one more allocation per superstep.
 */
class StepRun implements StepEnv, AdmissionHooks, CancelListener {
  readonly step: number;
  readonly snapshot: StepEnv["snapshot"];
  readonly table: StepEnv["table"];
  readonly routing: StepEnv["routing"];
  readonly emit: StepEnv["emit"];
  readonly at: StepEnv["at"];
  readonly interruptScope: string | undefined;
  readonly executor: StepEnv["executor"];
  readonly graph: string;
  readonly steps: StepEnv["steps"];
  readonly waits: StepEnv["waits"];
  readonly budget: StepEnv["budget"];
  readonly inner: StepEnv["inner"];
  readonly meter: StepEnv["meter"];
  readonly #tasks: readonly Task[];
  readonly #options: StepOptions;
  readonly #flight: TasksInFlight;
  readonly #admission: Admission | undefined;
  readonly #started: number;

  constructor(tasks: readonly Task[], options: StepOptions) {
    this.#tasks = tasks;
    this.#options = options;
    this.#started = options.emit === undefined ? 0 : options.at();
    this.#flight = new TasksInFlight(tasks.length, options.settleTimeoutMs, this);
    // Spelled out rather than spread from `options`: this runs once per step, and a step's
    // bookkeeping after a long wait runs on cold caches, where less code is faster.
    this.step = options.step;
    this.snapshot = options.snapshot;
    this.table = options.table;
    this.routing = options.routing;
    this.emit = options.emit;
    this.at = options.at;
    this.interruptScope = options.interruptScope;
    this.executor = options.executor;
    this.graph = options.graph;
    this.steps = options.steps;
    this.waits = options.waits;
    this.budget = options.budget;
    this.inner = options.inner;
    this.meter = options.metered ? new Meter() : undefined;
    this.#admission = Admission.needed(options) ? new Admission(tasks, options, this) : undefined;
  }

  /** Fires when the run is cancelled or a task fails the step. */
  get signal(): AbortSignal {
    return this.#flight.signal;
  }

  get aborted(): boolean {
    return this.#flight.aborted;
  }

  link(child: Cancellable): void {
    this.#flight.link(child);
  }

  unlink(child: Cancellable): void {
    this.#flight.unlink(child);
  }

  /** A task failed with the "fail" policy: its siblings are aborted. */
  onFatal(failure: TaskFailure): void {
    this.#flight.failFast(graphError("ABORTED", "siblingFailed", { node: failure.node, step: failure.step, sendIndex: failure.sendIndex }));
  }

  async run(): Promise<TaskOutcome[]> {
    const flight = this.#flight;
    const { cancellation } = this.#options;
    cancellation.watch(flight);
    try {
      this.#startAll();
      flight.started();
      const ended = flight.ended();
      if (ended !== undefined) await ended;
    } finally {
      flight.dispose();
      cancellation.unwatch();
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
    const flight = this.#flight;
    for (let i = 0; i < tasks.length; i++) {
      const saved = known.size === 0 ? undefined : known.get(tasks[i]!.taskId);
      if (saved !== undefined) flight.outcomes[i] = saved;
      else if (admission === undefined) this.start(i, false);
      // A run cancelled while its step starts queues nothing more: its waiting tasks have left.
      else if (flight.aborted) flight.outcomes[i] = this.#cancelledWaiting(i, flight.signal.reason);
      else admission.admit(i);
    }
  }

  /** Runs task `i`, which holds its slots; `waited` when it was queued (and so counted as pending). */
  start(i: number, waited: boolean): void {
    const flight = this.#flight;
    const outcome = runTask(this.#tasks[i]!, this, i);
    if (outcome === undefined) {
      // The task tells `ended` itself.
      if (!waited) flight.expect();
    } else if (isThenable(outcome)) {
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

  /** Task `i`, which started without an outcome, ended with `outcome` (or will, when it resolves). */
  ended(outcome: TaskOutcome | Promise<TaskOutcome>, i: number): void {
    if (isThenable(outcome)) this.#later(outcome, i);
    else this.#settled(outcome, i);
  }

  // Closures live in methods of their own: a method that creates one allocates its context on
  // every call, even on the synchronous path that creates none.
  #later(outcome: Promise<TaskOutcome>, i: number): void {
    outcome.then((settled) => this.#settled(settled, i), this.#flight.onFailed());
  }

  /** Task `i` could not pass a gate: it fails without running, having given back what it held. */
  refused(i: number, waited: boolean, error: unknown): void {
    if (!waited) this.#flight.expect();
    refuseTask(this.#tasks[i]!, this, error).then((outcome) => this.#record(outcome, i), this.#flight.onFailed());
  }

  /** The tokens task `i` is expected to use, from its node's `estimateTokens`. */
  cost(i: number): number | undefined {
    const task = this.#tasks[i]!;
    return task.spec.estimateTokens?.(task.input);
  }

  holdRate(i: number, gate: Gate, pass: Pass): void {
    this.meter!.hold(this.#tasks[i]!, gate, pass);
  }

  settleRates(i: number): void {
    this.meter!.settle(this.#tasks[i]!);
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
    persisting.then(() => this.#flight.record(outcome, i), this.#flight.onFailed());
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
class TasksInFlight implements Cancellable {
  readonly outcomes: (TaskOutcome | undefined)[];
  /** Made when a task first reads the signal: most steps' tasks never do. */
  #controller: AbortController | undefined;
  /** Set when the step is cancelled, whether or not its signal was made. */
  #cancelled: { readonly reason: unknown } | undefined;
  /** The inner runs of subgraph tasks, told when the step is cancelled; made when the first is linked. */
  #nested: CancelScope | undefined;
  readonly #settleTimeoutMs: number;
  #pending = 0;
  #starting = true;
  #failedWhileStarting: { readonly reason: unknown } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #end: (() => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #onFailed: ((error: unknown) => void) | undefined;
  readonly #listener: CancelListener;

  constructor(size: number, settleTimeoutMs: number, listener: CancelListener) {
    this.outcomes = new Array<TaskOutcome | undefined>(size);
    this.#settleTimeoutMs = settleTimeoutMs;
    this.#listener = listener;
  }

  /** Fires when the step is cancelled: passed to every task. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled !== undefined) this.#controller.abort(this.#cancelled.reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#cancelled !== undefined;
  }

  link(child: Cancellable): void {
    if (this.#cancelled !== undefined) child.cancel(this.#cancelled.reason);
    else (this.#nested ??= new CancelScope()).link(child);
  }

  unlink(child: Cancellable): void {
    this.#nested?.unlink(child);
  }

  /** Aborts the tasks still running; from then on they have `settleTimeoutMs` to stop. */
  cancel(reason: unknown): void {
    if (this.#cancelled !== undefined) return;
    this.#cancelled = { reason };
    this.#controller?.abort(reason);
    this.#nested?.cancel(reason);
    this.#listener.withdraw(reason);
    this.#timer = setTimeout(() => this.#end?.(), this.#settleTimeoutMs);
  }

  /**
   * A task failed the step: cancel the others. While the step is still starting its tasks,
   * this waits until every one has started, so that each task of a step runs (and reports its
   * own failure) whatever the order in which they fail.
   */
  failFast(reason: unknown): void {
    if (this.#starting) this.#failedWhileStarting ??= { reason };
    else this.cancel(reason);
  }

  /** Every task has started: a failure that came meanwhile now cancels the rest. */
  started(): void {
    this.#starting = false;
    if (this.#failedWhileStarting !== undefined) this.cancel(this.#failedWhileStarting.reason);
  }

  /**
   * The rejection handler of what the step waits on: persisting an outcome failed (or a task
   * broke its promise never to reject), and the step fails with that error. Made once, by the
   * first task that settles later, so a step of synchronous tasks makes none.
   */
  onFailed(): (error: unknown) => void {
    return (this.#onFailed ??= (error) => this.#reject?.(error));
  }

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
}
