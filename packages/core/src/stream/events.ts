import type { GraphError } from "../errors.js";
import type { BudgetStatus, Spent, Usage } from "../records/budget.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { RunResult } from "../records/run.js";
import type { TaskFailure, TaskRef } from "../records/task-ref.js";

interface At {
  /** Milliseconds since the run started. */
  readonly at: number;
  /**
   * Set on events of a subgraph's inner run: the outer tasks they happen in, outermost first,
   * then, for a task's event, the inner task itself (`["research#3", "search"]`). A task is
   * named by its node, with `#` and its Send index when a Send started it. Absent on the
   * events of the graph being streamed.
   */
  readonly path?: readonly string[];
}

/**
 * Everything a run reports while it goes, as one discriminated union on `type`. Progress
 * displays and run timelines are built from these.
 *
 * @example
 * ```ts
 * for await (const event of graph.stream({ topic: "AI" })) {
 *   if (event.type === "task:end") console.log(event.node, event.durationMs);
 * }
 * ```
 * @see ../../../../docs/concepts/streaming.md
 */
export type RunEvent<TState = Record<string, unknown>, TNodes extends string = string> =
  | ({ readonly type: "run:start"; readonly input: unknown } & At)
  | ({ readonly type: "step:start"; readonly step: number; readonly tasks: readonly TaskRef<TNodes>[] } & At)
  /**
   * The task waits: for a free slot of its node's `concurrency` or the run's `maxConcurrency`
   * (`waitsFor: "slot"`), or for its turn at a `RateLimit` (`waitsFor: "rate"`, before its
   * first attempt or a retry). It waits until its next `task:queued`, `task:start` or end.
   */
  | ({
      readonly type: "task:queued";
      /** What the task waits for; a slot when absent (events recorded by older versions). */
      readonly waitsFor?: "slot" | "rate";
      /** The key of the limit it waits for, when the limit has one (a `RateLimit`, a shared `ConcurrencyLimit`). */
      readonly limit?: string;
    } & TaskRef<TNodes> &
      At)
  | ({
      readonly type: "task:start";
      readonly attempt: number;
      /** A Send task's payload (the input its `Send` gave the node); absent for a task that reads the state. */
      readonly input?: unknown;
    } & TaskRef<TNodes> &
      At)
  | ({
      readonly type: "task:retry";
      /** The attempt that just failed. */
      readonly attempt: number;
      readonly error: unknown;
      readonly timedOut: boolean;
      readonly delayMs: number;
    } & TaskRef<TNodes> &
      At)
  | ({
      readonly type: "task:end";
      /** The task's write after validation: parsed values; a list key's items as an array. */
      readonly update: { readonly [K in keyof TState]?: unknown } | undefined;
      readonly attempts: number;
      readonly durationMs: number;
    } & TaskRef<TNodes> &
      At)
  | ({ readonly type: "task:error"; readonly durationMs: number } & TaskFailure<TNodes> & At)
  /** The task was cancelled because a sibling failed or the run was aborted. */
  | ({ readonly type: "task:cancelled"; readonly durationMs: number } & TaskRef<TNodes> & At)
  | ({ readonly type: "custom"; readonly data: unknown } & TaskRef<TNodes> & At)
  /**
   * The task reported usage (`ctx.reportUsage`; every `@weft/openai` model call): what it
   * used, priced, and every budget over the task, the run's first, with what remains.
   */
  | ({
      readonly type: "task:usage";
      readonly usage: Usage & Spent;
      readonly budgets: readonly BudgetStatus[];
    } & TaskRef<TNodes> &
      At)
  /** A task called `ctx.interrupt`, or a breakpoint stopped the run. */
  | ({ readonly type: "interrupt"; readonly interrupt: PendingInterrupt<TNodes> } & TaskRef<TNodes> & At)
  | ({
      readonly type: "step:end";
      readonly step: number;
      readonly state: TState;
      readonly failures: readonly TaskFailure<TNodes>[];
    } & At)
  /** The run finished or paused: what `run()` returns, with its duration. */
  | ({ readonly type: "run:end"; readonly durationMs: number } & RunResult<TState, TNodes> & At)
  | ({ readonly type: "run:error"; readonly error: GraphError } & At);

/** The event types, for exhaustive switches. */
export type RunEventType = RunEvent["type"];
