import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { itRecoversFromACrash, itRecoversWithRecover } from "./crash/crash-recovery.js";
import { itKeepsASleepThroughACrash, itTimesOutAcrossARestart, itWakesParallelSleepsAcrossARestart } from "./waits/waits-recovery.js";
import { tempDatabase } from "./temp-file.js";

describe("durable runs on SQLite", () => {
  const file = tempDatabase();
  afterAll(file.remove);

  const backend = () => ({
    saverModule: fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url)),
    saverArg: file.path,
    open: () => new SqliteCheckpointer(file.path),
  });
  itRecoversFromACrash("SqliteCheckpointer", backend);
  itRecoversWithRecover("SqliteCheckpointer", backend);
  itTimesOutAcrossARestart("SqliteCheckpointer", backend);
  itWakesParallelSleepsAcrossARestart("SqliteCheckpointer", backend);
  itKeepsASleepThroughACrash("SqliteCheckpointer", backend);
});
