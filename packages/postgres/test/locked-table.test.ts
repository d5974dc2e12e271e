import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
// The graph is shared with core's stalled-store tests.
import { threeSteps } from "../../core/test/stalled/three-steps.js";
import { PostgresCheckpointer } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();

describe.skipIf(!available)("a locked Postgres table", () => {
  const schema = freshSchema();
  const saver = new PostgresCheckpointer(POSTGRES_URL, { schema });
  afterAll(async () => {
    await saver.close();
    await dropSchema(schema);
  });

  const graph = threeSteps(saver);

  it("ends the run at its timeoutMs while another connection holds an ACCESS EXCLUSIVE lock; the thread then resumes", async () => {
    await graph.invoke({ log: "warm-up" }, { threadId: "warm-up" }); // creates the tables
    const locker = new pg.Client({ connectionString: POSTGRES_URL });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "${schema}".weft_checkpoints IN ACCESS EXCLUSIVE MODE`);
      // The lock is held until the run has ended: a run that waited for its store call, not for
      // its timeout, would wait here until the test's hang guard.
      const error = await graph.invoke({ log: "start" }, { threadId: "t", timeoutMs: 500 }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ code: "RUN_TIMEOUT", details: { timeoutMs: 500 } });
    } finally {
      await locker.query("COMMIT");
      await locker.end();
    }
    // The lease was released and nothing half-written remains: the thread starts or resumes cleanly.
    // The timed-out run gives its lease back once the store answers again, just after the COMMIT;
    // on a busy machine that can come after the next call, which then waits for it ("enqueue").
    // A lease never given back would hold the thread for its 30 s, past this test's timeout.
    const state = await graph.getState("t");
    const final =
      state === undefined
        ? await graph.invoke({ log: "start" }, { threadId: "t", ifBusy: "enqueue" })
        : await graph.invoke(null, { threadId: "t", ifBusy: "enqueue" });
    expect(final.log).toEqual(["start", "one", "two", "three"]);
  }, 30_000);
});
