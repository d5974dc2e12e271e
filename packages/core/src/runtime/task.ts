import type { NodeSpec } from "../graph/ir.js";
import type { Executor } from "../records/attempt.js";
import type { ScopeLimit } from "../records/budget.js";
import type { RunOptions } from "../records/run.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { TaskFailure, TaskRef } from "../records/task-ref.js";
import type { Snapshot, Write } from "../records/write.js";
import type { StateTable } from "../state/table.js";
import type { RunEvent } from "../stream/events.js";
import type { BudgetLedger } from "./budget-ledger.js";
import type { CancelSource } from "../records/cancel.js";
import type { Meter } from "./meter.js";
import type { ParsedSend, RoutingTable } from "./route.js";
import type { StepScope } from "./step-log.js";

/** One unit of work of a superstep: a node with its input. */
export interface Task extends TaskRef {
  readonly spec: NodeSpec;
  readonly input: unknown;
  /** Answers to this task's earlier `ctx.interrupt` calls, in call order, when resuming. */
  readonly resumes?: readonly unknown[];
  /** The budgets of the Sends this task descends from, innermost first; undefined when none. */
  readonly budget?: readonly ScopeLimit[];
}

/** How a task ended. */
export type TaskOutcome =
  | {
      readonly status: "done";
      readonly task: Task;
      readonly write: Write | undefined;
      readonly triggers: readonly string[];
      readonly sends: readonly ParsedSend[];
      /** Set when the node failed and its `onError` handler produced the write. */
      readonly recovered?: TaskFailure;
      /** The step snapshot with this task's write applied, when its routers needed it. */
      readonly view?: Snapshot | undefined;
    }
  | { readonly status: "failed"; readonly task: Task; readonly failure: TaskFailure }
  | {
      readonly status: "interrupted";
      readonly task: Task;
      readonly interrupt: PendingInterrupt;
      /** The answers the task had already received: kept for its next run. */
      readonly resumes: readonly unknown[];
    }
  | { readonly status: "cancelled"; readonly task: Task; readonly reason: unknown };

/**
 * What every task of one step shares. As a {@link CancelSource}, it tells the inner runs of its
 * subgraph tasks when the step is cancelled.
 */
export interface StepEnv extends CancelSource {
  readonly step: number;
  readonly snapshot: Snapshot;
  readonly table: StateTable;
  readonly routing: RoutingTable;
  /** Fires when the run is cancelled or a sibling fails the step. Made when first read. */
  readonly signal: AbortSignal;
  /** True once `signal` has fired; reading it makes no signal. */
  readonly aborted: boolean;
  readonly emit: ((event: RunEvent) => void) | undefined;
  readonly at: () => number;
  /** Called once a task fails with the "fail" policy, to abort its siblings. */
  onFatal(failure: TaskFailure): void;
  /** The task at `position`, for which `runTask` returned nothing, ended with `outcome` (or will, when it resolves). */
  ended(outcome: TaskOutcome | Promise<TaskOutcome>, position: number): void;
  /** Prefix of interrupt ids (the checkpoint the step starts from); undefined without a thread. */
  readonly interruptScope: string | undefined;
  /** Where attempts run; undefined runs them in this process. */
  readonly executor: Executor | undefined;
  /** The graph's name, for executors. */
  readonly graph: string;
  /** Where the step's tasks keep their `ctx.step` results, and what names each task. */
  readonly steps: StepScope;
  /** The store's clock and a way to save a sleeping task, when the run has a thread. */
  readonly waits: RunWaits | undefined;
  /** Where tasks' usage is counted and their calls let through or refused. */
  readonly budget: BudgetLedger;
  /** Counts the tokens rate-limited tasks report; undefined when no node of the step has a rate limit. */
  readonly meter: Meter | undefined;
  /** The run's options a subgraph's inner run takes over: how it holds and waits on its thread. */
  readonly inner?: Pick<RunOptions, "leaseTtlMs" | "storeTimeoutMs" | "inProcessSleepMs">;
}

/** What a run gives its tasks so that their sleeps are durable: the store's clock and a way to save a pending sleep. */
export interface RunWaits {
  /** Sleeps of at most this many milliseconds wait in the running process. */
  readonly inProcessMs: number;
  /** The checkpointer's clock, in epoch milliseconds. */
  now(): Promise<number>;
  /** Saves the outcome of a task that has not settled yet: the sleep it is waiting in. */
  save(outcome: TaskOutcome): Promise<void>;
}

/**
 * `task` resuming with `resumes`, the answers to its interrupts: a copy with its fields spelled
 * out, since a task's id may be a getter that a spread would not copy.
 */
export function withResumes(task: Task, resumes: readonly unknown[]): Task {
  const { taskId, node, step, sendIndex, spec, input, budget } = task;
  return budget === undefined
    ? { taskId, node, step, sendIndex, spec, input, resumes }
    : { taskId, node, step, sendIndex, spec, input, budget, resumes };
}
