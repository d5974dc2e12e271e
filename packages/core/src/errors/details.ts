import type { Snapshot } from "../records/write.js";
import type { TaskFailure, TaskRef } from "../records/task-ref.js";

/**
 * The `details` of a {@link GraphError}, by code: facts for programs rather than people. A
 * check of `error.code` narrows `error.details` to its code's entry. Fields marked optional
 * are present where the failure has them (a node option names its node, a run option does not).
 *
 * @example
 * ```ts
 * if (isGraphError(error) && error.code === "TASK_FAILED") {
 *   for (const failure of error.details.failures) console.log(failure.node, failure.attempts);
 * }
 * ```
 * @see ../../../../docs/concepts/failures.md
 */
export interface GraphErrorDetailsByCode {
  /** A name in an edge, a router result, a `Send` or a `Command.goto` is not a node. */
  UNKNOWN_NODE: {
    /** The name that is not a node. */
    readonly node: string;
    readonly graph?: string;
    /** The node whose router, Command or Send named it. */
    readonly from?: string;
    /** The option that named it (`interruptBefore`, `updateState asNode`). */
    readonly option?: string;
    /** Where the name was found, as the message says it (`Edge source`, `Join target`). */
    readonly where?: string;
    /** Who returned it: a router or a Command of `from`. */
    readonly by?: "router" | "command";
    /** The closest node name, when it looks like a typo. */
    readonly suggestion?: string;
  };
  /**
   * The graph cannot be built as declared: a state that is not an object, a reducer with no
   * initial value, a subgraph node whose graph shares a key of another type.
   */
  INVALID_GRAPH: {
    readonly graph?: string;
    /** The state key at fault. */
    readonly key?: string;
    /** The node at fault (a subgraph node). */
    readonly node?: string;
    /** The inner graph of a subgraph node. */
    readonly subgraph?: string;
    /** Which schema of the graph is at fault: its `input` or `output` schema. */
    readonly schema?: "input" | "output";
    /** What was given where a z.object() schema belongs (`a ZodString`). */
    readonly kind?: string;
    readonly problem?: string;
  };
  /** A node name is empty, reserved (`__start__`, `__end__`, `__*`) or already used. */
  INVALID_NODE_NAME: { readonly node?: string; readonly graph?: string; readonly value?: unknown };
  /** A node, compile, run or limit option has a value it cannot take (a negative timeout, say). */
  INVALID_OPTION: {
    /** The option, with its path inside a node option (`retry.backoff.factor`). */
    readonly option?: string;
    /** The node whose option it is. */
    readonly node?: string;
    readonly value?: unknown;
    /** What the option takes, as the message says it. */
    readonly expected?: string;
    /** The closest known option, for an unknown one that looks like a typo. */
    readonly suggestion?: string;
    /** Where the option is given. */
    readonly scope?: OptionScope;
    /** A note on an unknown option (LangGraph.js's name for a Weft option, say). */
    readonly hint?: string;
    readonly graph?: string;
    /** The checkpointer method whose option it is (`list`, `expiredLeases`), or the `ctx` method (`interrupt`, `sleep`). */
    readonly method?: string;
  };
  /** `compile()` found a node that no path from START reaches. */
  UNREACHABLE_NODE: { readonly node: string; readonly graph: string };
  /** `compile()` found a node with no outgoing edge, router or Command target. */
  DEAD_END: { readonly node: string; readonly graph: string };
  /** The graph has no edge out of START. */
  NO_ENTRY: { readonly graph: string };
  /** Two tasks of one step wrote the same last-value key. */
  CONCURRENT_UPDATE: { readonly key: string; readonly writers: readonly string[]; readonly step: number };
  /** A node returned a key the state does not have, or a value its schema rejects. */
  INVALID_UPDATE: {
    /** The node that returned something that is not an update, or sent an unstorable value. */
    readonly node?: string;
    /** The task that wrote the key: `"worker#3"` for the 4th Send to worker. */
    readonly writer?: string;
    readonly key?: string;
    readonly step?: number;
    /** Where inside the value the problem is (`notes[2].at`). */
    readonly path?: string;
    /** The node a refused Send was for. */
    readonly target?: string;
    /** What the node returned, when it is not an update (`a Map`, `an array`). */
    readonly kind?: string;
    /** The closest state key, for an unknown key that looks like a typo. */
    readonly suggestion?: string;
    /** What is wrong with the value, in words (zod's issues, the reducer's error). */
    readonly problem?: string;
  };
  /** The run input, or a `Send` input, does not match its schema. */
  INVALID_INPUT: {
    /** The run input's fields the schema rejected. */
    readonly fields?: readonly string[];
    /** The node whose input it is. */
    readonly node?: string;
    /** The node that sent it. */
    readonly from?: string;
    readonly key?: string;
    readonly path?: string;
    /** What the run was given, when it is not an object of state keys (`an array`). */
    readonly kind?: string;
    /** The closest state key, for an unknown key that looks like a typo. */
    readonly suggestion?: string;
    /** What is wrong with the value, in words (zod's issues, the reducer's error). */
    readonly problem?: string;
  };
  /** A router returned something that is neither a node name, END nor a `Send`. */
  INVALID_ROUTE: {
    /** The node whose router or Command it is. */
    readonly node?: string;
    /** The name the router returned. */
    readonly route?: string;
    /** The value that is not a route, for a builder call. */
    readonly value?: unknown;
    readonly by?: "router" | "command";
    /** What the router returned, when it is not a name or a Send (`null`, `a number`). */
    readonly kind?: string;
    readonly targets?: readonly string[];
    readonly suggestion?: string;
    /** The graph that received a Command to its parent while running as no graph's subgraph. */
    readonly graph?: string;
  };
  /** The run needed more supersteps than `maxSteps`. */
  STEP_LIMIT: { readonly maxSteps: number; readonly loop: readonly string[]; readonly next: readonly string[] };
  /** One or more tasks failed and their node's policy is to fail the run. */
  TASK_FAILED: {
    /** The step that failed (absent when the engine itself failed outside a step). */
    readonly step?: number;
    /** Every failure of the step, fatal ones first. */
    readonly failures: readonly TaskFailure[];
    /** Tasks of the step that finished, with their updates (not committed). */
    readonly finished: readonly (TaskRef & { readonly update: Readonly<Record<string, unknown>> | undefined })[];
    /** The state before the step. */
    readonly state?: Snapshot;
    /** What went wrong, when the engine itself failed outside a step. */
    readonly problem?: string;
  };
  /** A task ran longer than its `timeoutMs`. */
  TIMEOUT: TaskRef & { readonly attempt: number; readonly timeoutMs: number };
  /** The whole run ran longer than its `timeoutMs`. */
  RUN_TIMEOUT: { readonly timeoutMs?: number };
  /** The run was cancelled through `opts.signal`, or a task was cancelled or left behind. */
  ABORTED: {
    readonly node?: string;
    readonly step?: number;
    readonly sendIndex?: number;
    readonly settleTimeoutMs?: number;
    /** The thread of a run another run rolled back. */
    readonly threadId?: string;
    /** Why the run was cancelled, when another run asked for it (`"rollback"`). */
    readonly reason?: "rollback";
  };
  /** A stored checkpoint is foreign, newer, tampered with, corrupt, or from another graph. */
  INVALID_CHECKPOINT: {
    readonly where?: string;
    readonly threadId?: string;
    readonly checkpointId?: string;
    /** The graph that wrote the checkpoint. */
    readonly graph?: string;
    readonly version?: number;
    /** The state key whose stored value the graph's schema rejects. */
    readonly key?: string;
    /** A node the record names that the graph does not have, or whose Send input it refuses. */
    readonly node?: string;
    /** The field of the record that does not match where it was found (`step`, `fingerprint`). */
    readonly field?: string;
    readonly problem?: string;
  };
  /** A thread or checkpoint asked for does not exist. */
  UNKNOWN_THREAD: { readonly threadId: string; readonly checkpointId?: string };
  /**
   * A checkpoint was written on top of a head that is no longer the thread's latest: another
   * writer (a run, a process) saved a checkpoint of the thread first. Nothing was written.
   */
  CHECKPOINT_CONFLICT: {
    readonly threadId: string;
    /** The head the write was made on, or null for a thread's first checkpoint. */
    readonly expected: string | null;
    /** The thread's latest checkpoint when the write was refused. */
    readonly actual: string | null;
  };
  /** A resume names an interrupt that is not pending, or leaves the choice ambiguous. */
  INVALID_RESUME: {
    readonly threadId: string;
    readonly id?: string;
    readonly pending: readonly string[];
    /** For an answer to an interrupt whose `timeoutMs` ran out: when it did, by the checkpointer's clock. */
    readonly wakeAt?: number;
  };
  /**
   * A run found its thread held by another run (in this process or another) and its `ifBusy`
   * policy is `"reject"`; `updateState` found a run holding the thread. Nothing was written.
   */
  THREAD_BUSY: {
    readonly threadId: string;
    /** The run holding the thread: its host, process id and a random id. */
    readonly owner: string;
    /** When the holder's lease expires unless renewed, in epoch milliseconds by the store's clock. */
    readonly expiresAt: number;
  };
  /**
   * A durable run lost its thread's lease (it expired and another run took it): the run
   * stopped and wrote nothing more.
   */
  LEASE_LOST: { readonly threadId: string; readonly owner: string; readonly problem: string };
  /** A node's `ctx.step` was called wrongly, or its function returned a value a checkpoint cannot store. */
  INVALID_STEP: {
    /** The node that called `ctx.step`. */
    readonly node: string;
    /** The step's name, when it is a string. */
    readonly name?: string;
    /** Which call of that name in the task it is, from 0. */
    readonly occurrence?: number;
    /** What was given where a name or a function belongs (`a number`, `undefined`). */
    readonly kind?: string;
    /** Where inside the value the problem is (`items[2]`). */
    readonly path?: string;
    /** What is wrong with the value, in words. */
    readonly problem?: string;
  };
  /**
   * A task was about to start a model call (or anything it reserves budget for) when a budget
   * over it was spent, or the call's estimate did not fit in what was left.
   */
  BUDGET_EXCEEDED: TaskRef & {
    /**
     * For a task of a subgraph's inner run refused by a budget of a run further out: the outer
     * tasks it runs in, outermost first, then the task itself, from the run whose budget refused.
     */
    readonly path?: readonly string[] | undefined;
    /** Whose budget: the run's, or a Send's the task descends from. */
    readonly budget: "run" | "send";
    /** For a Send's budget: the task the Send started. */
    readonly scopeId?: string;
    /** Which limit: tokens or US dollars. */
    readonly limit: "tokens" | "costUsd";
    /** The limit's value. */
    readonly max: number;
    /** What was spent under it, with what calls in flight reserved. */
    readonly spent: number;
    /** What the call that was refused estimated it would need (0 when it gave no estimate). */
    readonly estimate: number;
  };
  /**
   * The store of a shared `ConcurrencyLimit` or `RateLimit` failed or did not answer in time:
   * the task that waited for it fails (under its node's `onError`) rather than wait forever.
   */
  LIMIT_UNAVAILABLE: {
    /** The limit's key. */
    readonly limit: string;
    /** The store method (`takeRate`, `acquireSlot`…). */
    readonly operation: string;
    readonly timeoutMs: number;
    /** The store's own error message, when it failed rather than stalled. */
    readonly problem?: string;
  };
  /** A checkpointer call took longer than the run's `storeTimeoutMs`. */
  STORE_TIMEOUT: {
    /** The checkpointer method (`put`, `getTaskResults`, `acquireLease`…). */
    readonly operation: string;
    readonly threadId?: string;
    readonly storeTimeoutMs: number;
  };
}

/**
 * Every failure Weft reports is a {@link GraphError} with a `code` that says what went wrong.
 *
 * @see ../../../../docs/concepts/failures.md
 */
export type GraphErrorCode = keyof GraphErrorDetailsByCode;

/**
 * The `details` of a {@link GraphError} of code `C`: its code's facts, and any an adapter
 * adds of its own (a store's table name, say), which read as `unknown`.
 */
export type GraphErrorDetails<C extends GraphErrorCode = GraphErrorCode> = GraphErrorDetailsByCode[C] & {
  readonly [fact: string]: unknown;
};

/** Where an option is given: `addNode`, `compile()`, a run, `new StateGraph()`, `new ConcurrencyLimit()`, `new RateLimit()`, `new Send()`. */
export type OptionScope = "node" | "compile" | "run" | "graph" | "limit" | "rateLimit" | "recover" | "send";
