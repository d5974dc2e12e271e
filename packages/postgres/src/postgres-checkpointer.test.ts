import { checkpointerConformance } from "@weft/core/testing";
import { afterAll, describe } from "vitest";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "../test/postgres-env.js";
import { PostgresCheckpointer } from "./postgres-checkpointer.js";

const available = await postgresAvailable();
const schema = freshSchema();

describe.skipIf(!available)("PostgresCheckpointer on a live server", () => {
  afterAll(() => dropSchema(schema));

  checkpointerConformance("PostgresCheckpointer", {
    create: () => new PostgresCheckpointer(POSTGRES_URL, { schema }),
    dispose: (saver) => (saver as PostgresCheckpointer).close(),
  });
});
