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
  /** Appends a checkpoint to its thread. Ids are unique per thread; putting an id twice is an error. */
  put(row: CheckpointRow): Promise<void>;
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
  /** Removes a thread with all its checkpoints and task results. */
  deleteThread(threadId: string): Promise<void>;
}
