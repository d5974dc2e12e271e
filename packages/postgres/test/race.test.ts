import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
// The race is shared with @weft/sqlite, which owns the child-process harness.
import { itRacesAcrossProcesses } from "../../sqlite/test/race/store-race.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("two processes on one Postgres database", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  itRacesAcrossProcesses("PostgresCheckpointer", () => ({
    saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
    saverArg: JSON.stringify({ url: POSTGRES_URL, schema }),
    open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
  }));
});
