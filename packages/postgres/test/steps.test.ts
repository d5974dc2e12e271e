import { afterAll, describe } from "vitest";
// The scenarios are shared by every checkpointer; they live beside core's memory tests.
import { stepScenarios } from "../../core/test/steps/step-scenarios.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("ctx.step on a Postgres store", () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  stepScenarios("PostgresCheckpointer", {
    create: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    // A second pool on the same schema, as a restarted process opens it.
    reopen: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    dispose: (saver) => (saver as PostgresCheckpointer).close(),
  });
});
