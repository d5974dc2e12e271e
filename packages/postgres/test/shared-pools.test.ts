import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer, SCHEMA_VERSION } from "../src/index.js";
import { dropSchema, freshSchema, POSTGRES_URL, postgresAvailable } from "./postgres-env.js";

const available = await postgresAvailable();
const schemas: string[] = [];
const newSchema = (): string => {
  const schema = freshSchema();
  schemas.push(schema);
  return schema;
};

const checkpoint = (checkpointId: string, parentId: string | undefined, step: number) => ({
  threadId: "t",
  checkpointId,
  parentId,
  step,
  data: `step ${step}`,
});

describe.skipIf(!available)("PostgresCheckpointer shared by several pools", () => {
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("lets two checkpointers on separate pools see each other's rows", async () => {
    const schema = newSchema();
    const a = new PostgresCheckpointer(POSTGRES_URL, { schema });
    const b = new PostgresCheckpointer({ connectionString: POSTGRES_URL, max: 2 }, { schema });
    try {
      await a.put(checkpoint("c0", undefined, 0), { head: null });
      await b.put(checkpoint("c1", "c0", 1), { head: "c0" });
      await a.putTaskResult({ threadId: "t", checkpointId: "c1", taskId: "2:1", data: "from a" });
      await b.putTaskResult({ threadId: "t", checkpointId: "c1", taskId: "2:0", data: "from b" });
      await b.putTaskResult({ threadId: "t", checkpointId: "c1", taskId: "2:1", data: "from a, replaced by b" });
      expect(await b.get("t", "c0")).toEqual(checkpoint("c0", undefined, 0));
      expect((await a.list("t")).map((row) => row.checkpointId)).toEqual(["c1", "c0"]);
      expect((await a.getTaskResults("t", "c1")).map((row) => `${row.taskId}=${row.data}`)).toEqual([
        "2:1=from a, replaced by b",
        "2:0=from b",
      ]);
      await expect(b.put(checkpoint("c0", "c1", 0), { head: "c1" })).rejects.toThrow('Checkpoint "c0" already exists in thread "t"');
      expect((await a.list("t")).map((row) => row.checkpointId)).toEqual(["c1", "c0"]);
      await b.put(checkpoint("c2", "c1", 2), { head: "c1" });
      await b.deleteThread("t");
      expect(await a.get("t")).toBeUndefined();
      expect(await a.getTaskResults("t", "c1")).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("sets up one new schema once when many processes' checkpointers start together", async () => {
    const schema = newSchema();
    const savers = Array.from({ length: 6 }, () => new PostgresCheckpointer(POSTGRES_URL, { schema }));
    try {
      await Promise.all(savers.map((saver, i) => saver.put({ ...checkpoint(`c${i}`, undefined, i), threadId: `t${i}` }, { head: null })));
      for (let i = 0; i < 6; i++) expect(await savers[0]!.list(`t${i}`)).toHaveLength(1);
      const pool = new pg.Pool({ connectionString: POSTGRES_URL });
      const { rows } = await pool.query(`SELECT id, version FROM "${schema}".weft_schema_version`);
      await pool.end();
      expect(rows).toEqual([{ id: 1, version: SCHEMA_VERSION }]);
    } finally {
      await Promise.all(savers.map((saver) => saver.close()));
    }
  });

  it("lets exactly one of ten checkpointers on separate pools write on one head, round after round", async () => {
    const schema = newSchema();
    const savers = Array.from({ length: 10 }, () => new PostgresCheckpointer({ connectionString: POSTGRES_URL, max: 1 }, { schema }));
    try {
      let head: string | null = null;
      for (let round = 0; round < 30; round++) {
        const settled = await Promise.allSettled(
          savers.map((saver, i) => saver.put({ ...checkpoint(`r${round}-${i}`, head ?? undefined, round), threadId: "race" }, { head })),
        );
        const won = settled.flatMap((result, i) => (result.status === "fulfilled" ? [`r${round}-${i}`] : []));
        expect(won, `round ${round}`).toHaveLength(1);
        for (const result of settled)
          if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "CHECKPOINT_CONFLICT" });
        head = won[0]!;
      }
      const history = (await savers[0]!.list("race")).reverse();
      expect(history).toHaveLength(30);
      history.forEach((row, i) => expect(row.parentId).toBe(i === 0 ? undefined : history[i - 1]!.checkpointId));
    } finally {
      await Promise.all(savers.map((saver) => saver.close()));
    }
    // A hang guard: thirty rounds of ten connections racing take seconds on a busy machine.
  }, 30_000);

  it("gives a lease to exactly one of ten checkpointers on separate pools, round after round", async () => {
    const schema = newSchema();
    const savers = Array.from({ length: 10 }, () => new PostgresCheckpointer({ connectionString: POSTGRES_URL, max: 1 }, { schema }));
    try {
      for (let round = 0; round < 30; round++) {
        const results = await Promise.all(
          savers.map((saver, i) => saver.acquireLease({ threadId: `lease-${round}`, owner: `o${i}`, ttlMs: 600_000 })),
        );
        expect(
          results.filter((result) => result.acquired),
          `round ${round}`,
        ).toHaveLength(1);
        const winner = results.find((result) => result.acquired)!.lease.owner;
        expect(results.every((result) => result.lease.owner === winner)).toBe(true);
      }
    } finally {
      await Promise.all(savers.map((saver) => saver.close()));
    }
    // A hang guard: thirty rounds of ten connections racing take seconds on a busy machine.
  }, 30_000);

  it("uses a Pool it is given and leaves it open on close", async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    const saver = new PostgresCheckpointer(pool, { schema: newSchema() });
    try {
      await saver.put(checkpoint("c0", undefined, 0), { head: null });
      await saver.close();
      await saver.close();
      await expect(saver.get("t")).rejects.toThrow("is closed");
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
