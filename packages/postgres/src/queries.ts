import type { CheckpointRow, TaskResultRow } from "@weft/core/adapter";
import type { Tables } from "./schema.js";

/** The SQL of every call, for the tables of one schema. */
export interface Queries {
  readonly put: string;
  readonly latest: string;
  readonly byId: string;
  /** Parameters: thread, before (or null), limit (or null for all). */
  readonly list: string;
  readonly putTaskResult: string;
  readonly taskResults: string;
  readonly deleteThread: string;
}

const CHECKPOINT_COLUMNS = "thread_id, checkpoint_id, parent_id, step, data";
const RESULT_COLUMNS = "thread_id, checkpoint_id, task_id, data";

/** Builds the queries for `tables`. */
export function queriesFor(tables: Tables): Queries {
  const { checkpoints, taskResults } = tables;
  return {
    put: `INSERT INTO ${checkpoints} (${CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
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
    deleteThread: `WITH results AS (DELETE FROM ${taskResults} WHERE thread_id = $1)
                   DELETE FROM ${checkpoints} WHERE thread_id = $1`,
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

export type { CheckpointRecord, TaskResultRecord };
