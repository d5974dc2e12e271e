import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { busyAcrossProcesses } from "./busy/cross-process.js";
import { tempDatabase } from "./temp-file.js";

describe("runs from several processes on one SQLite thread", () => {
  const file = tempDatabase();
  afterAll(file.remove);

  busyAcrossProcesses("SqliteCheckpointer", () => ({
    saverModule: fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url)),
    saverArg: file.path,
    open: () => new SqliteCheckpointer(file.path),
  }));
});
