import type { DatabaseSync } from "node:sqlite";
import { GraphError } from "@weft/core";
import { immediateTransaction } from "./transaction.js";

/**
 * Schema migrations: entry `i` takes a database from schema version `i` to `i + 1`.
 * Append new entries; never edit a released one. Version 0 is a file without Weft's tables.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE weft_checkpoints (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     thread_id TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     parent_id TEXT,
     step INTEGER NOT NULL,
     data TEXT NOT NULL,
     UNIQUE (thread_id, checkpoint_id)
   );
   CREATE INDEX weft_checkpoints_thread_seq ON weft_checkpoints (thread_id, seq);
   CREATE TABLE weft_task_results (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     thread_id TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     task_id TEXT NOT NULL,
     data TEXT NOT NULL,
     UNIQUE (thread_id, checkpoint_id, task_id)
   );`,
  // Version 2: thread leases; task results of steps already committed are dropped (a
  // checkpoint's put now deletes them).
  `CREATE TABLE weft_leases (
     thread_id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     request TEXT
   );
   CREATE INDEX weft_leases_expires_at ON weft_leases (expires_at);
   DELETE FROM weft_task_results WHERE EXISTS (
     SELECT 1 FROM weft_checkpoints AS c
     WHERE c.thread_id = weft_task_results.thread_id AND c.parent_id = weft_task_results.checkpoint_id
   );`,
  // Version 3: the results of finished ctx.step calls of tasks not committed yet.
  `CREATE TABLE weft_step_results (
     thread_id TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     task_id TEXT NOT NULL,
     step_key TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (thread_id, checkpoint_id, task_id, step_key)
   );`,
  // Version 4: when each waiting thread is due to resume by itself.
  `CREATE TABLE weft_wakeups (
     thread_id TEXT PRIMARY KEY,
     wake_at INTEGER NOT NULL
   );
   CREATE INDEX weft_wakeups_wake_at ON weft_wakeups (wake_at);`,
];

/**
 * The schema version this copy of `@weft/sqlite` writes and reads, kept in the
 * `weft_schema_version` table. A file with a higher version is refused rather than misread.
 *
 * @example
 * ```ts
 * const row = db.prepare("SELECT version FROM weft_schema_version").get();
 * if (row?.version !== SCHEMA_VERSION) console.log("this file will be migrated on first use");
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The columns each table must have at {@link SCHEMA_VERSION}; anything else is a foreign table. */
const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  weft_checkpoints: ["seq", "thread_id", "checkpoint_id", "parent_id", "step", "data"],
  weft_task_results: ["seq", "thread_id", "checkpoint_id", "task_id", "data"],
  weft_leases: ["thread_id", "owner", "expires_at", "request"],
  weft_step_results: ["thread_id", "checkpoint_id", "task_id", "step_key", "data"],
  weft_wakeups: ["thread_id", "wake_at"],
};

/**
 * Brings the database to {@link SCHEMA_VERSION}, creating the tables on first use, and refuses a
 * file written by a newer `@weft/sqlite` or holding tables of the same names that Weft did not create.
 * `where` names the database in error messages.
 */
export function ensureSchema(db: DatabaseSync, where: string): void {
  if (readVersion(db, where) !== SCHEMA_VERSION) {
    immediateTransaction(db, () => migrate(db, where, readVersion(db, where)));
  }
  verifyTables(db, where);
}

function migrate(db: DatabaseSync, where: string, from: number): void {
  if (from === SCHEMA_VERSION) return; // another connection migrated while we waited for the lock
  db.exec("CREATE TABLE IF NOT EXISTS weft_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  for (let version = from; version < SCHEMA_VERSION; version++) {
    try {
      db.exec(MIGRATIONS[version]!);
    } catch (error) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} could not be brought from Weft schema version ${version} to ${version + 1} (${(error as Error).message}). ` +
          `Does another program use tables named weft_*? Give SqliteCheckpointer a file of its own.`,
        { cause: error, details: { where, version } },
      );
    }
  }
  db.prepare("INSERT INTO weft_schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version").run(
    SCHEMA_VERSION,
  );
}

/** The stored schema version: 0 for a file without Weft's tables. */
function readVersion(db: DatabaseSync, where: string): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'weft_schema_version'").get();
  if (table === undefined) return 0;
  const rows = db.prepare("SELECT * FROM weft_schema_version").all();
  if (rows.length === 0) return 0;
  const version = rows[0]?.version;
  if (rows.length > 1 || typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${where} has a weft_schema_version table that @weft/sqlite did not write. Give SqliteCheckpointer a file of its own.`,
      { details: { where } },
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${where} uses Weft SQLite schema version ${version}, newer than the version ${SCHEMA_VERSION} this @weft/sqlite knows. ` +
        `Upgrade @weft/sqlite to open it.`,
      { details: { where, version, supported: SCHEMA_VERSION } },
    );
  }
  return version;
}

function verifyTables(db: DatabaseSync, where: string): void {
  const columnsOf = db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid");
  for (const [table, expected] of Object.entries(COLUMNS)) {
    const found = columnsOf.all(table).map((column) => column.name);
    if (found.join() !== expected.join()) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `${where} has a ${table} table with columns (${found.join(", ")}), not the (${expected.join(", ")}) of ` +
          `Weft schema version ${SCHEMA_VERSION}. Give SqliteCheckpointer a file of its own.`,
        { details: { where, table, columns: found } },
      );
    }
  }
}
