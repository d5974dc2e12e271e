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
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("durable runs on Postgres", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  const backend = () => ({
    saverModule: fileURLToPath(new URL("./fixtures/postgres-saver.ts", import.meta.url)),
    saverArg: JSON.stringify({ url: POSTGRES_URL, schema }),
    open: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
  });
  itRecoversFromACrash("PostgresCheckpointer", backend);
  itRecoversWithRecover("PostgresCheckpointer", backend);
  itTimesOutAcrossARestart("PostgresCheckpointer", backend);
  itWakesParallelSleepsAcrossARestart("PostgresCheckpointer", backend);
  itKeepsASleepThroughACrash("PostgresCheckpointer", backend);
});
