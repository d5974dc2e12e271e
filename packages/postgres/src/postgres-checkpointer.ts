import { GraphError } from "@weft/core";
import {
  checkpointConflict,
  checkStoreOptions,
  type AcquireLeaseOptions,
  type Checkpointer,
  type CheckpointRow,
  type LeaseRequest,
  type PutOptions,
  type ReleaseLeaseOptions,
  type StepResultRow,
  type SetWakeupOptions,
  type TaskResultRow,
  type ThreadLease,
  type ThreadWakeup,
} from "@weft/core/adapter";
import type { Pool } from "pg";
import { resolvePool, type PostgresConnection } from "./connection.js";
import {
  queriesFor,
  toCheckpoint,
  toLease,
  toStepResult,
  toTaskResult,
  toWakeup,
  type CheckpointRecord,
  type LeaseRecord,
  type Queries,
  type StepResultRecord,
  type TaskResultRecord,
  type WakeupRecord,
} from "./queries.js";
import { setUpSchema, tablesIn, type Tables } from "./schema.js";

/**
 * Options of {@link PostgresCheckpointer}.
 *
 * @example
 * ```ts
 * const options: PostgresCheckpointerOptions = { schema: "weft" };
 * const checkpointer = new PostgresCheckpointer(process.env.DATABASE_URL, options);
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export interface PostgresCheckpointerOptions {
  /**
   * The Postgres schema that holds Weft's tables; created if missing. Default `"public"`.
   * Give each application (or test file) its own to keep their checkpoints apart.
   */
  readonly schema?: string;
}

const UNIQUE_VIOLATION = "23505";

/**
 * Keeps checkpoints in PostgreSQL through `pg`: durability shared by many processes and machines.
 * The tables are created on first use (or by {@link PostgresCheckpointer.setup}); see
 * `docs/guides/durable-storage.md`.
 *
 * Give it a `pg` Pool (which you keep and end yourself), a pool config or a connection string.
 * With none, it connects to `WEFT_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test`.
 *
 * @example
 * ```ts
 * import { PostgresCheckpointer } from "@weft/postgres";
 *
 * const checkpointer = new PostgresCheckpointer(process.env.DATABASE_URL, { schema: "weft" });
 * const graph = builder.compile({ checkpointer });
 * await graph.invoke({ topic: "AI" }, { threadId: "report-1" });
 * await checkpointer.close();
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export class PostgresCheckpointer implements Checkpointer {
  readonly #pool: Pool;
  readonly #owned: boolean;
  readonly #tables: Tables;
  readonly #queries: Queries;
  #setup: Promise<void> | undefined;
  #closed = false;

  constructor(connection?: PostgresConnection, options: PostgresCheckpointerOptions = {}) {
    const schema = options.schema ?? "public";
    if (schema.length === 0 || schema.length > 63) {
      throw new GraphError("INVALID_OPTION", `schema must be a Postgres identifier of 1 to 63 characters, got "${schema}".`);
    }
    ({ pool: this.#pool, owned: this.#owned } = resolvePool(connection));
    this.#tables = tablesIn(schema);
    this.#queries = queriesFor(this.#tables);
  }

  /**
   * Creates the schema and tables if they are missing, or migrates older ones; safe to run from
   * many processes at once. Every other method runs it first, so calling it is optional: do so
   * at startup to fail fast on a bad connection.
   *
   * @example
   * ```ts
   * const checkpointer = new PostgresCheckpointer("postgres://app@db/app", { schema: "weft" });
   * await checkpointer.setup();
   * ```
   */
  setup(): Promise<void> {
    if (this.#closed)
      return Promise.reject(new Error(`This PostgresCheckpointer (schema "${this.#tables.schema}") is closed; create a new one.`));
    // A failed setup (server down, say) is retried by the next call rather than remembered.
    this.#setup ??= setUpSchema(this.#pool, this.#tables).catch((error: unknown) => {
      this.#setup = undefined;
      throw error;
    });
    return this.#setup;
  }

  async put(row: CheckpointRow, options: PutOptions): Promise<void> {
    checkStoreOptions("put", options);
    await this.setup();
    try {
      const { rows } = await this.#pool.query<{ won: boolean }>(this.#queries.put, [
        row.threadId,
        row.checkpointId,
        row.parentId ?? null,
        row.step,
        row.data,
        options.head,
      ]);
      if (rows[0]?.won === true) return;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      throw new GraphError("INVALID_OPTION", `Checkpoint "${row.checkpointId}" already exists in thread "${row.threadId}".`, {
        cause: error,
        details: { threadId: row.threadId, checkpointId: row.checkpointId },
      });
    }
    const { rows } = await this.#pool.query<{ head: string }>(this.#queries.head, [row.threadId]);
    throw checkpointConflict(row.threadId, options.head, rows[0]?.head ?? null);
  }

  async get(threadId: string, checkpointId?: string): Promise<CheckpointRow | undefined> {
    await this.setup();
    const { rows } =
      checkpointId === undefined
        ? await this.#pool.query<CheckpointRecord>(this.#queries.latest, [threadId])
        : await this.#pool.query<CheckpointRecord>(this.#queries.byId, [threadId, checkpointId]);
    return rows[0] === undefined ? undefined : toCheckpoint(rows[0]);
  }

  async list(threadId: string, options: { readonly before?: string; readonly limit?: number } = {}): Promise<CheckpointRow[]> {
    const { before, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new GraphError("INVALID_OPTION", `list() limit must be a whole number ≥ 0, got ${limit}.`);
    }
    await this.setup();
    const { rows } = await this.#pool.query<CheckpointRecord>(this.#queries.list, [threadId, before ?? null, limit ?? null]);
    return rows.map(toCheckpoint);
  }

  async putTaskResult(row: TaskResultRow): Promise<void> {
    await this.setup();
    await this.#pool.query(this.#queries.putTaskResult, [row.threadId, row.checkpointId, row.taskId, row.data]);
  }

  async getTaskResults(threadId: string, checkpointId: string): Promise<TaskResultRow[]> {
    await this.setup();
    const { rows } = await this.#pool.query<TaskResultRecord>(this.#queries.taskResults, [threadId, checkpointId]);
    return rows.map(toTaskResult);
  }

  async putStepResult(row: StepResultRow): Promise<StepResultRow> {
    await this.setup();
    const key = [row.threadId, row.checkpointId, row.taskId, row.stepKey];
    const put = await this.#pool.query<StepResultRecord>(this.#queries.putStepResult, [...key, row.data]);
    if (put.rows[0] !== undefined) return toStepResult(put.rows[0]);
    // Another writer's row was committed after this statement's snapshot: a new statement sees it.
    const saved = await this.#pool.query<StepResultRecord>(this.#queries.stepResult, key);
    return toStepResult(saved.rows[0]!);
  }

  async getStepResults(threadId: string, checkpointId: string, taskId: string): Promise<StepResultRow[]> {
    await this.setup();
    const { rows } = await this.#pool.query<StepResultRecord>(this.#queries.stepResults, [threadId, checkpointId, taskId]);
    return rows.map(toStepResult);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.setup();
    await this.#pool.query(this.#queries.deleteThread, [threadId]);
  }

  async acquireLease(options: AcquireLeaseOptions): Promise<{ acquired: boolean; lease: ThreadLease }> {
    checkStoreOptions("acquireLease", options);
    await this.setup();
    const { threadId, owner, ttlMs } = options;
    // The holder may release between the two queries; then the lease is free: try again.
    for (;;) {
      const taken = await this.#pool.query<LeaseRecord>(this.#queries.acquireLease, [threadId, owner, ttlMs]);
      if (taken.rows[0] !== undefined) return { acquired: true, lease: toLease(taken.rows[0]) };
      const held = await this.#pool.query<LeaseRecord>(this.#queries.lease, [threadId]);
      if (held.rows[0] !== undefined) return { acquired: false, lease: toLease(held.rows[0]) };
    }
  }

  async renewLease(options: AcquireLeaseOptions): Promise<{ held: boolean; request: LeaseRequest | undefined }> {
    checkStoreOptions("renewLease", options);
    await this.setup();
    const { rows } = await this.#pool.query<{ request: string | null }>(this.#queries.renewLease, [
      options.threadId,
      options.owner,
      options.ttlMs,
    ]);
    if (rows[0] === undefined) return { held: false, request: undefined };
    return { held: true, request: (rows[0].request ?? undefined) as LeaseRequest | undefined };
  }

  async releaseLease(options: ReleaseLeaseOptions): Promise<void> {
    checkStoreOptions("releaseLease", options);
    await this.setup();
    await this.#pool.query(this.#queries.releaseLease, [options.threadId, options.owner]);
  }

  async requestLease(options: { readonly threadId: string; readonly request: LeaseRequest }): Promise<boolean> {
    checkStoreOptions("requestLease", options);
    await this.setup();
    const result = await this.#pool.query(this.#queries.requestLease, [options.threadId, options.request]);
    return (result.rowCount ?? 0) > 0;
  }

  async expiredLeases(options: { readonly limit?: number } = {}): Promise<ThreadLease[]> {
    checkStoreOptions("expiredLeases", options);
    await this.setup();
    const { rows } = await this.#pool.query<LeaseRecord>(this.#queries.expiredLeases, [options.limit ?? null]);
    return rows.map(toLease);
  }

  /** The server's clock (`clock_timestamp()`), which leases and wake-ups are counted by. */
  async now(): Promise<number> {
    await this.setup();
    const { rows } = await this.#pool.query<{ now: number }>(this.#queries.now);
    return rows[0]!.now;
  }

  async setWakeup(options: SetWakeupOptions): Promise<void> {
    checkStoreOptions("setWakeup", options);
    await this.setup();
    if (options.wakeAt === null) await this.#pool.query(this.#queries.deleteWakeup, [options.threadId]);
    else await this.#pool.query(this.#queries.putWakeup, [options.threadId, options.wakeAt]);
  }

  async dueWakeups(options: { readonly limit?: number } = {}): Promise<ThreadWakeup[]> {
    checkStoreOptions("dueWakeups", options);
    await this.setup();
    const { rows } = await this.#pool.query<WakeupRecord>(this.#queries.dueWakeups, [options.limit ?? null]);
    return rows.map(toWakeup);
  }

  /**
   * Ends the pool if this checkpointer created it (a Pool you passed in stays open).
   * Later calls reject. Closing twice is harmless.
   *
   * @example
   * ```ts
   * const checkpointer = new PostgresCheckpointer();
   * try {
   *   await graph.invoke(input, { threadId: "t1" });
   * } finally {
   *   await checkpointer.close();
   * }
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#pool.end();
  }
}
