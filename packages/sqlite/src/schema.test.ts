import { writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { isGraphError } from "@weft/core";
import { afterEach, describe, expect, it } from "vitest";
import { tempDatabase } from "../test/temp-file.js";
import { SCHEMA_VERSION } from "./schema.js";
import { SqliteCheckpointer } from "./sqlite-checkpointer.js";

/** The tables of schema version 1, as @weft/sqlite created them. */
const VERSION_1 = `
  CREATE TABLE weft_checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
    parent_id TEXT, step INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (thread_id, checkpoint_id));
  CREATE INDEX weft_checkpoints_thread_seq ON weft_checkpoints (thread_id, seq);
  CREATE TABLE weft_task_results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (thread_id, checkpoint_id, task_id));`;

let file = tempDatabase();
afterEach(() => {
  file.remove();
  file = tempDatabase();
});

/** Prepares the file with `sql`, then returns the error of a checkpointer's first use of it. */
async function firstUseError(sql: string): Promise<unknown> {
  const db = new DatabaseSync(file.path);
  db.exec(sql);
  db.close();
  const saver = new SqliteCheckpointer(file.path);
  try {
    return await saver.get("t").then(
      () => undefined,
      (error: unknown) => error,
    );
  } finally {
    await saver.close();
  }
}

const tablesOf = (path: string): unknown[] => {
  const db = new DatabaseSync(path);
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((row) => row.name);
  } finally {
    db.close();
  }
};

describe("the SQLite schema", () => {
  it("is created on first use, with its version recorded, beside another program's tables", async () => {
    const db = new DatabaseSync(file.path);
    db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (7)");
    db.close();
    const saver = new SqliteCheckpointer(file.path);
    expect(tablesOf(file.path)).toEqual(["invoices"]);
    await saver.list("t");
    await saver.close();
    expect(tablesOf(file.path)).toEqual([
      "invoices",
      "weft_checkpoints",
      "weft_leases",
      "weft_schema_version",
      "weft_step_results",
      "weft_task_results",
      "weft_wakeups",
    ]);
    const check = new DatabaseSync(file.path);
    expect(check.prepare("SELECT id, version FROM weft_schema_version").all()).toEqual([{ id: 1, version: SCHEMA_VERSION }]);
    expect(check.prepare("SELECT id FROM invoices").all()).toEqual([{ id: 7 }]);
    check.close();
  });

  it("upgrades a version 1 file: leases, step results and wake-ups added, task results of committed steps dropped, rows kept", async () => {
    const db = new DatabaseSync(file.path);
    db.exec(`
      CREATE TABLE weft_schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO weft_schema_version VALUES (1, 1);
      ${VERSION_1}
      INSERT INTO weft_checkpoints (thread_id, checkpoint_id, parent_id, step, data) VALUES
        ('t', 'c0', NULL, 0, 'zero'), ('t', 'c1', 'c0', 1, 'one'), ('u', 'c0', NULL, 0, 'other');
      INSERT INTO weft_task_results (thread_id, checkpoint_id, task_id, data) VALUES
        ('t', 'c0', '1:0', 'committed'), ('t', 'c1', '2:0', 'pending'), ('u', 'c0', '1:0', 'pending too');`);
    db.close();
    const saver = new SqliteCheckpointer(file.path);
    try {
      expect((await saver.list("t")).map((row) => row.data)).toEqual(["one", "zero"]);
      expect(await saver.getTaskResults("t", "c0")).toEqual([]);
      expect((await saver.getTaskResults("t", "c1")).map((row) => row.data)).toEqual(["pending"]);
      expect((await saver.getTaskResults("u", "c0")).map((row) => row.data)).toEqual(["pending too"]);
      await expect(saver.put({ threadId: "t", checkpointId: "c2", parentId: "c1", step: 2, data: "two" }, { head: "c0" })).rejects.toThrow(
        'its latest checkpoint is "c1"',
      );
      await saver.put({ threadId: "t", checkpointId: "c2", parentId: "c1", step: 2, data: "two" }, { head: "c1" });
      expect((await saver.acquireLease({ threadId: "t", owner: "a", ttlMs: 60_000 })).acquired).toBe(true);
      const step = { threadId: "t", checkpointId: "c2", taskId: "3:0", stepKey: "a#0", data: "saved" };
      expect(await saver.putStepResult(step)).toEqual(step);
      await saver.setWakeup({ threadId: "t", wakeAt: 1 });
      expect(await saver.dueWakeups()).toEqual([{ threadId: "t", wakeAt: 1 }]);
    } finally {
      await saver.close();
    }
    const check = new DatabaseSync(file.path);
    expect(check.prepare("SELECT version FROM weft_schema_version").get()).toEqual({ version: SCHEMA_VERSION });
    check.close();
    expect(SCHEMA_VERSION).toBe(4);
  });

  it("is refused, untouched, when a newer @weft/sqlite wrote the file", async () => {
    const error = await firstUseError(`
      CREATE TABLE weft_schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
      INSERT INTO weft_schema_version VALUES (1, ${SCHEMA_VERSION + 98});`);
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toBe(
      `SQLite database "${file.path}" uses Weft SQLite schema version ${SCHEMA_VERSION + 98}, newer than the version ` +
        `${SCHEMA_VERSION} this @weft/sqlite knows. Upgrade @weft/sqlite to open it.`,
    );
    expect(tablesOf(file.path)).toEqual(["weft_schema_version"]);
  });

  it("is refused when the version table was not written by Weft", async () => {
    const error = await firstUseError(`
      CREATE TABLE weft_schema_version (id INTEGER, version TEXT);
      INSERT INTO weft_schema_version VALUES (1, 'two'), (2, 'three');`);
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toContain("has a weft_schema_version table that @weft/sqlite did not write");
  });

  it("is refused, and nothing is left half-created, when a foreign weft_checkpoints table is in the way", async () => {
    const error = await firstUseError("CREATE TABLE weft_checkpoints (id TEXT PRIMARY KEY, body BLOB)");
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toContain("could not be brought from Weft schema version 0 to 1");
    expect((error as Error).message).toContain("table weft_checkpoints already exists");
    expect(tablesOf(file.path)).toEqual(["weft_checkpoints"]);
  });

  it("is refused when a table with a current version stamp has other columns", async () => {
    const error = await firstUseError(`
      CREATE TABLE weft_schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
      INSERT INTO weft_schema_version VALUES (1, ${SCHEMA_VERSION});
      CREATE TABLE weft_checkpoints (seq INTEGER PRIMARY KEY, thread_id TEXT, data BLOB);
      CREATE TABLE weft_task_results (seq INTEGER PRIMARY KEY, thread_id TEXT, checkpoint_id TEXT, task_id TEXT, data TEXT);`);
    expect((error as Error).message).toContain("has a weft_checkpoints table with columns (seq, thread_id, data)");
  });

  it("is refused when the file is not a SQLite database at all", async () => {
    writeFileSync(file.path, "name,amount\nalice,3\n".repeat(100));
    const saver = new SqliteCheckpointer(file.path);
    const error = await saver.get("t").catch((caught: unknown) => caught);
    await saver.close();
    expect(isGraphError(error) && error.code).toBe("INVALID_CHECKPOINT");
    expect((error as Error).message).toBe(
      `SQLite database "${file.path}" is not a SQLite database: give SqliteCheckpointer a new or Weft-made file.`,
    );
  });
});
