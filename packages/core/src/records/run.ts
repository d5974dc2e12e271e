import type { Executor } from "./attempt.js";
import type { BudgetStatus, RunBudget } from "./budget.js";
import type { PendingInterrupt } from "./interrupt.js";
import type { TaskFailure } from "./task-ref.js";

/**
 * What a durable run does when another run holds its thread:
 * - `"reject"` (default): fail at once with `THREAD_BUSY`, writing nothing;
 * - `"enqueue"`: wait until the thread is free, then run (in arrival order within a process);
 * - `"interrupt"`: ask the running run to stop at its next step boundary, keeping its finished
 *   steps (it returns with `status: "interrupted"`), then run on the state it committed;
 * - `"rollback"`: cancel the running run (it rejects with `ABORTED`), dropping its unfinished
 *   step, then run on the state it had committed.
 *
 * Waiting is bounded by the run's `timeoutMs` and `signal`.
 *
 * @example
 * ```ts
 * // A chat: a message sent while the last one is still being answered waits its turn.
 * await graph.invoke({ msgs: "and another thing" }, { threadId: "chat-1", ifBusy: "enqueue" });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export type IfBusy = "reject" | "enqueue" | "interrupt" | "rollback";

/** Options of one run. */
export interface RunOptions {
  /** Cancels the run: running tasks see their `ctx.signal` fire, the run rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** The most supersteps this call may run: a whole number ≥ 1. Default 25. */
  readonly maxSteps?: number;
  /** At most this many tasks (a whole number ≥ 1) run at once across the whole run; the others wait in order. */
  readonly maxConcurrency?: number;
  /** Cancel the run after this many milliseconds (> 0), rejecting with `RUN_TIMEOUT`. */
  readonly timeoutMs?: number;
  /**
   * After a failure aborts its siblings, how long to wait for them to settle before the run
   * rejects anyway, in milliseconds (≥ 0). Default 1000.
   */
  readonly settleTimeoutMs?: number;
  /**
   * Makes the run durable: every step is saved to the graph's checkpointer under this thread.
   * Invoking a thread that paused (interrupt, breakpoint, crash, failure) with `null` or a
   * `Command({ resume })` continues it; with new input, it starts a new run on its state.
   */
  readonly threadId?: string;
  /** With `threadId`: continue from this earlier checkpoint instead of the latest (time travel, fork). */
  readonly checkpointId?: string;
  /** Where task attempts run, for this run; default: the graph's executor, or this process. */
  readonly executor?: Executor;
  /** With `threadId`: what to do when another run holds the thread. Default `"reject"`. */
  readonly ifBusy?: IfBusy;
  /**
   * With `threadId`: give up on any one checkpointer call after this many milliseconds (> 0),
   * failing the run with `STORE_TIMEOUT`. Every call is bounded by `timeoutMs` and `signal` too.
   */
  readonly storeTimeoutMs?: number;
  /**
   * With `threadId`: how long the run's lease on its thread lasts unless renewed, in
   * milliseconds (a whole number ≥ 1). The run renews it every third of that; after a crash,
   * the thread is recoverable once it expires. Default 30000.
   */
  readonly leaseTtlMs?: number;
  /**
   * With `threadId`: a `ctx.sleep` of at most this many milliseconds (a whole number from 0 to
   * 2^31 − 1) waits in the running process, its wake-up time saved first; a longer one pauses
   * the run (`status: "waiting"`) until `graph.recover()` finds it due. Default 60000.
   */
  readonly inProcessSleepMs?: number;
  /**
   * What the run may spend, in tokens, US dollars or both, counted from what its nodes report
   * (`ctx.reportUsage`; `@weft/openai` reports every model call). Once it is spent, a model
   * call that would start fails its task with `BUDGET_EXCEEDED`, under the node's `onError`.
   * With `threadId`, what was spent is saved with each step: a resumed run goes on with what is
   * left, under this limit if given, else the one the run started with.
   *
   * @see ../../../../docs/concepts/budgets.md
   */
  readonly budget?: RunBudget;
}

/** What a finished (or paused) run returns. */
export interface RunResult<TState = Record<string, unknown>, TNodes extends string = string> {
  /**
   * `"interrupted"` when the run paused on interrupts or a breakpoint, or stopped at a step
   * boundary because another run asked it to (`ifBusy: "interrupt"`, with no interrupts then);
   * resume it by its thread. `"waiting"` when it paused only on `ctx.sleep` calls (their
   * `interrupts` have `kind: "sleep"` and a `wakeAt`): `graph.recover()` resumes it once due.
   */
  readonly status: "done" | "interrupted" | "waiting";
  readonly state: TState;
  /** Supersteps run by this call. */
  readonly steps: number;
  /** Tasks that failed but did not fail the run (`onError: "continue"` or a handler). */
  readonly failures: readonly TaskFailure<TNodes>[];
  /** What the run waits on when it is interrupted. */
  readonly interrupts: readonly PendingInterrupt<TNodes>[];
  /** The thread's latest checkpoint, when the run has a thread. */
  readonly checkpointId: string | undefined;
  /** The run's budget, what it spent and what is left; present when the run has a budget or its nodes reported usage. */
  readonly budget?: BudgetStatus;
}
