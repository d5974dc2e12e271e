import { fileURLToPath } from "node:url";
import { afterAll, describe } from "vitest";
// The crash and wait scenarios are shared with @weft/sqlite, which owns the child-process harness.
import { itRecoversFromACrash, itRecoversWithRecover } from "../../sqlite/test/crash/crash-recovery.js";
import {
  itKeepsASleepThroughACrash,
  itTimesOutAcrossARestart,
  itWakesParallelSleepsAcrossARestart,
} from "../../sqlite/test/waits/waits-recovery.js";
import { PostgresCheckpointer } from "../src/index.js";
import { connectionsClosed, dropSchema, freshSchema, POSTGRES_URL, postgresAvailable, postgresUrlNamed } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("durable runs on Postgres", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  const backend = () => ({
    saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
    // The child processes' connections carry a name, to tell when the server is done with a killed one's.
    saverArg: JSON.stringify({ url: postgresUrlNamed(`weft-child-${schema}`), schema }),
    open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    settled: () => connectionsClosed(`weft-child-${schema}`),
  });
  itRecoversFromACrash("PostgresCheckpointer", backend);
  itRecoversWithRecover("PostgresCheckpointer", backend);
  itTimesOutAcrossARestart("PostgresCheckpointer", backend);
  itWakesParallelSleepsAcrossARestart("PostgresCheckpointer", backend);
  itKeepsASleepThroughACrash("PostgresCheckpointer", backend);
});
