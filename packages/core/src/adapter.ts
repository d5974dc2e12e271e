/**
 * The seams Weft's adapters are built on: where task attempts run (`Executor`), where threads
 * are stored (`Checkpointer`), the graph as plain data, and the codec that carries values
 * through stores and queues. `@weft/bullmq`, `@weft/sqlite` and `@weft/postgres` use only this
 * entry and `@weft/core`; a backend of your own should too.
 */
export type { AttemptControl, AttemptRequest, AttemptResult, Executor, Interpreted, StepResult, TaskSteps } from "./records/attempt.js";
export type { UsageMeter } from "./records/budget.js";
export type { AttemptBudget } from "./records/attempt.js";
export { workerUsage } from "./runtime/worker-usage.js";
export { nodeContext } from "./runtime/context.js";
export { runNodeAttempt } from "./runtime/executor.js";
export { workerSteps } from "./compiled/worker-steps.js";
export type { LimitStore } from "./controls/limit-store.js";
export type { Window } from "./controls/rate-window.js";

export type {
  AcquireLeaseOptions,
  Checkpointer,
  CheckpointRow,
  LeaseRequest,
  PutOptions,
  ReleaseLeaseOptions,
  StepResultRow,
  SetWakeupOptions,
  TaskResultRow,
  ThreadLease,
  ThreadWakeup,
} from "./checkpoint/checkpointer.js";
export { checkpointConflict } from "./checkpoint/checkpointer.js";
export { checkStoreOptions } from "./checkpoint/store-options.js";
export { FORMAT_VERSION } from "./checkpoint/format.js";
export { decodeValue, encodeValue, type EncodeOptions, type TaggedJson } from "./checkpoint/values.js";

export type { BranchSpec, ErrorPolicy, GraphIR, JoinSpec, NodeSpec } from "./graph/ir.js";
