import type { DatabaseSync, SQLOutputValue, StatementSync } from "node:sqlite";
import type { CheckpointRow, LeaseRequest, StepResultRow, TaskResultRow, ThreadLease, ThreadWakeup } from "@weft/core/adapter";

const CHECKPOINT_COLUMNS = "thread_id, checkpoint_id, parent_id, step, data";
const RESULT_COLUMNS = "thread_id, checkpoint_id, task_id, data";
const STEP_COLUMNS = "thread_id, checkpoint_id, task_id, step_key, data";
const LEASE_COLUMNS = "thread_id, owner, expires_at, request";

/** The prepared statements of one connection, compiled once after the schema is in place. */
export interface Statements {
  readonly put: StatementSync;
  readonly latest: StatementSync;
  readonly byId: StatementSync;
  /** Parameters: thread, before (or null), limit (-1 for all). */
  readonly list: StatementSync;
  readonly putTaskResult: StatementSync;
  readonly taskResults: StatementSync;
  readonly deleteCheckpoints: StatementSync;
  readonly deleteTaskResults: StatementSync;
  /** Parameters: thread, checkpoint: the task results a checkpoint's put commits. */
  readonly pruneTaskResults: StatementSync;
  /** Parameters: thread, checkpoint, task, step key, data. Returns nothing when the step is saved already. */
  readonly putStepResult: StatementSync;
  /** Parameters: thread, checkpoint, task, step key. */
  readonly stepResult: StatementSync;
  /** Parameters: thread, checkpoint, task. */
  readonly stepResults: StatementSync;
  readonly deleteStepResults: StatementSync;
  /** Parameters: thread, checkpoint: the step results a checkpoint's put commits. */
  readonly pruneStepResults: StatementSync;
  readonly headId: StatementSync;
  readonly lease: StatementSync;
  /** Parameters: thread, owner, expires at, request. */
  readonly putLease: StatementSync;
  /** Parameters: expires at, thread, owner. Returns the request. */
  readonly renewLease: StatementSync;
  readonly releaseLease: StatementSync;
  /** Parameters: request, thread, now. */
  readonly requestLease: StatementSync;
  /** Parameters: now, limit (-1 for all). */
  readonly expiredLeases: StatementSync;
  readonly deleteLease: StatementSync;
  /** Parameters: thread, wake at. */
  readonly putWakeup: StatementSync;
  readonly deleteWakeup: StatementSync;
  /** Parameters: now, limit (-1 for all). */
  readonly dueWakeups: StatementSync;
}

/** Compiles every statement the checkpointer runs. */
export function prepareStatements(db: DatabaseSync): Statements {
  return {
    put: db.prepare(`INSERT INTO weft_checkpoints (${CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
    latest: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM weft_checkpoints WHERE thread_id = ? ORDER BY seq DESC LIMIT 1`),
    byId: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM weft_checkpoints WHERE thread_id = ? AND checkpoint_id = ?`),
    // A `before` id that is not in the thread makes the sub-select NULL, so the list is empty.
    list: db.prepare(
      `SELECT ${CHECKPOINT_COLUMNS} FROM weft_checkpoints WHERE thread_id = ?1
         AND (?2 IS NULL OR seq < (SELECT seq FROM weft_checkpoints WHERE thread_id = ?1 AND checkpoint_id = ?2))
       ORDER BY seq DESC LIMIT ?3`,
    ),
    // On conflict only `data` changes, so the task keeps the seq (the order) of its first put.
    putTaskResult: db.prepare(
      `INSERT INTO weft_task_results (${RESULT_COLUMNS}) VALUES (?, ?, ?, ?)
       ON CONFLICT (thread_id, checkpoint_id, task_id) DO UPDATE SET data = excluded.data`,
    ),
    taskResults: db.prepare(`SELECT ${RESULT_COLUMNS} FROM weft_task_results WHERE thread_id = ? AND checkpoint_id = ? ORDER BY seq`),
    deleteCheckpoints: db.prepare("DELETE FROM weft_checkpoints WHERE thread_id = ?"),
    deleteTaskResults: db.prepare("DELETE FROM weft_task_results WHERE thread_id = ?"),
    pruneTaskResults: db.prepare("DELETE FROM weft_task_results WHERE thread_id = ? AND checkpoint_id = ?"),
    // The first save of a step wins: a later one (another run of the same task) changes nothing.
    putStepResult: db.prepare(
      `INSERT INTO weft_step_results (${STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (thread_id, checkpoint_id, task_id, step_key) DO NOTHING`,
    ),
    stepResult: db.prepare(
      `SELECT ${STEP_COLUMNS} FROM weft_step_results WHERE thread_id = ? AND checkpoint_id = ? AND task_id = ? AND step_key = ?`,
    ),
    stepResults: db.prepare(`SELECT ${STEP_COLUMNS} FROM weft_step_results WHERE thread_id = ? AND checkpoint_id = ? AND task_id = ?`),
    deleteStepResults: db.prepare("DELETE FROM weft_step_results WHERE thread_id = ?"),
    pruneStepResults: db.prepare("DELETE FROM weft_step_results WHERE thread_id = ? AND checkpoint_id = ?"),
    headId: db.prepare("SELECT checkpoint_id FROM weft_checkpoints WHERE thread_id = ? ORDER BY seq DESC LIMIT 1"),
    lease: db.prepare(`SELECT ${LEASE_COLUMNS} FROM weft_leases WHERE thread_id = ?`),
    putLease: db.prepare(
      `INSERT INTO weft_leases (${LEASE_COLUMNS}) VALUES (?, ?, ?, ?)
       ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, request = excluded.request`,
    ),
    renewLease: db.prepare("UPDATE weft_leases SET expires_at = ? WHERE thread_id = ? AND owner = ? RETURNING request"),
    releaseLease: db.prepare("DELETE FROM weft_leases WHERE thread_id = ? AND owner = ?"),
    requestLease: db.prepare("UPDATE weft_leases SET request = ? WHERE thread_id = ? AND expires_at > ?"),
    expiredLeases: db.prepare(`SELECT ${LEASE_COLUMNS} FROM weft_leases WHERE expires_at <= ? ORDER BY expires_at, thread_id LIMIT ?`),
    deleteLease: db.prepare("DELETE FROM weft_leases WHERE thread_id = ?"),
    putWakeup: db.prepare(
      "INSERT INTO weft_wakeups (thread_id, wake_at) VALUES (?, ?) ON CONFLICT (thread_id) DO UPDATE SET wake_at = excluded.wake_at",
    ),
    deleteWakeup: db.prepare("DELETE FROM weft_wakeups WHERE thread_id = ?"),
    dueWakeups: db.prepare("SELECT thread_id, wake_at FROM weft_wakeups WHERE wake_at <= ? ORDER BY wake_at, thread_id LIMIT ?"),
  };
}

type Row = Record<string, SQLOutputValue>;

/** A `weft_checkpoints` row as a {@link CheckpointRow}. */
export function toCheckpoint(row: Row): CheckpointRow {
  return {
    threadId: row.thread_id as string,
    checkpointId: row.checkpoint_id as string,
    parentId: row.parent_id === null ? undefined : (row.parent_id as string),
    step: Number(row.step),
    data: row.data as string,
  };
}

/** A `weft_task_results` row as a {@link TaskResultRow}. */
export function toTaskResult(row: Row): TaskResultRow {
  return {
    threadId: row.thread_id as string,
    checkpointId: row.checkpoint_id as string,
    taskId: row.task_id as string,
    data: row.data as string,
  };
}

/** A `weft_step_results` row as a {@link StepResultRow}. */
export function toStepResult(row: Row): StepResultRow {
  return {
    threadId: row.thread_id as string,
    checkpointId: row.checkpoint_id as string,
    taskId: row.task_id as string,
    stepKey: row.step_key as string,
    data: row.data as string,
  };
}

/** A `weft_leases` row as a {@link ThreadLease}. */
export function toLease(row: Row): ThreadLease {
  return {
    threadId: row.thread_id as string,
    owner: row.owner as string,
    expiresAt: Number(row.expires_at),
    request: row.request === null ? undefined : (row.request as LeaseRequest),
  };
}

/** A `weft_wakeups` row as a {@link ThreadWakeup}. */
export function toWakeup(row: Row): ThreadWakeup {
  return { threadId: row.thread_id as string, wakeAt: Number(row.wake_at) };
}
