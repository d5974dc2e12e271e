/**
 * Weft for graph authors: state schemas and reducers, the typed `StateGraph` builder, `Send` and
 * `Command`, running and streaming a compiled graph, threads, interrupts and the parallel
 * controls. Executors and checkpointers are built on `@weft/core/adapter`; diagrams come from
 * `@weft/core/draw`, aggregation helpers from `@weft/core/aggregate`.
 */
export { GraphError, isGraphError, type GraphErrorCode, type GraphErrorDetails } from "./errors.js";

export { appendList, reducer, type ReducerSchema, type UpdateValueOf } from "./state/channels.js";
export type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "./state/types.js";

export { StateGraph, type Router, type SubgraphNodeOptions } from "./builder/state-graph.js";
export { Command, isCommand, type Goto, type ParentCommand } from "./graph/command.js";
export { END, START } from "./graph/constants.js";
export { isSend, Send } from "./graph/send.js";
export type {
  BuilderDef,
  EmptyDef,
  ErrorHandler,
  InterruptOptions,
  NodeContext,
  NodeFn,
  NodeInput,
  NodeNames,
  NodeOptions,
  NodeResult,
  Route,
  SendInput,
  SendTo,
  StepContext,
} from "./graph/types.js";

export { CompiledGraph, type CompiledDef, type CompileOptions, type ThreadState } from "./compiled/compiled-graph.js";
export type { RecoverOptions, RecoveredThread } from "./thread/recover.js";
export type { IfBusy, RunOptions, RunResult } from "./records/run.js";
export type { BudgetLimit, BudgetStatus, ModelPrice, RunBudget, Spent, Usage, UsageReservation } from "./records/budget.js";
export type { SendOptions } from "./records/send.js";
export type { PendingInterrupt } from "./records/interrupt.js";
export type { TaskFailure, TaskRef } from "./records/task-ref.js";
export type { RunEvent, RunEventType } from "./stream/events.js";

export { ConcurrencyLimit, type SharedLimitOptions } from "./controls/concurrency-limit.js";
export { RateLimit, type RateLimitOptions, type RateTicket } from "./controls/rate-limit.js";
export type { Backoff, RetryPolicy } from "./controls/retry.js";

export { MemoryCheckpointer } from "./checkpoint/memory.js";
