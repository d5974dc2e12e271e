import { GraphError } from "@weft/core";
import type { Pool, PoolClient } from "pg";

/** Qualified, quoted names of the tables of one Postgres schema. */
export interface Tables {
  readonly schema: string;
  readonly version: string;
  readonly checkpoints: string;
  readonly taskResults: string;
  readonly stepResults: string;
  /** One row per thread naming its latest checkpoint: what `put` locks and moves. */
  readonly threads: string;
  readonly leases: string;
  /** One row per waiting thread: when it is due to resume by itself. */
  readonly wakeups: string;
}

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/** The tables of `schema`, with names safe to splice into SQL. */
export function tablesIn(schema: string): Tables {
  const table = (name: string) => `${quote(schema)}.${quote(name)}`;
  return {
    schema,
    version: table("weft_schema_version"),
    checkpoints: table("weft_checkpoints"),
    taskResults: table("weft_task_results"),
    stepResults: table("weft_step_results"),
    threads: table("weft_threads"),
    leases: table("weft_leases"),
    wakeups: table("weft_wakeups"),
  };
}

/**
 * Schema migrations: entry `i` takes the tables from schema version `i` to `i + 1`.
 * Append new entries; never edit a released one. Version 0 is a schema without Weft's tables.
 */
const MIGRATIONS: readonly ((tables: Tables) => string)[] = [
  (t) => `
    CREATE TABLE IF NOT EXISTS ${t.checkpoints} (
      seq bigserial PRIMARY KEY,
      thread_id text NOT NULL,
      checkpoint_id text NOT NULL,
      parent_id text,
      step integer NOT NULL,
      data text NOT NULL,
      UNIQUE (thread_id, checkpoint_id)
    );
    CREATE INDEX IF NOT EXISTS ${quote("weft_checkpoints_thread_seq")} ON ${t.checkpoints} (thread_id, seq);
    CREATE TABLE IF NOT EXISTS ${t.taskResults} (
      seq bigserial PRIMARY KEY,
      thread_id text NOT NULL,
      checkpoint_id text NOT NULL,
      task_id text NOT NULL,
      data text NOT NULL,
      UNIQUE (thread_id, checkpoint_id, task_id)
    );`,
  // Version 2: each thread's head, for put's check (filled in from the existing checkpoints);
  // thread leases; task results of steps already committed are dropped (put now deletes them).
  (t) => `
    CREATE TABLE ${t.threads} (
      thread_id text PRIMARY KEY,
      head text NOT NULL
    );
    INSERT INTO ${t.threads} (thread_id, head)
      SELECT DISTINCT ON (thread_id) thread_id, checkpoint_id FROM ${t.checkpoints} ORDER BY thread_id, seq DESC;
    CREATE TABLE ${t.leases} (
      thread_id text PRIMARY KEY,
      owner text NOT NULL,
      expires_at timestamptz NOT NULL,
      request text
    );
    CREATE INDEX ${quote("weft_leases_expires_at")} ON ${t.leases} (expires_at);
    DELETE FROM ${t.taskResults} AS r USING ${t.checkpoints} AS c
      WHERE c.thread_id = r.thread_id AND c.parent_id = r.checkpoint_id;`,
  // Version 3: the results of finished ctx.step calls of tasks not committed yet.
  (t) => `
    CREATE TABLE ${t.stepResults} (
      thread_id text NOT NULL,
      checkpoint_id text NOT NULL,
      task_id text NOT NULL,
      step_key text NOT NULL,
      data text NOT NULL,
      PRIMARY KEY (thread_id, checkpoint_id, task_id, step_key)
    );`,
  // Version 4: when each waiting thread is due to resume by itself, in epoch milliseconds.
  (t) => `
    CREATE TABLE ${t.wakeups} (
      thread_id text PRIMARY KEY,
      wake_at bigint NOT NULL
    );
    CREATE INDEX ${quote("weft_wakeups_wake_at")} ON ${t.wakeups} (wake_at);`,
];

/**
 * The schema version this copy of `@weft/postgres` writes and reads, kept in the
 * `weft_schema_version` table. Tables with a higher version are refused rather than misread.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query("SELECT version FROM weft_schema_version");
 * if (rows[0]?.version !== SCHEMA_VERSION) console.log("setup() will migrate these tables");
 * ```
 * @see ../../../docs/guides/durable-storage.md
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The columns each table must have at {@link SCHEMA_VERSION}; anything else is a foreign table. */
const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  weft_checkpoints: ["seq", "thread_id", "checkpoint_id", "parent_id", "step", "data"],
  weft_task_results: ["seq", "thread_id", "checkpoint_id", "task_id", "data"],
  weft_threads: ["thread_id", "head"],
  weft_leases: ["thread_id", "owner", "expires_at", "request"],
  weft_step_results: ["thread_id", "checkpoint_id", "task_id", "step_key", "data"],
  weft_wakeups: ["thread_id", "wake_at"],
};

/**
 * Creates or migrates the tables to {@link SCHEMA_VERSION}. Up-to-date tables are only read
 * (so a role without CREATE rights can use them); otherwise one transaction holding an advisory
 * lock per schema does the work, so concurrent processes set up the same schema one at a time.
 */
export async function setUpSchema(pool: Pool, tables: Tables): Promise<void> {
  if ((await readVersion(pool, tables)) !== SCHEMA_VERSION) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`weft.schema:${tables.schema}`]);
      await migrate(client, tables);
      await verifyColumns(client, tables); // inside the transaction: foreign tables roll the migration back
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } else {
    await verifyColumns(pool, tables);
  }
}

async function migrate(client: PoolClient, tables: Tables): Promise<void> {
  const exists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [tables.schema]);
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quote(tables.schema)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${tables.version} (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)`);
  const from = await readVersion(client, tables); // another process may have migrated while we waited
  for (let version = from; version < SCHEMA_VERSION; version++) {
    try {
      await client.query(MIGRATIONS[version]!(tables));
    } catch (error) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `Postgres schema "${tables.schema}" could not be brought from Weft schema version ${version} to ${version + 1} ` +
          `(${(error as Error).message}). Does another program use tables named weft_*? Give PostgresCheckpointer a schema of its own ({ schema }).`,
        { cause: error, details: { schema: tables.schema, version } },
      );
    }
  }
  if (from < SCHEMA_VERSION) {
    await client.query(
      `INSERT INTO ${tables.version} (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`,
      [SCHEMA_VERSION],
    );
  }
}

/** The stored schema version: 0 without a version table or row. */
async function readVersion(db: Pool | PoolClient, tables: Tables): Promise<number> {
  const found = await db.query("SELECT to_regclass($1) IS NOT NULL AS present", [tables.version]);
  if (found.rows[0]?.present !== true) return 0;
  const { rows } = await db.query(`SELECT * FROM ${tables.version}`);
  if (rows.length === 0) return 0;
  const version: unknown = rows[0]?.version;
  if (rows.length > 1 || typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `${tables.version} was not written by @weft/postgres. Give PostgresCheckpointer a schema of its own ({ schema }).`,
      { details: { schema: tables.schema } },
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new GraphError(
      "INVALID_CHECKPOINT",
      `Postgres schema "${tables.schema}" holds Weft tables of schema version ${version}, newer than the version ` +
        `${SCHEMA_VERSION} this @weft/postgres knows. Upgrade @weft/postgres to use them.`,
      { details: { schema: tables.schema, version, supported: SCHEMA_VERSION } },
    );
  }
  return version;
}

async function verifyColumns(db: Pool | PoolClient, tables: Tables): Promise<void> {
  for (const [table, expected] of Object.entries(COLUMNS)) {
    const { rows } = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      [tables.schema, table],
    );
    const found = rows.map((row) => row.column_name);
    if (found.join() !== expected.join()) {
      throw new GraphError(
        "INVALID_CHECKPOINT",
        `Postgres schema "${tables.schema}" has a ${table} table with columns (${found.join(", ")}), not the ` +
          `(${expected.join(", ")}) of Weft schema version ${SCHEMA_VERSION}. Give PostgresCheckpointer a schema of its own ({ schema }).`,
        { details: { schema: tables.schema, table, columns: found } },
      );
    }
  }
}
