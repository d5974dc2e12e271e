import pg from "pg";
import { afterAll, describe } from "vitest";
// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { tamperScenarios } from "../../core/test/tamper/tamper-scenarios.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("tampering with a Postgres store", () => {
  const schema = freshSchema();
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  afterAll(async () => {
    await admin.end();
    await dropSchema(schema);
  });

  tamperScenarios("PostgresCheckpointer", {
    create: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    dispose: (saver) => (saver as PostgresCheckpointer).close(),
    countTaskResults: async (_saver, threadId) => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".weft_task_results WHERE thread_id = $1`, [threadId]);
      return rows[0].n as number;
    },
    moveToNewest: async (_saver, threadId, checkpointId) => {
      await admin.query(
        `UPDATE "${schema}".weft_checkpoints SET seq = nextval(pg_get_serial_sequence('"${schema}".weft_checkpoints', 'seq'))
         WHERE thread_id = $1 AND checkpoint_id = $2`,
        [threadId, checkpointId],
      );
    },
  });
});
