import { DatabaseSync } from "node:sqlite";
import { isGraphError } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { checkpointerConformance } from "@weft/core/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import { tempDatabase } from "../test/temp-file.js";
import { SqliteCheckpointer } from "./sqlite-checkpointer.js";

const removers = new WeakMap<Checkpointer, () => void>();

checkpointerConformance("SqliteCheckpointer", {
  create: () => {
    const file = tempDatabase();
    const saver = new SqliteCheckpointer(file.path);
    removers.set(saver, file.remove);
    return saver;
  },
  dispose: async (saver) => {
    await (saver as SqliteCheckpointer).close();
    removers.get(saver)?.();
  },
});

checkpointerConformance("SqliteCheckpointer(:memory:)", {
  create: () => new SqliteCheckpointer(":memory:"),
  dispose: (saver) => (saver as SqliteCheckpointer).close(),
});

const checkpoint = (checkpointId: string, step: number) => ({
  threadId: "t",
  checkpointId,
  parentId: undefined,
  step,
  data: `data ${step}`,
});

describe("SqliteCheckpointer", () => {
  it("keeps its data when the file is closed and opened again", async () => {
    const file = tempDatabase();
    try {
      const first = new SqliteCheckpointer(file.path);
      await first.put(checkpoint("c0", 0), { head: null });
      await first.putTaskResult({ threadId: "t", checkpointId: "c0", taskId: "1:0", data: "r" });
      await first.close();

      const second = new SqliteCheckpointer(file.path);
      expect(await second.get("t")).toEqual(checkpoint("c0", 0));
      expect(await second.getTaskResults("t", "c0")).toEqual([{ threadId: "t", checkpointId: "c0", taskId: "1:0", data: "r" }]);
      await second.close();
    } finally {
      file.remove();
    }
  });

  it("shares one file between two checkpointers, each seeing the other's rows at once", async () => {
    const file = tempDatabase();
    const a = new SqliteCheckpointer(file.path);
    const b = new SqliteCheckpointer(file.path);
    try {
      await a.put(checkpoint("c0", 0), { head: null });
      await b.put({ ...checkpoint("c1", 1), parentId: "c0" }, { head: "c0" });
      await b.putTaskResult({ threadId: "t", checkpointId: "c1", taskId: "2:0", data: "from b" });
      await a.putTaskResult({ threadId: "t", checkpointId: "c1", taskId: "2:1", data: "from a" });
      expect((await a.list("t")).map((row) => row.checkpointId)).toEqual(["c1", "c0"]);
      expect((await b.getTaskResults("t", "c1")).map((row) => row.data)).toEqual(["from b", "from a"]);
      await expect(a.put(checkpoint("c1", 1), { head: "c1" })).rejects.toThrow('Checkpoint "c1" already exists in thread "t"');
    } finally {
      await a.close();
      await b.close();
      file.remove();
    }
  });

  it("waits for another connection's write to end before switching a new file to WAL", async () => {
    // SQLite refuses the WAL switch at once, without its busy timeout, while another connection
    // holds a write lock: what a process creating the schema does when several open one file.
    const file = tempDatabase();
    const writer = new DatabaseSync(file.path);
    const saver = new SqliteCheckpointer(file.path);
    try {
      writer.exec("BEGIN IMMEDIATE; CREATE TABLE other (x)");
      const commit = setTimeout(() => writer.exec("COMMIT"), 50);
      onTestFinished(() => clearTimeout(commit));
      await saver.put(checkpoint("c0", 0), { head: null });
      expect(await saver.get("t")).toEqual(checkpoint("c0", 0));
      const reader = new DatabaseSync(file.path);
      expect(reader.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      reader.close();
    } finally {
      await saver.close();
      writer.close();
      file.remove();
    }
  });

  it("gives up on a file locked longer than busyTimeoutMs, and tries again on the next call", async () => {
    const file = tempDatabase();
    const writer = new DatabaseSync(file.path);
    const saver = new SqliteCheckpointer(file.path, { busyTimeoutMs: 30 });
    try {
      writer.exec("BEGIN IMMEDIATE; CREATE TABLE other (x)");
      await expect(saver.put(checkpoint("c0", 0), { head: null })).rejects.toThrow("database is locked");
      writer.exec("COMMIT");
      await saver.put(checkpoint("c0", 0), { head: null });
      expect(await saver.list("t")).toEqual([checkpoint("c0", 0)]);
    } finally {
      await saver.close();
      writer.close();
      file.remove();
    }
  });

  it("uses a DatabaseSync it is given, in WAL mode, and leaves it open on close", async () => {
    const file = tempDatabase();
    const db = new DatabaseSync(file.path);
    try {
      const saver = new SqliteCheckpointer(db);
      await saver.put(checkpoint("c0", 0), { head: null });
      await saver.close();
      expect(db.isOpen).toBe(true);
      expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(db.prepare("SELECT checkpoint_id, data FROM weft_checkpoints").all()).toEqual([{ checkpoint_id: "c0", data: "data 0" }]);
    } finally {
      db.close();
      file.remove();
    }
  });

  it("rejects a duplicate checkpoint with a GraphError and any call after close", async () => {
    const saver = new SqliteCheckpointer(":memory:");
    await saver.put(checkpoint("c0", 0), { head: null });
    const duplicate = await saver.put(checkpoint("c0", 0), { head: "c0" }).catch((error: unknown) => error);
    expect(isGraphError(duplicate) && duplicate.code).toBe("INVALID_OPTION");
    await saver.close();
    await saver.close();
    await expect(saver.get("t")).rejects.toThrow("is closed");
  });

  it("refuses a negative or fractional list limit", async () => {
    const saver = new SqliteCheckpointer(":memory:");
    await expect(saver.list("t", { limit: -1 })).rejects.toThrow("limit must be a whole number");
    await expect(saver.list("t", { limit: 1.5 })).rejects.toThrow("limit must be a whole number");
    expect(await saver.list("t", { limit: 0 })).toEqual([]);
    await saver.close();
  });
});
