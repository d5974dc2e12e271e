import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
// The step crash scenario is shared with @weft/sqlite, which owns the child-process harness.
import { itKeepsStepsThroughCrashes } from "../../sqlite/test/crash/step-crash.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("ctx.step through crashes on Postgres", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  itKeepsStepsThroughCrashes(
    "PostgresCheckpointer",
    () => ({
      saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
      saverArg: JSON.stringify({ url: POSTGRES_URL, schema }),
      open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    }),
    { trials: 10, seed: 61 },
  );
});
