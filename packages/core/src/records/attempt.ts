import type { PendingInterrupt, WaitRequest } from "./interrupt.js";
import type { ModelPrice, SavedBudget, ScopeLimit, UsageMeter } from "./budget.js";
import type { TaskRef } from "./task-ref.js";

/** One attempt of one task, as plain data: what an executor needs to run the node. */
export interface AttemptRequest extends TaskRef {
  /** The graph's name, so a worker can check it loaded the right module. */
  readonly graph: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The task's input: the state (or its parse by the node's input schema), or a Send's input. */
  readonly input: unknown;
  /** Answers to the task's earlier `ctx.interrupt` calls, in call order. */
  readonly resumes: readonly unknown[];
  /** Prefix of interrupt ids; undefined when the run has no thread (interrupt is then an error). */
  readonly interruptScope: string | undefined;
  /**
   * The task's `ctx.idempotencyKey`: the same for every attempt and every run of this task
   * (retries, resumes, other workers). Set by the driver; derived from the task's place when absent.
   */
  readonly idempotencyKey?: string;
  /**
   * The thread the run is on, when it has one: a worker that opens the thread's store (see
   * `workerSteps`) saves and reads the task's `ctx.step` results there.
   */
  readonly threadId?: string;
  /**
   * Trace context of this attempt for the process that runs it, as propagation headers
   * (W3C `traceparent`, `tracestate`). Set by a tracing executor such as `@weft/otel`'s;
   * executors that send attempts elsewhere carry it along.
   */
  readonly trace?: Readonly<Record<string, string>>;
  /**
   * The budgets over the task as they stood when the attempt was sent, for a worker in another
   * process to check the node's calls against (see `workerUsage` in `@weft/core/adapter`).
   * Set for attempts given to an executor when a budget is over the task.
   */
  readonly budget?: AttemptBudget;
}

/**
 * The budgets over a task when its attempt was sent: the run's limit and what it had spent or
 * held for calls in flight, each Send budget over the task with the same, and the run's prices.
 */
export interface AttemptBudget {
  readonly saved: SavedBudget;
  /** The Send budgets over the task, innermost first. */
  readonly chain?: readonly ScopeLimit[];
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

/** A node's return value, taken apart: the update to validate, the Command's targets. */
export interface Interpreted {
  readonly update: unknown;
  readonly overwrite: ReadonlySet<string> | undefined;
  readonly goto: readonly unknown[];
}

/** What an attempt produced: the node's result taken apart, or the interrupt it raised. */
export type AttemptResult =
  | { readonly kind: "returned"; readonly result: Interpreted }
  | {
      readonly kind: "interrupted";
      readonly id: string;
      readonly value: unknown;
      /** True for a `ctx.sleep` that paused the attempt. */
      readonly sleep?: boolean;
      /** For a timed interrupt or a sleep: how long until it ends by itself, and its answer then. */
      readonly wait?: WaitRequest;
      /** The task's answers before this call, when it made calls that needed none (sleeps that ended). */
      readonly resumes?: readonly unknown[];
      /** Where inside a subgraph the interrupt was raised (see {@link PendingInterrupt.path}). */
      readonly path?: readonly string[];
    };

/** How an executor reports back while an attempt runs. */
export interface AttemptControl {
  /** Fires on timeout, cancellation and sibling failure: pass it on to the node. */
  readonly signal: AbortSignal;
  /** Forwards a custom event from the node to the run's stream. */
  readonly emit: (data: unknown) => void;
  /**
   * Where the task's `ctx.step` results are kept between attempts and runs. An executor that
   * runs attempts in this process passes it on to `runNodeAttempt`; without it, a step's result
   * lasts for the attempt only.
   */
  readonly steps?: TaskSteps;
  /**
   * Makes the task's short `ctx.sleep` calls durable while they wait in this process. An
   * executor that runs attempts in this process passes it on to `runNodeAttempt`; without it,
   * every durable sleep pauses the attempt and the driver waits.
   */
  readonly waits?: TaskWaits;
  /**
   * Counts what the node reports with `ctx.reportUsage` against the run's budgets, and checks
   * `ctx.reserveUsage`. An executor that runs attempts elsewhere carries both back and forth;
   * without it, usage is not counted.
   */
  readonly usage?: UsageMeter;
}

/** A finished `ctx.step`, to be saved: the node, the step's name, which call of that name, the value. */
export interface StepResult {
  readonly node: string;
  readonly name: string;
  /** Which call of `name` in the task it is, from 0. */
  readonly occurrence: number;
  readonly value: unknown;
}

/** The key of a step within its task: its name and which call of that name it is (`"charge#0"`). */
export function stepKey(name: string, occurrence: number): string {
  return `${name}#${occurrence}`;
}

/** The `ctx.step` results of one task: those saved before, and a way to save one more. */
export interface TaskSteps {
  /** The results saved for this task, by step key (`"<name>#<occurrence>"`). */
  load(): Promise<ReadonlyMap<string, unknown>>;
  /**
   * Saves a finished step unless one is saved under its key already; resolves to the value
   * saved now (the earlier save wins, so every run of the task sees one value per step).
   */
  save(step: StepResult): Promise<unknown>;
}

/** What a task's `ctx.sleep` needs to wait in this process and still survive a crash. */
export interface TaskWaits {
  /** Sleeps of at most this many milliseconds wait in this process; longer ones pause the run. */
  readonly inProcessMs: number;
  /**
   * Saves that the task's call number `index` sleeps `ms` from now by the checkpointer's clock
   * (with the answers of its calls before it), so that a run recovered after a crash sleeps
   * only what is left. Resolves once saved; the caller then waits `ms`.
   */
  begin(sleep: { readonly index: number; readonly ms: number; readonly resumes: readonly unknown[] }): Promise<void>;
}

/**
 * Where task attempts run. The default runs them in this process; `@weft/bullmq` runs them on
 * worker processes that load the same graph module. Limits, timeouts, retries, failure
 * policies, validation, routing and the commit stay in the driving process, so every
 * executor gives the same final state.
 *
 * @example
 * ```ts
 * const graph = builder.compile({ executor: myExecutor });
 * ```
 * @see ../../../../docs/guides/distributed.md
 */
export interface Executor {
  runAttempt(request: AttemptRequest, control: AttemptControl): Promise<AttemptResult>;
}
