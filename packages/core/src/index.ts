export type { PendingInterrupt } from "./records/interrupt.js";
export type { AttemptControl, AttemptRequest, AttemptResult, Executor, Interpreted } from "./records/attempt.js";
export type { RunOptions, RunResult } from "./records/run.js";
export { ConcurrencyLimit } from "./controls/concurrency-limit.js";
export type { Backoff, RetryPolicy } from "./controls/retry.js";
export type { TaskFailure, TaskRef } from "./records/task-ref.js";
export { GraphError, isGraphError, type GraphErrorCode } from "./errors.js";

export { appendList, reducer, type ReducerSchema, type ReducerSpec, type UpdateValueOf } from "./state/channels.js";
export type { AnyStateSchema, InputOf, StateOf, UpdateOf } from "./state/types.js";

export { StateGraph, type Router } from "./graph/builder.js";
export { Command, isCommand, type Goto } from "./graph/command.js";
export { END, START } from "./graph/constants.js";
export type { BranchSpec, ErrorPolicy, GraphIR, JoinSpec, NodeSpec } from "./graph/ir.js";
export { isSend, Send } from "./graph/send.js";
export type {
  BuilderDef,
  EmptyDef,
  ErrorHandler,
  NodeContext,
  NodeFn,
  NodeInput,
  NodeNames,
  NodeOptions,
  NodeResult,
  Route,
  SendInput,
  SendTo,
} from "./graph/types.js";

export { CompiledGraph, type CompiledDef, type CompileOptions, type ThreadState } from "./runtime/compiled.js";
export { nodeContext } from "./runtime/context.js";
export { runNodeAttempt } from "./runtime/executor.js";

export type { RunEvent, RunEventType } from "./stream/events.js";

export { toMermaid, type Drawable, type MermaidOptions, type SubgraphSpec } from "./draw/mermaid.js";
export { toMermaidGantt, type GanttOptions } from "./draw/gantt.js";
export {
  parseRunRecord,
  recordRun,
  serializeRunEvent,
  stringifyRunRecord,
  type RecordedRunEvent,
  type SerializedError,
} from "./draw/run-record.js";

export { bestScore } from "./aggregate/best-score.js";
export { concatenate } from "./aggregate/concatenate.js";
export { formatVote, majorityVote, type Vote } from "./aggregate/majority-vote.js";
export { mergeUnique } from "./aggregate/merge-unique.js";

export type { Checkpointer, CheckpointRow, TaskResultRow } from "./checkpoint/checkpointer.js";
export { MemoryCheckpointer } from "./checkpoint/memory.js";
export { FORMAT_VERSION } from "./checkpoint/format.js";
export { decodeValue, encodeValue, type EncodeOptions, type TaggedJson } from "./checkpoint/values.js";
