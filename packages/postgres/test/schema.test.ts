import { isGraphError } from "@weft/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer, SCHEMA_VERSION } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();
const schemas: string[] = [];

/** Prepares a new schema with `sql` (where `$S` is its quoted name), then returns a checkpointer's setup error. */
async function setupError(sql: string): Promise<{ error: unknown; schema: string; tables: string[] }> {
  const schema = freshSchema();
  schemas.push(schema);
  const pool = new pg.Pool({ connectionString: POSTGRES_URL });
  try {
    await pool.query(`CREATE SCHEMA "${schema}"; ${sql.replaceAll("$S", `"${schema}"`)}`);
    const saver = new PostgresCheckpointer(pool, { schema });
    const error = await saver.setup().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await saver.close();
    const { rows } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [schema],
    );
    return { error, schema, tables: rows.map((row) => row.table_name) };
  } finally {
    await pool.end();
  }
}

describe.skipIf(!available)("the Postgres schema", () => {
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("upgrades version 1 tables: heads filled in, leases and wake-ups added, task results of committed steps dropped", async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    const saver = new PostgresCheckpointer(pool, { schema });
    try {
      await pool.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}";
        CREATE TABLE weft_schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
        INSERT INTO weft_schema_version VALUES (1, 1);
        CREATE TABLE weft_checkpoints (seq bigserial PRIMARY KEY, thread_id text NOT NULL, checkpoint_id text NOT NULL,
          parent_id text, step integer NOT NULL, data text NOT NULL, UNIQUE (thread_id, checkpoint_id));
        CREATE INDEX weft_checkpoints_thread_seq ON weft_checkpoints (thread_id, seq);
        CREATE TABLE weft_task_results (seq bigserial PRIMARY KEY, thread_id text NOT NULL, checkpoint_id text NOT NULL,
          task_id text NOT NULL, data text NOT NULL, UNIQUE (thread_id, checkpoint_id, task_id));
        INSERT INTO weft_checkpoints (thread_id, checkpoint_id, parent_id, step, data) VALUES
          ('t', 'c0', NULL, 0, 'zero'), ('t', 'c1', 'c0', 1, 'one'), ('u', 'c0', NULL, 0, 'other');
        INSERT INTO weft_task_results (thread_id, checkpoint_id, task_id, data) VALUES
          ('t', 'c0', '1:0', 'committed'), ('t', 'c1', '2:0', 'pending'), ('u', 'c0', '1:0', 'pending too');
        RESET search_path;`);
      expect((await saver.list("t")).map((row) => row.data)).toEqual(["one", "zero"]);
      expect(await saver.getTaskResults("t", "c0")).toEqual([]);
      expect((await saver.getTaskResults("t", "c1")).map((row) => row.data)).toEqual(["pending"]);
      expect((await saver.getTaskResults("u", "c0")).map((row) => row.data)).toEqual(["pending too"]);
      const stale = { threadId: "t", checkpointId: "c2", parentId: "c1", step: 2, data: "two" };
      await expect(saver.put(stale, { head: "c0" })).rejects.toThrow('its latest checkpoint is "c1"');
      await expect(saver.put({ ...stale, threadId: "u", parentId: undefined }, { head: null })).rejects.toThrow(
        'its latest checkpoint is "c0"',
      );
      await saver.put(stale, { head: "c1" });
      expect((await saver.acquireLease({ threadId: "t", owner: "a", ttlMs: 60_000 })).acquired).toBe(true);
      const step = { threadId: "t", checkpointId: "c2", taskId: "3:0", stepKey: "a#0", data: "saved" };
      expect(await saver.putStepResult(step)).toEqual(step);
      await saver.setWakeup({ threadId: "t", wakeAt: 1 });
      expect(await saver.dueWakeups()).toEqual([{ threadId: "t", wakeAt: 1 }]);
      const { rows } = await pool.query(`SELECT version FROM "${schema}".weft_schema_version`);
      expect(rows).toEqual([{ version: SCHEMA_VERSION }]);
      expect(SCHEMA_VERSION).toBe(4);
    } finally {
      await saver.close();
      await pool.end();
    }
  });

  it("is refused, untouched, when a newer @weft/postgres wrote it", async () => {
    const { error, schema, tables } = await setupError(`
      CREATE TABLE $S.weft_schema_version (id integer PRIMARY KEY, version integer NOT NULL);
      INSERT INTO $S.weft_schema_version VALUES (1, ${SCHEMA_VERSION + 4});`);
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toBe(
      `Postgres schema "${schema}" holds Weft tables of schema version ${SCHEMA_VERSION + 4}, newer than the version ` +
        `${SCHEMA_VERSION} this @weft/postgres knows. Upgrade @weft/postgres to use them.`,
    );
    expect(tables).toEqual(["weft_schema_version"]);
  });

  it("is refused, with the migration rolled back, when a foreign weft_checkpoints table is in the way", async () => {
    const { error, schema, tables } = await setupError("CREATE TABLE $S.weft_checkpoints (id text PRIMARY KEY, body bytea)");
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toContain(`Postgres schema "${schema}" could not be brought from Weft schema version 0 to 1`);
    expect(tables).toEqual(["weft_checkpoints"]);
  });

  it("is refused, with the migration rolled back, when a foreign table has Weft's name but other columns", async () => {
    const { error, schema, tables } = await setupError(
      "CREATE TABLE $S.weft_task_results (seq bigserial PRIMARY KEY, thread_id text, checkpoint_id text, payload jsonb)",
    );
    expect((error as Error).message).toContain(
      `Postgres schema "${schema}" has a weft_task_results table with columns (seq, thread_id, checkpoint_id, payload), ` +
        "not the (seq, thread_id, checkpoint_id, task_id, data)",
    );
    expect(tables).toEqual(["weft_task_results"]);
  });

  it("is refused when the version table was not written by Weft", async () => {
    const { error } = await setupError(`
      CREATE TABLE $S.weft_schema_version (id integer, version text);
      INSERT INTO $S.weft_schema_version VALUES (1, 'one'), (2, 'two');`);
    expect((error as Error).message).toContain("was not written by @weft/postgres");
  });

  it("is only read, not created again, once it is up to date", async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const first = new PostgresCheckpointer(POSTGRES_URL, { schema });
    await first.setup();
    await first.close();
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    // A role that may only read and write rows can still use tables set up by another.
    const role = schema.replace("weft_test_", "weft_test_app_");
    await pool.query(`CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA "${schema}" TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role};
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role};`);
    const appUrl = new URL(POSTGRES_URL);
    appUrl.username = role;
    const app = new PostgresCheckpointer(appUrl.toString(), { schema });
    try {
      await app.put({ threadId: "t", checkpointId: "c0", parentId: undefined, step: 0, data: "d" }, { head: null });
      expect((await app.acquireLease({ threadId: "t", owner: "a", ttlMs: 60_000 })).acquired).toBe(true);
      expect((await app.get("t"))?.data).toBe("d");
    } finally {
      await app.close();
      await pool.query(`DROP SCHEMA "${schema}" CASCADE; DROP ROLE ${role}`);
      await pool.end();
    }
  });

  it("rejects setup with the driver's error when the server is unreachable", async () => {
    const saver = new PostgresCheckpointer({ connectionString: "postgres://postgres@127.0.0.1:1/test", connectionTimeoutMillis: 2000 });
    await expect(saver.setup()).rejects.toThrow(/ECONNREFUSED|connect/);
    await saver.close();
  });
});
