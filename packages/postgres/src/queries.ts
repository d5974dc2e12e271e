import type { CheckpointRow, LeaseRequest, StepResultRow, TaskResultRow, ThreadLease, ThreadWakeup } from "@weft/core/adapter";
import type { Tables } from "./schema.js";

/** The SQL of every call, for the tables of one schema. */
export interface Queries {
  /**
   * Parameters: thread, checkpoint, parent, step, data, head (or null). One statement: moves the
   * thread's head row from `head` to the new checkpoint (or creates it when `head` is null) and,
   * only if that happened, inserts the checkpoint and deletes the parent's task results. Returns
   * `won`. A concurrent writer with the same head waits on the head row's lock, then finds the
   * head moved (READ COMMITTED re-checks the row) and writes nothing.
   */
  readonly put: string;
  readonly head: string;
  readonly latest: string;
  readonly byId: string;
  /** Parameters: thread, before (or null), limit (or null for all). */
  readonly list: string;
  readonly putTaskResult: string;
  readonly taskResults: string;
  /**
   * Parameters: thread, checkpoint, task, step key, data. Returns the saved row: this one, or
   * the one saved first. Nothing when that one was committed after this statement began: ask
   * again with {@link Queries.stepResult}.
   */
  readonly putStepResult: string;
  /** Parameters: thread, checkpoint, task, step key. */
  readonly stepResult: string;
  /** Parameters: thread, checkpoint, task. */
  readonly stepResults: string;
  readonly deleteThread: string;
  /** Parameters: thread, owner, ttl ms. Returns the lease when acquired, nothing otherwise. */
  readonly acquireLease: string;
  readonly lease: string;
  /** Parameters: thread, owner, ttl ms. Returns the request when held. */
  readonly renewLease: string;
  readonly releaseLease: string;
  /** Parameters: thread, request. */
  readonly requestLease: string;
  /** Parameters: limit (or null for all). */
  readonly expiredLeases: string;
  /** The server's clock in epoch milliseconds, as `now`. */
  readonly now: string;
  /** Parameters: thread, wake at (epoch ms). */
  readonly putWakeup: string;
  readonly deleteWakeup: string;
  /** Parameters: limit (or null for all). */
  readonly dueWakeups: string;
}

const CHECKPOINT_COLUMNS = "thread_id, checkpoint_id, parent_id, step, data";
const RESULT_COLUMNS = "thread_id, checkpoint_id, task_id, data";
const STEP_COLUMNS = "thread_id, checkpoint_id, task_id, step_key, data";

/** Builds the queries for `tables`. */
export function queriesFor(tables: Tables): Queries {
  const { checkpoints, taskResults, stepResults, threads, leases, wakeups } = tables;
  const clock = "floor(extract(epoch FROM clock_timestamp()) * 1000)";
  const leaseColumns = `thread_id, owner, floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_at, request`;
  const expiry = "clock_timestamp() + $3::float8 * interval '1 millisecond'";
  return {
    put: `WITH moved AS (
            UPDATE ${threads} SET head = $2 WHERE thread_id = $1 AND head = $6::text RETURNING 1
          ), created AS (
            INSERT INTO ${threads} (thread_id, head) SELECT $1, $2 WHERE $6::text IS NULL
            ON CONFLICT (thread_id) DO NOTHING RETURNING 1
          ), won AS (
            SELECT 1 FROM moved UNION ALL SELECT 1 FROM created
          ), inserted AS (
            INSERT INTO ${checkpoints} (${CHECKPOINT_COLUMNS}) SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM won)
            RETURNING 1
          ), pruned AS (
            DELETE FROM ${taskResults} WHERE thread_id = $1 AND checkpoint_id = $3 AND EXISTS (SELECT 1 FROM won)
          ), pruned_steps AS (
            DELETE FROM ${stepResults} WHERE thread_id = $1 AND checkpoint_id = $3 AND EXISTS (SELECT 1 FROM won)
          )
          SELECT EXISTS (SELECT 1 FROM inserted) AS won`,
    head: `SELECT head FROM ${threads} WHERE thread_id = $1`,
    latest: `SELECT ${CHECKPOINT_COLUMNS} FROM ${checkpoints} WHERE thread_id = $1 ORDER BY seq DESC LIMIT 1`,
    byId: `SELECT ${CHECKPOINT_COLUMNS} FROM ${checkpoints} WHERE thread_id = $1 AND checkpoint_id = $2`,
    // A `before` id that is not in the thread makes the sub-select NULL, so the list is empty.
    list: `SELECT ${CHECKPOINT_COLUMNS} FROM ${checkpoints} WHERE thread_id = $1
             AND ($2::text IS NULL OR seq < (SELECT seq FROM ${checkpoints} WHERE thread_id = $1 AND checkpoint_id = $2))
           ORDER BY seq DESC LIMIT $3`,
    // On conflict only `data` changes, so the task keeps the seq (the order) of its first put.
    putTaskResult: `INSERT INTO ${taskResults} (${RESULT_COLUMNS}) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (thread_id, checkpoint_id, task_id) DO UPDATE SET data = EXCLUDED.data`,
    taskResults: `SELECT ${RESULT_COLUMNS} FROM ${taskResults} WHERE thread_id = $1 AND checkpoint_id = $2 ORDER BY seq`,
    // One statement, so both deletes commit together without holding a client for a transaction.
    // The first save of a step wins: a later one (another run of the same task) changes nothing.
    putStepResult: `WITH inserted AS (
                      INSERT INTO ${stepResults} (${STEP_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
                      ON CONFLICT (thread_id, checkpoint_id, task_id, step_key) DO NOTHING
                      RETURNING ${STEP_COLUMNS}
                    )
                    SELECT ${STEP_COLUMNS} FROM inserted
                    UNION ALL
                    SELECT ${STEP_COLUMNS} FROM ${stepResults}
                      WHERE thread_id = $1 AND checkpoint_id = $2 AND task_id = $3 AND step_key = $4
                    LIMIT 1`,
    stepResult: `SELECT ${STEP_COLUMNS} FROM ${stepResults} WHERE thread_id = $1 AND checkpoint_id = $2 AND task_id = $3 AND step_key = $4`,
    stepResults: `SELECT ${STEP_COLUMNS} FROM ${stepResults} WHERE thread_id = $1 AND checkpoint_id = $2 AND task_id = $3`,
    deleteThread: `WITH results AS (DELETE FROM ${taskResults} WHERE thread_id = $1),
                        steps AS (DELETE FROM ${stepResults} WHERE thread_id = $1),
                        head AS (DELETE FROM ${threads} WHERE thread_id = $1),
                        lease AS (DELETE FROM ${leases} WHERE thread_id = $1),
                        wakeup AS (DELETE FROM ${wakeups} WHERE thread_id = $1)
                   DELETE FROM ${checkpoints} WHERE thread_id = $1`,
    // ON CONFLICT … WHERE locks the existing row and tests the condition on its latest version:
    // of racing acquirers of a free or expired lease, exactly one updates it.
    acquireLease: `INSERT INTO ${leases} AS l (thread_id, owner, expires_at) VALUES ($1, $2, ${expiry})
                   ON CONFLICT (thread_id) DO UPDATE
                     SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,
                         request = CASE WHEN l.owner = EXCLUDED.owner THEN l.request END
                     WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
                   RETURNING ${leaseColumns}`,
    lease: `SELECT ${leaseColumns} FROM ${leases} WHERE thread_id = $1`,
    renewLease: `UPDATE ${leases} SET expires_at = ${expiry} WHERE thread_id = $1 AND owner = $2 RETURNING request`,
    releaseLease: `DELETE FROM ${leases} WHERE thread_id = $1 AND owner = $2`,
    requestLease: `UPDATE ${leases} SET request = $2 WHERE thread_id = $1 AND expires_at > clock_timestamp()`,
    expiredLeases: `SELECT ${leaseColumns} FROM ${leases} WHERE expires_at <= clock_timestamp()
                    ORDER BY expires_at, thread_id LIMIT $1`,
    now: `SELECT ${clock}::float8 AS now`,
    putWakeup: `INSERT INTO ${wakeups} (thread_id, wake_at) VALUES ($1, $2)
                ON CONFLICT (thread_id) DO UPDATE SET wake_at = EXCLUDED.wake_at`,
    deleteWakeup: `DELETE FROM ${wakeups} WHERE thread_id = $1`,
    dueWakeups: `SELECT thread_id, wake_at::float8 AS wake_at FROM ${wakeups} WHERE wake_at <= ${clock}
                 ORDER BY wake_at, thread_id LIMIT $1`,
  };
}

interface CheckpointRecord {
  thread_id: string;
  checkpoint_id: string;
  parent_id: string | null;
  step: number;
  data: string;
}

interface TaskResultRecord {
  thread_id: string;
  checkpoint_id: string;
  task_id: string;
  data: string;
}

/** A `weft_checkpoints` row as a {@link CheckpointRow}. */
export const toCheckpoint = (row: CheckpointRecord): CheckpointRow => ({
  threadId: row.thread_id,
  checkpointId: row.checkpoint_id,
  parentId: row.parent_id ?? undefined,
  step: row.step,
  data: row.data,
});

/** A `weft_task_results` row as a {@link TaskResultRow}. */
export const toTaskResult = (row: TaskResultRecord): TaskResultRow => ({
  threadId: row.thread_id,
  checkpointId: row.checkpoint_id,
  taskId: row.task_id,
  data: row.data,
});

interface StepResultRecord {
  thread_id: string;
  checkpoint_id: string;
  task_id: string;
  step_key: string;
  data: string;
}

/** A `weft_step_results` row as a {@link StepResultRow}. */
export const toStepResult = (row: StepResultRecord): StepResultRow => ({
  threadId: row.thread_id,
  checkpointId: row.checkpoint_id,
  taskId: row.task_id,
  stepKey: row.step_key,
  data: row.data,
});

interface LeaseRecord {
  thread_id: string;
  owner: string;
  expires_at: number;
  request: string | null;
}

/** A `weft_leases` row as a {@link ThreadLease}. */
export const toLease = (row: LeaseRecord): ThreadLease => ({
  threadId: row.thread_id,
  owner: row.owner,
  expiresAt: row.expires_at,
  request: (row.request ?? undefined) as LeaseRequest | undefined,
});

interface WakeupRecord {
  thread_id: string;
  wake_at: number;
}

/** A `weft_wakeups` row as a {@link ThreadWakeup}. */
export const toWakeup = (row: WakeupRecord): ThreadWakeup => ({ threadId: row.thread_id, wakeAt: row.wake_at });

export type { CheckpointRecord, LeaseRecord, StepResultRecord, TaskResultRecord, WakeupRecord };
