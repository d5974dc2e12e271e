import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { itRecoversFromACrash } from "./crash/crash-recovery.js";
import { tempDatabase } from "./temp-file.js";

describe("durable runs on SQLite", () => {
  const file = tempDatabase();
  afterAll(file.remove);

  itRecoversFromACrash("SqliteCheckpointer", () => ({
    saverModule: fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url)),
    saverArg: file.path,
    open: () => new SqliteCheckpointer(file.path),
  }));
});
