import { afterAll, describe } from "vitest";
// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { busyScenarios } from "../../core/test/busy/busy-scenarios.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("two runs on one Postgres thread", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  // Two checkpointers with their own pools: two drivers meeting only in the database.
  busyScenarios("PostgresCheckpointer", {
    open: async () => {
      const first = new PostgresCheckpointer(POSTGRES_URL, { schema });
      const second = new PostgresCheckpointer(POSTGRES_URL, { schema });
      return {
        first,
        second,
        close: async () => {
          await first.close();
          await second.close();
        },
      };
    },
  });
});
