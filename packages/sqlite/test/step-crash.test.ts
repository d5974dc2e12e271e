import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
import { SqliteCheckpointer } from "../src/index.js";
import { itKeepsStepsThroughCrashes } from "./crash/step-crash.js";
import { tempDatabase } from "./temp-file.js";

describe("ctx.step through crashes on SQLite", () => {
  const file = tempDatabase();
  afterAll(file.remove);

  itKeepsStepsThroughCrashes(
    "SqliteCheckpointer",
    () => ({
      saverModule: fileURLToPath(new URL("./fixtures/sqlite-saver.ts", import.meta.url)),
      saverArg: file.path,
      open: () => new SqliteCheckpointer(file.path),
    }),
    { trials: 10, seed: 16 },
  );
});
