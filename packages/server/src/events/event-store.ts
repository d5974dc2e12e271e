import type { SerializedError } from "@weft/core/draw";

/**
 * Where a run stands: `running` until its stream ends, then what ended it. `lost` is a run
 * whose server stopped before it ended (found at the next start).
 *
 * @example
 * ```ts
 * const ended = (status: RunStatus): boolean => status !== "running";
 * ```
 */
export type RunStatus = "running" | "done" | "interrupted" | "failed" | "cancelled" | "lost";

/**
 * A run as the server knows it.
 *
 * @example
 * ```ts
 * const run: RunInfo = { runId: "…", graph: "report", threadId: "t1", status: "done", startedAt: 1765000000000, endedAt: 1765000002000, events: 42 };
 * ```
 */
export interface RunInfo {
  readonly runId: string;
  readonly graph: string;
  readonly threadId: string;
  readonly status: RunStatus;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt?: number;
  /** Why a `failed` or `cancelled` run stopped. */
  readonly error?: SerializedError;
  /** How many events the store holds for the run: the id of its last event. */
  readonly events: number;
}

/**
 * One run event as kept: `seq` is its SSE id (1, 2, 3 … within the run), `data` the serialized
 * event's JSON text.
 *
 * @example
 * ```ts
 * const event: StoredEvent = { seq: 1, type: "run:start", data: '{"type":"run:start","input":{},"at":0}' };
 * ```
 */
export interface StoredEvent {
  readonly seq: number;
  readonly type: string;
  readonly data: string;
}

/**
 * Keeps each run's events from its start until its retention window has passed, so a client
 * can re-attach to a run's stream with `Last-Event-ID`. The server writes one run's events in
 * order, in batches, with consecutive `seq` numbers from 1, and never writes a run after
 * `endRun`. {@link MemoryEventStore} and {@link SqliteEventStore} implement it.
 *
 * @example
 * ```ts
 * const store: EventStore = new SqliteEventStore("./events.db");
 * const server = await serveGraphs({ graphs: { report: graph }, events: store });
 * ```
 * @see ../../../../docs/guides/server.md
 */
export interface EventStore {
  /** Records a run that has just started (status `running`, no events yet). */
  createRun(run: { readonly runId: string; readonly graph: string; readonly threadId: string; readonly startedAt: number }): Promise<void>;
  /** Appends events to a running run; their `seq` continue the run's last one. */
  append(runId: string, events: readonly StoredEvent[]): Promise<void>;
  /** The run's events with `seq` greater than `after`, in order, at most `limit` of them. */
  read(runId: string, options: { readonly after: number; readonly limit: number }): Promise<StoredEvent[]>;
  /** Marks a run as ended; its retention window starts at `endedAt`. */
  endRun(
    runId: string,
    end: { readonly status: Exclude<RunStatus, "running">; readonly endedAt: number; readonly error?: SerializedError },
  ): Promise<void>;
  getRun(runId: string): Promise<RunInfo | undefined>;
  /** Runs, most recently started first: of one graph when given, and of one of its threads when both are given. */
  listRuns(filter: { readonly graph?: string; readonly threadId?: string; readonly limit?: number }): Promise<RunInfo[]>;
  /** Marks every `running` run as `lost`: called when a server starts, before it runs anything. */
  markLost(endedAt: number): Promise<number>;
  /** Deletes the runs (and their events) that ended before `endedBefore`; returns how many. */
  prune(endedBefore: number): Promise<number>;
  close(): Promise<void>;
}
