import type { Checkpointer } from "@weft/core/adapter";
// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { stepScenarios } from "../../core/test/steps/step-scenarios.js";
import { SqliteCheckpointer } from "../src/index.js";
import { tempDatabase } from "./temp-file.js";

const files = new WeakMap<Checkpointer, ReturnType<typeof tempDatabase>>();

stepScenarios("SqliteCheckpointer", {
  create: () => {
    const file = tempDatabase();
    const saver = new SqliteCheckpointer(file.path);
    files.set(saver, file);
    return saver;
  },
  // A second connection to the same file, as a restarted process opens it.
  reopen: (saver) => new SqliteCheckpointer(files.get(saver)!.path),
  dispose: async (saver) => {
    await (saver as SqliteCheckpointer).close();
    files.get(saver)?.remove();
  },
});
