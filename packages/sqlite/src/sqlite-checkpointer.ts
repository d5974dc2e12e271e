import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
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
import { ensureSchema } from "./schema.js";
import { prepareStatements, toCheckpoint, toLease, toStepResult, toTaskResult, toWakeup, type Statements } from "./statements.js";
import { immediateTransaction } from "./transaction.js";

/**
 * Options of {@link SqliteCheckpointer}.
 *
 * @example
 * ```ts
 * const options: SqliteCheckpointerOptions = { busyTimeoutMs: 30_000 };
 * const checkpointer = new SqliteCheckpointer("./weft.db", options);
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export interface SqliteCheckpointerOptions {
  /**
   * How long, in milliseconds, a write waits for another connection or process to release the
   * file before it fails with "database is locked". Default 5000.
   */
  readonly busyTimeoutMs?: number;
}

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_BUSY = 5;
const SQLITE_NOTADB = 26;

/**
 * Keeps checkpoints in a SQLite file through `node:sqlite`: durable local runs with no server.
 * Several processes may open the same file (WAL mode, with a busy timeout for writers).
 * The tables are created on first use; see `docs/guides/durable-storage.md`.
 *
 * Give it a file path (or `":memory:"`), or an open `DatabaseSync` that you keep and close
 * yourself. Call {@link SqliteCheckpointer.close} when done.
 *
 * @example
 * ```ts
 * import { SqliteCheckpointer } from "@weft/sqlite";
 *
 * const checkpointer = new SqliteCheckpointer("./weft.db");
 * const graph = builder.compile({ checkpointer });
 * await graph.invoke({ topic: "AI" }, { threadId: "report-1" });
 * await checkpointer.close();
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export class SqliteCheckpointer implements Checkpointer {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #where: string;
  readonly #busyTimeoutMs: number;
  #statements: Promise<Statements> | undefined;
  #closed = false;

  constructor(database: string | DatabaseSync, options: SqliteCheckpointerOptions = {}) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new GraphError("INVALID_OPTION", `busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${busyTimeoutMs}.`);
    }
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#owned = typeof database === "string";
    this.#where = typeof database === "string" ? `SQLite database "${database}"` : "the given SQLite database";
    this.#db = typeof database === "string" ? new DatabaseSync(database, { timeout: busyTimeoutMs }) : database;
  }

  async put(row: CheckpointRow, options: PutOptions): Promise<void> {
    checkStoreOptions("put", options);
    const statements = await this.#ready();
    try {
      // One IMMEDIATE transaction: no other connection or process writes between the check and the insert.
      immediateTransaction(this.#db, () => {
        const actual = (statements.headId.get(row.threadId)?.checkpoint_id as string | undefined) ?? null;
        if (actual !== options.head) throw checkpointConflict(row.threadId, options.head, actual);
        statements.put.run(row.threadId, row.checkpointId, row.parentId ?? null, row.step, row.data);
        if (row.parentId !== undefined) {
          statements.pruneTaskResults.run(row.threadId, row.parentId);
          statements.pruneStepResults.run(row.threadId, row.parentId);
        }
      });
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== SQLITE_CONSTRAINT_UNIQUE) throw error;
      throw new GraphError("INVALID_OPTION", `Checkpoint "${row.checkpointId}" already exists in thread "${row.threadId}".`, {
        cause: error,
        details: { threadId: row.threadId, checkpointId: row.checkpointId },
      });
    }
  }

  async get(threadId: string, checkpointId?: string): Promise<CheckpointRow | undefined> {
    const statements = await this.#ready();
    const row = checkpointId === undefined ? statements.latest.get(threadId) : statements.byId.get(threadId, checkpointId);
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async list(threadId: string, options: { readonly before?: string; readonly limit?: number } = {}): Promise<CheckpointRow[]> {
    const { before, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new GraphError("INVALID_OPTION", `list() limit must be a whole number ≥ 0, got ${limit}.`);
    }
    return (await this.#ready()).list.all(threadId, before ?? null, limit ?? -1).map(toCheckpoint);
  }

  async putTaskResult(row: TaskResultRow): Promise<void> {
    (await this.#ready()).putTaskResult.run(row.threadId, row.checkpointId, row.taskId, row.data);
  }

  async getTaskResults(threadId: string, checkpointId: string): Promise<TaskResultRow[]> {
    return (await this.#ready()).taskResults.all(threadId, checkpointId).map(toTaskResult);
  }

  async putStepResult(row: StepResultRow): Promise<StepResultRow> {
    const statements = await this.#ready();
    return immediateTransaction(this.#db, () => {
      statements.putStepResult.run(row.threadId, row.checkpointId, row.taskId, row.stepKey, row.data);
      return toStepResult(statements.stepResult.get(row.threadId, row.checkpointId, row.taskId, row.stepKey)!);
    });
  }

  async getStepResults(threadId: string, checkpointId: string, taskId: string): Promise<StepResultRow[]> {
    return (await this.#ready()).stepResults.all(threadId, checkpointId, taskId).map(toStepResult);
  }

  async deleteThread(threadId: string): Promise<void> {
    const statements = await this.#ready();
    immediateTransaction(this.#db, () => {
      statements.deleteStepResults.run(threadId);
      statements.deleteTaskResults.run(threadId);
      statements.deleteCheckpoints.run(threadId);
      statements.deleteLease.run(threadId);
      statements.deleteWakeup.run(threadId);
    });
  }

  async acquireLease(options: AcquireLeaseOptions): Promise<{ acquired: boolean; lease: ThreadLease }> {
    checkStoreOptions("acquireLease", options);
    const { threadId, owner, ttlMs } = options;
    const statements = await this.#ready();
    return immediateTransaction(this.#db, () => {
      const now = Date.now();
      const found = statements.lease.get(threadId);
      const current = found === undefined ? undefined : toLease(found);
      if (current !== undefined && current.owner !== owner && current.expiresAt > now) return { acquired: false, lease: current };
      const lease: ThreadLease = {
        threadId,
        owner,
        expiresAt: now + ttlMs,
        request: current?.owner === owner ? current.request : undefined,
      };
      statements.putLease.run(threadId, owner, lease.expiresAt, lease.request ?? null);
      return { acquired: true, lease };
    });
  }

  async renewLease(options: AcquireLeaseOptions): Promise<{ held: boolean; request: LeaseRequest | undefined }> {
    checkStoreOptions("renewLease", options);
    const found = (await this.#ready()).renewLease.get(Date.now() + options.ttlMs, options.threadId, options.owner);
    if (found === undefined) return { held: false, request: undefined };
    return { held: true, request: found.request === null ? undefined : (found.request as LeaseRequest) };
  }

  async releaseLease(options: ReleaseLeaseOptions): Promise<void> {
    checkStoreOptions("releaseLease", options);
    (await this.#ready()).releaseLease.run(options.threadId, options.owner);
  }

  async requestLease(options: { readonly threadId: string; readonly request: LeaseRequest }): Promise<boolean> {
    checkStoreOptions("requestLease", options);
    return Number((await this.#ready()).requestLease.run(options.request, options.threadId, Date.now()).changes) > 0;
  }

  async expiredLeases(options: { readonly limit?: number } = {}): Promise<ThreadLease[]> {
    checkStoreOptions("expiredLeases", options);
    return (await this.#ready()).expiredLeases.all(Date.now(), options.limit ?? -1).map(toLease);
  }

  /** This machine's clock: every process sharing a SQLite file runs on the same machine. */
  async now(): Promise<number> {
    return Date.now();
  }

  async setWakeup(options: SetWakeupOptions): Promise<void> {
    checkStoreOptions("setWakeup", options);
    const statements = await this.#ready();
    if (options.wakeAt === null) statements.deleteWakeup.run(options.threadId);
    else statements.putWakeup.run(options.threadId, options.wakeAt);
  }

  async dueWakeups(options: { readonly limit?: number } = {}): Promise<ThreadWakeup[]> {
    checkStoreOptions("dueWakeups", options);
    return (await this.#ready()).dueWakeups.all(Date.now(), options.limit ?? -1).map(toWakeup);
  }

  /**
   * Closes the database if this checkpointer opened it (a `DatabaseSync` you passed in stays
   * open). Later calls reject. Closing twice is harmless.
   *
   * @example
   * ```ts
   * const checkpointer = new SqliteCheckpointer("./weft.db");
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
    this.#statements = undefined;
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }

  /** The statements, after setting up the connection and schema on first use. */
  #ready(): Promise<Statements> {
    if (this.#closed) return Promise.reject(this.#closedError());
    // A failed set-up (say, the file stayed locked past the timeout) is tried again on the next call.
    return (this.#statements ??= this.#open().catch((error: unknown) => {
      this.#statements = undefined;
      throw error;
    }));
  }

  async #open(): Promise<Statements> {
    try {
      // busy_timeout first: switching to WAL needs a lock another process may hold.
      if (!this.#owned) this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
      await this.#switchToWal();
      // In WAL mode NORMAL never corrupts and survives a process crash; only a power cut may drop
      // the last commits, which a resume then re-runs. Your own connection keeps its setting.
      if (this.#owned) this.#db.exec("PRAGMA synchronous = NORMAL");
      ensureSchema(this.#db, this.#where);
      return prepareStatements(this.#db);
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== SQLITE_NOTADB) throw error;
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${this.#where} is not a SQLite database: give SqliteCheckpointer a new or Weft-made file.`,
        {
          cause: error,
          details: { where: this.#where },
        },
      );
    }
  }

  /**
   * Sets WAL mode, retrying while the file is busy. When several processes open a new file at
   * once, each reads it and then asks for the write lock the switch needs; SQLite answers the
   * losers SQLITE_BUSY at once, without waiting on `busy_timeout`, because waiting while holding a
   * read lock could deadlock. Each retry starts without that lock, so the winner can finish.
   */
  async #switchToWal(): Promise<void> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let pauseMs = 2; ; pauseMs = Math.min(pauseMs * 2, 100)) {
      try {
        this.#db.exec("PRAGMA journal_mode = WAL");
        return;
      } catch (error) {
        const busy = ((error as { errcode?: number }).errcode ?? 0) % 256 === SQLITE_BUSY;
        if (!busy || Date.now() + pauseMs > deadline) throw error;
      }
      await sleep(pauseMs);
      if (this.#closed) throw this.#closedError();
    }
  }

  #closedError(): Error {
    return new Error(`This SqliteCheckpointer for ${this.#where} is closed; create a new one.`);
  }
}
