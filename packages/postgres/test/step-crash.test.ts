import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
// The step crash scenario is shared with @weft/sqlite, which owns the child-process harness.
import { itKeepsStepsThroughCrashes } from "../../sqlite/test/crash/step-crash.js";
import { PostgresCheckpointer } from "../src/index.js";
import { connectionsClosed, dropSchema, freshSchema, POSTGRES_URL, postgresAvailable, postgresUrlNamed } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("ctx.step through crashes on Postgres", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  itKeepsStepsThroughCrashes(
    "PostgresCheckpointer",
    () => ({
      saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
      // The child processes' connections carry a name, to tell when the server is done with a killed one's.
      saverArg: JSON.stringify({ url: postgresUrlNamed(`weft-child-${schema}`), schema }),
      open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
      settled: () => connectionsClosed(`weft-child-${schema}`),
    }),
    // Five trials, each killed twice (both ways of resuming, kills early and late in the run):
    // the scenario's checks are the same as on SQLite, which runs ten; here the store is what
    // is tested, and each trial costs the database server as much CPU as the test itself.
    { trials: 5, seed: 61 },
  );
});
