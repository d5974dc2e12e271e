import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "@weft/core";
import { PostgresCheckpointer } from "@weft/postgres";
import { BullMQExecutor } from "../src/index.js";
import { builder } from "./fixtures/steps-graph.js";
import { killAll, testWorkerArgs, startWorkerProcess, type Child } from "./processes.js";
import {
  dropSchema,
  freshPrefix,
  freshSchema,
  obliterate,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "./services.js";

const online = (await redisAvailable()) && (await postgresAvailable());
const prefix = freshPrefix();
const schema = freshSchema();
const env = { WEFT_REDIS_URL: REDIS_URL, WEFT_POSTGRES_URL: POSTGRES_URL, SCHEMA: schema };
const workerArgs = testWorkerArgs(prefix);
const startWorker = (): Promise<Child> => startWorkerProcess("test/fixtures/steps-graph.ts", workerArgs, env);

type Report = { phase: "first" | "saved" | "second"; i: number; pid: number };
const reportOf = (event: RunEvent): Report | undefined => (event.type === "custom" ? (event.data as Report) : undefined);

describe.runIf(online)("ctx.step on BullMQ workers that open the thread's store", () => {
  let executor: BullMQExecutor;
  let checkpointer: PostgresCheckpointer;

  beforeAll(async () => {
    executor = new BullMQExecutor({ connection: REDIS_URL, prefix });
    checkpointer = new PostgresCheckpointer(POSTGRES_URL, { schema });
  });

  afterAll(async () => {
    await killAll();
    await executor?.close();
    await checkpointer?.close();
    await obliterate(prefix, "worker-steps");
    await dropSchema(schema);
  });

  it("a job taken over from a SIGKILLed worker does not run the steps that worker saved", async () => {
    const survivor = await startWorker();
    const victim = await startWorker();
    const graph = builder.compile({ checkpointer, executor });
    const events: RunEvent[] = [];
    const killedAfterSave = new Set<number>();
    let killed: Promise<void> | undefined;
    for await (const event of graph.stream({ count: 12, workMs: 1500, log: [] }, { threadId: `steps-${prefix}` })) {
      events.push(event as RunEvent);
      const report = reportOf(event as RunEvent);
      if (report?.phase !== "saved" || report.pid !== victim.process.pid) continue;
      killedAfterSave.add(report.i);
      killed ??= victim.kill();
    }
    await killed;
    const end = events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
    expect(end.type).toBe("run:end");
    expect(end.state.log).toEqual(Array.from({ length: 12 }, (_, i) => `a${i}b${i}`));

    const reports = events.map(reportOf).filter((report) => report !== undefined);
    expect(killedAfterSave.size).toBeGreaterThan(0);
    for (const i of killedAfterSave) {
      const mine = reports.filter((report) => report.i === i);
      // The victim took the first step and saved it; the survivor went on from there.
      expect(mine.filter((report) => report.phase === "first").map((report) => report.pid)).toEqual([victim.process.pid]);
      expect(mine.filter((report) => report.phase === "saved").map((report) => report.pid)).toEqual([
        victim.process.pid,
        survivor.process.pid,
      ]);
      expect(mine.filter((report) => report.phase === "second").map((report) => report.pid)).toEqual([survivor.process.pid]);
    }
  }, 60_000);
});
