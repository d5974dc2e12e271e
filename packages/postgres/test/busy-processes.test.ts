import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
// The scenarios are shared with @weft/sqlite, which owns the child-process harness.
import { busyAcrossProcesses } from "../../sqlite/test/busy/cross-process.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("runs from several processes on one Postgres thread", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  busyAcrossProcesses("PostgresCheckpointer", () => ({
    saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
    saverArg: JSON.stringify({ url: POSTGRES_URL, schema }),
    open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
  }));
});
