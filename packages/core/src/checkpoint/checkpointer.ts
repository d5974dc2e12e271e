import { graphError, type GraphError } from "../errors.js";

/**
 * One saved superstep of a thread, as a checkpointer stores it. `data` is Weft's encoded,
 * versioned checkpoint (see `docs/concepts/checkpoints.md`); a checkpointer stores it as an
 * opaque string and never interprets it.
 */
export interface CheckpointRow {
  readonly threadId: string;
  /** Unique within the thread. */
  readonly checkpointId: string;
  /** The checkpoint this one continues from; undefined for a thread's first checkpoint. */
  readonly parentId: string | undefined;
  /** The superstep this checkpoint closes (0 for the run input). */
  readonly step: number;
  readonly data: string;
}

/**
 * The result of one finished task of a step that has not been committed yet, saved as soon as
 * the task finishes so that a resume after a crash, a failure or an interrupt does not run it again.
 */
export interface TaskResultRow {
  readonly threadId: string;
  /** The checkpoint whose next step the task belongs to. */
  readonly checkpointId: string;
  /** The task's id within that step (`"<step>:<position>"`). */
  readonly taskId: string;
  readonly data: string;
}

/**
 * The saved result of one `ctx.step` of a task that has not been committed yet: a node that runs
 * again for the same task (a retry, a resume, another worker) gets it back instead of running
 * the step's function again.
 */
export interface StepResultRow {
  readonly threadId: string;
  /** The checkpoint whose next step the task belongs to. */
  readonly checkpointId: string;
  /** The task's id within that step (`"<step>:<position>"`). */
  readonly taskId: string;
  /** The step's key within the task: its name and which call of that name it is (`"charge#0"`). */
  readonly stepKey: string;
  readonly data: string;
}

/**
 * Options of {@link Checkpointer.put}.
 *
 * @example
 * ```ts
 * await checkpointer.put(row, { head: previous?.checkpointId ?? null });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export interface PutOptions {
  /**
   * The id of the checkpoint the writer believes is the thread's latest; `null` when it believes
   * the thread has none. The store refuses the write with `CHECKPOINT_CONFLICT` when it is not.
   * It may differ from the row's `parentId`: a fork from an older checkpoint is written on top
   * of the current head.
   */
  readonly head: string | null;
}

/**
 * What a run asks of the run that holds a thread's lease, seen by the holder on its next renew:
 * stop at the next step boundary keeping finished work (`"interrupt"`), or drop the uncommitted
 * step (`"rollback"`).
 */
export type LeaseRequest = "interrupt" | "rollback";

/**
 * Who runs a thread, until when: a lease a run takes before it runs a thread and renews while it
 * runs. A lease whose expiry has passed belongs to a run whose process died.
 *
 * @example
 * ```ts
 * const { acquired, lease } = await checkpointer.acquireLease({ threadId: "t", owner: "run-1", ttlMs: 30_000 });
 * if (!acquired) console.log(`thread t is busy until ${new Date(lease.expiresAt).toISOString()}`);
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export interface ThreadLease {
  readonly threadId: string;
  /** The run holding it (any string unique to that run). */
  readonly owner: string;
  /** When it expires, in epoch milliseconds, by the store's clock. */
  readonly expiresAt: number;
  /** What another run asked of the holder, if anything. */
  readonly request: LeaseRequest | undefined;
}

/** Options of {@link Checkpointer.acquireLease} and {@link Checkpointer.renewLease}. */
export interface AcquireLeaseOptions {
  readonly threadId: string;
  readonly owner: string;
  /** How long the lease lasts from now, in milliseconds (a whole number ≥ 1). */
  readonly ttlMs: number;
}

/**
 * When a thread that waits (on an interrupt with a timeout, or a `ctx.sleep` that paused its run)
 * is due to resume by itself.
 */
export interface ThreadWakeup {
  readonly threadId: string;
  /** In epoch milliseconds, by the store's clock. */
  readonly wakeAt: number;
}

/** Options of {@link Checkpointer.setWakeup}. */
export interface SetWakeupOptions {
  readonly threadId: string;
  /** Epoch milliseconds by the store's clock; `null` removes the thread's wake-up. */
  readonly wakeAt: number | null;
}

/** Options of {@link Checkpointer.releaseLease}. */
export interface ReleaseLeaseOptions {
  readonly threadId: string;
  readonly owner: string;
}

/**
 * The error a store throws when a write's `head` is not the thread's latest checkpoint.
 *
 * @example
 * ```ts
 * // In a store's put, inside the transaction that then inserts the row:
 * const actual = latestCheckpointId(row.threadId) ?? null;
 * if (actual !== options.head) throw checkpointConflict(row.threadId, options.head, actual);
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export function checkpointConflict(threadId: string, expected: string | null, actual: string | null | undefined): GraphError {
  return graphError("CHECKPOINT_CONFLICT", "headMoved", { threadId, expected, actual: actual ?? null });
}

/**
 * Where durable runs keep their checkpoints. Implementations store rows and return them; all
 * encoding, validation and replay happen in Weft's core, so a new backend is a small class
 * that passes the shared conformance suite (`@weft/core/testing`).
 *
 * @example
 * ```ts
 * const graph = builder.compile({ checkpointer: new MemoryCheckpointer() });
 * await graph.invoke({ topic: "AI" }, { threadId: "report-1" });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export interface Checkpointer {
  /**
   * Appends a checkpoint to its thread, if the thread's latest checkpoint is still `head`;
   * otherwise throws `CHECKPOINT_CONFLICT` (see {@link checkpointConflict}) and writes nothing.
   * In the same transaction, deletes the task results and step results saved under
   * `row.parentId`: they belong to the step this checkpoint commits. Ids are unique per thread; putting an id twice is an error.
   */
  put(row: CheckpointRow, options: PutOptions): Promise<void>;
  /** The checkpoint with this id, or the thread's most recently put one; undefined if none. */
  get(threadId: string, checkpointId?: string): Promise<CheckpointRow | undefined>;
  /**
   * The thread's checkpoints, most recently put first. `before` starts the list after that
   * checkpoint; `limit` caps its length.
   */
  list(threadId: string, options?: { readonly before?: string; readonly limit?: number }): Promise<CheckpointRow[]>;
  /** Saves (or replaces) one task's result for the step after `checkpointId`. */
  putTaskResult(row: TaskResultRow): Promise<void>;
  /** The task results saved for the step after `checkpointId`, in the order they were first put. */
  getTaskResults(threadId: string, checkpointId: string): Promise<TaskResultRow[]>;
  /**
   * Saves one step's result of a task of the step after `checkpointId`, unless a result with the
   * same thread, checkpoint, task and step key is saved already: the first save wins. Returns
   * the row that is saved now (the earlier one when there was one). Atomic across processes.
   */
  putStepResult(row: StepResultRow): Promise<StepResultRow>;
  /** The step results saved for one task of the step after `checkpointId`, in any order. */
  getStepResults(threadId: string, checkpointId: string, taskId: string): Promise<StepResultRow[]>;
  /** Removes a thread with all its checkpoints, task results, step results, lease and wake-up. */
  deleteThread(threadId: string): Promise<void>;
  /**
   * Takes the thread's lease for `ttlMs` by the store's clock. Succeeds when the thread has no
   * lease, its lease has expired, or `owner` already holds it (then it is renewed, keeping any
   * request); otherwise returns the live holder's lease with `acquired: false`. Atomic across
   * processes: of two racing acquirers exactly one wins.
   */
  acquireLease(options: AcquireLeaseOptions): Promise<{ acquired: boolean; lease: ThreadLease }>;
  /**
   * Extends the lease by `ttlMs` from now if `owner` still holds it, and returns any request
   * another run made of it. `held: false` when the lease was released or taken over by another
   * owner after it expired (an expired lease still held by nobody else is renewed).
   */
  renewLease(options: AcquireLeaseOptions): Promise<{ held: boolean; request: LeaseRequest | undefined }>;
  /** Removes the lease if `owner` holds it; does nothing otherwise. */
  releaseLease(options: ReleaseLeaseOptions): Promise<void>;
  /**
   * Flags the thread's live lease with `request`, which the holder sees on its next renew.
   * False when the thread has no live (unexpired) lease.
   */
  requestLease(options: { readonly threadId: string; readonly request: LeaseRequest }): Promise<boolean>;
  /**
   * Leases whose expiry has passed, oldest expiry first, at most `limit` (default: all): the
   * threads whose run's process died mid-run, for recovery to resume.
   */
  expiredLeases(options?: { readonly limit?: number }): Promise<ThreadLease[]>;
  /**
   * The store's clock, in epoch milliseconds: the clock leases expire by and wake-ups fall due
   * by, so that the processes' own clocks do not need to agree.
   */
  now(): Promise<number>;
  /** Sets when the thread is due to resume by itself (replacing any earlier time), or removes it. */
  setWakeup(options: SetWakeupOptions): Promise<void>;
  /**
   * The threads whose wake-up time has passed by the store's clock, earliest first, at most
   * `limit` (default: all): what recovery resumes, besides threads with expired leases.
   */
  dueWakeups(options?: { readonly limit?: number }): Promise<ThreadWakeup[]>;
}

/** The methods every {@link Checkpointer} has, for checks and wrappers. */
export const CHECKPOINTER_METHODS = [
  "put",
  "get",
  "list",
  "putTaskResult",
  "getTaskResults",
  "putStepResult",
  "getStepResults",
  "deleteThread",
  "acquireLease",
  "renewLease",
  "releaseLease",
  "requestLease",
  "expiredLeases",
  "now",
  "setWakeup",
  "dueWakeups",
] as const satisfies readonly (keyof Checkpointer)[];
