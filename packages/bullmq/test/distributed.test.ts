import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "@weft/core";
import { PostgresCheckpointer } from "@weft/postgres";
// Telling when the server is done with a killed process's statements is @weft/postgres's test helper.
import { connectionsClosed, postgresUrlNamed } from "../../postgres/test/postgres-env.js";
import { BullMQExecutor, decode } from "../src/index.js";
import { graph } from "./fixtures/fan-out-graph.js";
import { killAll, testWorkerArgs, spawnTs, startWorkerProcess, type Child } from "./processes.js";
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
const env = { WEFT_REDIS_URL: REDIS_URL, WEFT_POSTGRES_URL: POSTGRES_URL };
const workerArgs = testWorkerArgs(prefix);
const startWorker = (): Promise<Child> => startWorkerProcess("test/fixtures/fan-out-graph.ts", workerArgs, env);

const workers: Child[] = [];
let executor: BullMQExecutor;

type State = Awaited<ReturnType<ReturnType<typeof graph.compile>["invoke"]>>;

/** Runs the graph through the executor, returning the final state and the events. */
async function streamed(input: { count: number; workMs?: number }, onEvent: (event: RunEvent) => void = () => {}) {
  const events: RunEvent[] = [];
  for await (const event of graph.compile({ executor }).stream(input)) {
    events.push(event as RunEvent);
    onEvent(event as RunEvent);
  }
  const end = events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
  expect(end.type).toBe("run:end");
  return { state: end.state as State, events };
}

const pidOf = (event: RunEvent): number | undefined => (event.type === "custom" ? (event.data as { pid: number }).pid : undefined);
const indexes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe.runIf(online)("a graph run on BullMQ worker processes", () => {
  beforeAll(async () => {
    executor = new BullMQExecutor({ connection: REDIS_URL, prefix });
    workers.push(...(await Promise.all([startWorker(), startWorker(), startWorker()])));
  });

  afterAll(async () => {
    await killAll();
    await executor?.close();
    await obliterate(prefix, "weft-fan-out");
    await dropSchema(schema);
  });

  it("gives the same final state as an in-process run for a 1000-Send fan-out, using every worker", async () => {
    const expected = await graph.compile().invoke({ count: 1000 });

    const { state, events } = await streamed({ count: 1000 });

    expect(state).toEqual(expected);
    expect(state.items.map((item) => item.i)).toEqual(indexes(1000));
    expect(state.total).toBe(332_833_500n);
    expect(new Set(events.map(pidOf).filter((pid) => pid !== undefined))).toEqual(new Set(workers.map((w) => w.process.pid)));
    expect(events.filter((event) => event.type === "custom")).toHaveLength(1000);
  });

  it("finishes a run whose worker is SIGKILLed mid-task: the others take its jobs over, and each item is committed once", async () => {
    const victim = await startWorker();
    const expected = await graph.compile().invoke({ count: 24, workMs: 0 });
    const killedMidTask: number[] = [];
    let killed: Promise<void> | undefined;

    const { state, events } = await streamed({ count: 24, workMs: 800 }, (event) => {
      if (event.type !== "custom" || pidOf(event) !== victim.process.pid) return;
      killedMidTask.push((event.data as { i: number }).i);
      killed ??= victim.kill();
    });
    await killed;

    expect(killedMidTask.length).toBeGreaterThan(0);
    expect(state).toEqual({ ...expected, workMs: 800 });
    expect(state.items.map((item) => item.i)).toEqual(indexes(24));
    // The victim's jobs ran again, to the end, on a surviving worker.
    const survivors = new Set(workers.map((w) => w.process.pid));
    for (const i of killedMidTask) {
      const starts = events.filter((event) => event.type === "custom" && (event.data as { i: number }).i === i).map(pidOf);
      expect(starts.some((pid) => survivors.has(pid!))).toBe(true);
    }
    expect(events.filter((event) => event.type === "task:end" && event.node === "work")).toHaveLength(24);
  });

  it("resumes a thread from Postgres in a new driver after the first driver is SIGKILLed mid-step, without re-running finished tasks", async () => {
    const thread = `driver-crash-${prefix}`;
    const driverEnv = { ...env, PREFIX: prefix, SCHEMA: schema, THREAD: thread, COUNT: "30", WORK_MS: "500" };
    const checkpointer = new PostgresCheckpointer(POSTGRES_URL, { schema });
    const durable = graph.compile({ checkpointer });
    // The first driver's connections carry a name, to tell when the server is done with them.
    const firstName = `weft-driver-${prefix}`;
    const first = spawnTs("test/fixtures/driver.ts", [], { ...driverEnv, WEFT_POSTGRES_URL: postgresUrlNamed(firstName, POSTGRES_URL) });
    // Kill the first driver once a few of the fan-out's results are saved, mid-step.
    let saved = 0;
    while (saved < 6) {
      if (first.process.exitCode !== null) throw new Error(`The first driver exited early:\n${first.lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      saved = (await durable.getState(thread))?.finished.length ?? 0;
    }
    await first.kill();
    // A result the driver was saving when it died may still be committing: read once it has.
    await connectionsClosed(firstName, POSTGRES_URL);

    const paused = await durable.getState(thread);
    await checkpointer.close();
    const finished = new Set(paused!.finished.map((task) => task.sendIndex));
    expect(paused!.next.filter((task) => task.node === "work")).toHaveLength(30);
    expect(finished.size).toBeGreaterThanOrEqual(6);
    expect(finished.size).toBeLessThan(30);

    const second = spawnTs("test/fixtures/driver.ts", [], { ...driverEnv, RESUME: "1" });
    const final = await second.line((line) => line.startsWith('{"final"'));
    expect(await second.exited).toBe(0);
    const reran = second.lines
      .map((line) => JSON.parse(line) as { type?: string; node?: string; sendIndex?: number })
      .filter((line) => line.type === "task:start" && line.node === "work")
      .map((line) => line.sendIndex!);

    const expected = await graph.compile().invoke({ count: 30, workMs: 0 });
    expect(decode((JSON.parse(final) as { final: unknown }).final)).toEqual({ ...expected, workMs: 500 });
    expect(reran.filter((i) => finished.has(i))).toEqual([]);
    expect(new Set([...reran, ...finished])).toEqual(new Set(indexes(30)));
    expect(second.lines.some((line) => line.includes('"plan"'))).toBe(false);
  });
});
