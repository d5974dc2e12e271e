import { DatabaseSync } from "node:sqlite";
import type { Checkpointer } from "@weft/core/adapter";
// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { tamperScenarios } from "../../core/test/tamper/tamper-scenarios.js";
import { SqliteCheckpointer } from "../src/index.js";
import { tempDatabase } from "./temp-file.js";

const files = new WeakMap<Checkpointer, ReturnType<typeof tempDatabase>>();

/** Runs `sql` on the checkpointer's file through a connection of its own. */
function onFile<T>(saver: Checkpointer, use: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(files.get(saver)!.path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

tamperScenarios("SqliteCheckpointer", {
  create: () => {
    const file = tempDatabase();
    const saver = new SqliteCheckpointer(file.path);
    files.set(saver, file);
    return saver;
  },
  dispose: async (saver) => {
    await (saver as SqliteCheckpointer).close();
    files.get(saver)?.remove();
  },
  countTaskResults: async (saver, threadId) =>
    onFile(saver, (db) => Number(db.prepare("SELECT count(*) AS n FROM weft_task_results WHERE thread_id = ?").get(threadId)?.n)),
  moveToNewest: async (saver, threadId, checkpointId) =>
    onFile(saver, (db) => {
      db.prepare(
        "UPDATE weft_checkpoints SET seq = (SELECT max(seq) + 1 FROM weft_checkpoints) WHERE thread_id = ? AND checkpoint_id = ?",
      ).run(threadId, checkpointId);
    }),
});
