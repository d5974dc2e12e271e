import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { itRacesAcrossProcesses } from "./race/store-race.js";
import { tempDatabase } from "./temp-file.js";

describe("two processes on one SQLite file", () => {
  const file = tempDatabase();
  afterAll(() => file.remove());
  itRacesAcrossProcesses("SqliteCheckpointer", () => ({
    saverModule: fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url)),
    saverArg: file.path,
    open: () => new SqliteCheckpointer(file.path),
  }));
});
