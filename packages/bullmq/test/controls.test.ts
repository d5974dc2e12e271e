import { afterAll, afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  appendList,
  Command,
  END,
  isGraphError,
  MemoryCheckpointer,
  Send,
  START,
  StateGraph,
  type GraphError,
  type RunEvent,
} from "@weft/core";
import type { GraphSource } from "@weft/core/load";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { decodeReturn, encodeRequest } from "../src/codec/wire.js";
import { bullConnection, cancelChannel, redisOptions } from "../src/connection.js";
import { BullMQExecutor, startWorker, type StartWorkerOptions, type WeftWorker } from "../src/index.js";
import { freshPrefix, obliterate, REDIS_URL, redisAvailable, removeJob, waitingJobIds, waitingJobs } from "./services.js";

const online = await redisAvailable();
const prefix = freshPrefix();
const queues = new Set<string>();
const running: WeftWorker[] = [];
const executor = new BullMQExecutor({ connection: REDIS_URL, prefix });

/**
 * Starts an in-process worker for `graph` (tests can then see into its nodes). `locks` sets its
 * job locks and stalled checks (default BullMQ's: 30 s each).
 */
async function serve(
  graph: GraphSource,
  concurrency = 4,
  locks: Pick<StartWorkerOptions, "lockDurationMs" | "stalledIntervalMs"> = {},
): Promise<WeftWorker> {
  // drainDelay 1 s: an idle worker notices a job handed back to the queue within a second.
  const worker = await startWorker({ graph, connection: REDIS_URL, prefix, concurrency, ...locks, bullmq: { drainDelay: 1 } });
  queues.add(worker.queue);
  running.push(worker);
  return worker;
}

async function collect(events: AsyncIterable<RunEvent<any, any>>): Promise<{ events: RunEvent[]; error: unknown }> {
  const seen: RunEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: undefined };
  } catch (error) {
    return { events: seen, error };
  }
}

const State = z.object({ topic: z.string(), sections: appendList(z.string()), approved: z.boolean().optional() });

/** The core's executor-seam scenario: Sends from a Command, a flaky retried node, events, an interrupt. */
function report(flaky = { failures: 0 }, log: string[] = []) {
  return new StateGraph(State, { name: `report-${prefix}` })
    .addNode("plan", (s) => new Command({ goto: ["a", "b", "c"].map((t) => new Send("write", { title: `${s.topic} ${t}` })) }), {
      ends: ["write"],
    })
    .addNode(
      "write",
      async ({ title }, ctx) => {
        log.push(`${title}@${ctx.attempt}`);
        ctx.emit({ writing: title });
        if (title.endsWith("b") && flaky.failures++ === 0) throw new TypeError("flaky");
        return { sections: title.toUpperCase() };
      },
      { input: z.object({ title: z.string() }), retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
    )
    .addNode("approve", (_, ctx) => ({ approved: ctx.interrupt<boolean>("ship it?") }))
    .addEdge(START, "plan")
    .addEdge("write", "approve")
    .addEdge("approve", END);
}

describe.runIf(online)("BullMQExecutor with in-process workers", () => {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((worker) => worker.close(true)));
  });

  afterAll(async () => {
    await executor.close();
    await Promise.all([...queues].map((queue) => obliterate(prefix, queue)));
  });

  it("keeps retries, custom events, interrupts and resume as in an in-process run", async () => {
    const local = report().compile({ checkpointer: new MemoryCheckpointer() });
    await local.invoke({ topic: "ai" }, { threadId: "t" });
    const expected = await local.invoke(new Command({ resume: true }), { threadId: "t" });

    const log: string[] = [];
    await serve(report({ failures: 0 }, log));
    const remote = report().compile({ checkpointer: new MemoryCheckpointer(), executor });
    const { events, error } = await collect(remote.stream({ topic: "ai" }, { threadId: "t" }));
    expect(error).toBeUndefined();
    const paused = await remote.getState("t");
    const final = await remote.invoke(new Command({ resume: true }), { threadId: "t" });

    expect(final).toEqual(expected);
    expect(paused?.interrupts.map((i) => i.value)).toEqual(["ship it?"]);
    expect(log.sort()).toEqual(["ai a@1", "ai b@1", "ai b@2", "ai c@1"]);
    const retry = events.find((event) => event.type === "task:retry");
    expect(retry).toMatchObject({ node: "write", sendIndex: 1, attempt: 1 });
    expect((retry as { error: Error }).error).toBeInstanceOf(Error);
    expect((retry as { error: Error }).error).toMatchObject({ name: "TypeError", message: "flaky" });
    const custom = events.filter((event) => event.type === "custom").map((event) => [event.sendIndex, event.data]);
    expect(custom).toEqual(
      expect.arrayContaining([
        [0, { writing: "ai a" }],
        [1, { writing: "ai b" }],
        [2, { writing: "ai c" }],
      ]),
    );
    expect(custom).toHaveLength(4);
    // A task's custom events come before its end, as in process.
    for (const index of [0, 1, 2]) {
      const at = (type: string) => events.findIndex((e) => e.type === type && "sendIndex" in e && e.sendIndex === index);
      expect(at("custom")).toBeLessThan(at("task:end"));
    }
  });

  it("counts usage reported on workers against the run's and each Send's budget; a worker over its own fails alone", async () => {
    const Fan = z.object({ done: appendList(z.number()) });
    const build = () =>
      new StateGraph(Fan, { name: `budget-${prefix}` })
        .addNode("plan", () => ({}))
        .addNode(
          "work",
          ({ i, tokens }: { i: number; tokens: number }, ctx) => {
            // Two calls: the worker whose first call spent its Send's budget is refused the second, on the worker.
            ctx.reserveUsage().settle({ tokens });
            ctx.reserveUsage().settle({ tokens });
            return { done: i };
          },
          { input: z.object({ i: z.number(), tokens: z.number() }), onError: "continue" },
        )
        .addEdge(START, "plan")
        .addConditionalEdges("plan", () => [10, 400, 20].map((tokens, i) => new Send("work", { i, tokens }, { budget: { tokens: 100 } })))
        .addEdge("work", END);
    await serve(build());

    const { events, error } = await collect(
      build()
        .compile({ executor })
        .stream({}, { budget: { tokens: 10_000 } }),
    );

    expect(error).toBeUndefined();
    const end = events.at(-1) as Extract<RunEvent, { type: "run:end" }>;
    expect(end.state).toEqual({ done: [0, 2] });
    expect(end.failures).toHaveLength(1);
    expect(end.failures[0]).toMatchObject({ node: "work", sendIndex: 1 });
    const refused = end.failures[0]!.error as GraphError<"BUDGET_EXCEEDED">;
    expect(refused.code).toBe("BUDGET_EXCEEDED");
    expect(refused.details).toMatchObject({ budget: "send", scopeId: "2:1", max: 100, spent: 400 });
    // Counted on the driver: 2 × 10 + 400 + 2 × 20.
    expect(end.budget?.spent.tokens).toBe(460);
    const usages = events.flatMap((event) => (event.type === "task:usage" ? [[event.sendIndex, event.usage.tokens]] : []));
    expect(usages).toHaveLength(5);
    expect(usages).toEqual(expect.arrayContaining([[1, 400]]));
  });

  it("aborts the remote ctx.signal when an attempt times out, and retries it as a new job", async () => {
    const seen: { attempt: number; aborted: unknown }[] = [];
    const build = () =>
      new StateGraph(z.object({ done: z.number().optional() }), { name: `timeout-${prefix}` })
        .addNode(
          "slow",
          async (_, ctx) => {
            if (ctx.attempt === 1) {
              const reason = await new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(ctx.signal.reason)));
              seen.push({ attempt: 1, aborted: reason });
              throw ctx.signal.reason;
            }
            seen.push({ attempt: ctx.attempt, aborted: false });
            return { done: ctx.attempt };
          },
          { timeoutMs: 300, retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
        )
        .addEdge(START, "slow")
        .addEdge("slow", END);
    await serve(build());

    const { events, error } = await collect(build().compile({ executor }).stream({}));

    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "run:end", state: { done: 2 } });
    expect(events.find((event) => event.type === "task:retry")).toMatchObject({ timedOut: true, attempt: 1 });
    await until(() => seen.length === 2);
    expect(seen[0]!.attempt).toBe(1);
    expect(seen[0]!.aborted).toMatchObject({ name: "GraphError", code: "ABORTED" });
    expect(String((seen[0]!.aborted as Error).message)).toContain("timed out after 300 ms");
  });

  it("keeps a node's concurrency cap: no more of its jobs in flight than allowed, however many workers wait", async () => {
    let running = 0;
    let most = 0;
    const build = () =>
      new StateGraph(z.object({ n: z.number(), out: appendList(z.number()) }), { name: `cap-${prefix}` })
        .addNode("fan", (s) => new Command({ goto: Array.from({ length: s.n }, (_, i) => new Send("call", i)) }), { ends: ["call"] })
        .addNode(
          "call",
          async (i) => {
            most = Math.max(most, ++running);
            await new Promise((resolve) => setTimeout(resolve, 20));
            running--;
            return { out: i };
          },
          { input: z.number(), concurrency: 2 },
        )
        .addEdge(START, "fan")
        .addEdge("call", END);
    await serve(build(), 8);

    const { events, error } = await collect(build().compile({ executor }).stream({ n: 10 }));

    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "run:end", state: { out: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } });
    expect(most).toBe(2);
    expect(events.filter((event) => event.type === "task:queued")).toHaveLength(8);
  });

  it("cancels running and waiting jobs when the run is aborted", async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const build = () =>
      new StateGraph(z.object({ n: z.number(), out: appendList(z.number()) }), { name: `cancel-${prefix}` })
        .addNode("fan", (s) => new Command({ goto: Array.from({ length: s.n }, (_, i) => new Send("hang", i)) }), { ends: ["hang"] })
        .addNode(
          "hang",
          async (i, ctx) => {
            started.push(i);
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            aborted.push(i);
            return { out: i };
          },
          { input: z.number() },
        )
        .addEdge(START, "fan")
        .addEdge("hang", END);
    const worker = await serve(build(), 2);
    const controller = new AbortController();

    const run = build().compile({ executor }).invoke({ n: 20 }, { signal: controller.signal });
    await until(() => started.length === 2);
    controller.abort();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(isGraphError(error) && error.code).toBe("ABORTED");
    await until(() => aborted.length === 2);
    expect(aborted.sort()).toEqual(started.sort());
    // The 18 jobs that never started are removed from the queue, not left for the workers.
    await until(async () => (await waitingJobs(prefix, worker.queue)) === 0);
    expect(started).toHaveLength(2);
  });

  it("answers a job cancelled before it started without running its node", async () => {
    const ran: string[] = [];
    const name = `early-cancel-${prefix}`;
    const graph = new StateGraph(z.object({ done: z.boolean().optional() }), { name })
      .addNode("work", () => {
        ran.push("work");
        return { done: true };
      })
      .addEdge(START, "work")
      .addEdge("work", END);
    const worker = await serve(graph, 1);
    const jobId = `early-${prefix}`;
    const channel = cancelChannel(prefix, worker.queue);
    // The cancel reaches the worker before the job does, as when a worker picks a job between the
    // driver's cancel message and the job's removal from the queue.
    const listener = new Redis(redisOptions(REDIS_URL));
    const publisher = new Redis(redisOptions(REDIS_URL));
    const queue = new Queue(worker.queue, { connection: bullConnection(redisOptions(REDIS_URL)), prefix });
    try {
      const heard = new Promise<void>((resolve) => listener.on("message", () => resolve()));
      await listener.subscribe(channel);
      await publisher.publish(channel, JSON.stringify({ jobIds: [jobId], reason: "the run was aborted" }));
      await heard;
      const answered = new Promise<unknown>((resolve) =>
        worker.worker.on("completed", (job, value) => {
          if (job.id === jobId) resolve(value);
        }),
      );
      const request = {
        taskId: "1:0",
        node: "work",
        step: 1,
        sendIndex: undefined,
        graph: name,
        attempt: 1,
        input: {},
        resumes: [],
        interruptScope: undefined,
      };
      await queue.add("work", encodeRequest(request), { jobId, attempts: 1 });

      expect(decodeReturnError(await answered)).toMatchObject({
        code: "ABORTED",
        message: "Cancelled by the driver before it started: the run was aborted",
      });
      expect(ran).toEqual([]);
    } finally {
      listener.disconnect();
      publisher.disconnect();
      await queue.close();
    }
  });

  it("hands a job back to the queue when its worker is force-closed, so another worker finishes it", async () => {
    const startedOn: string[] = [];
    const build = (worker: string) =>
      new StateGraph(z.object({ by: z.string().optional() }), { name: `handover-${prefix}` })
        .addNode("job", async (_, ctx) => {
          startedOn.push(worker);
          if (worker === "first")
            await new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
          return { by: worker };
        })
        .addEdge(START, "job")
        .addEdge("job", END);
    // Short locks, as `weft-worker --lock-duration 2000 --stalled-interval 1000` sets them: the
    // force-closed worker's job goes back to the queue within seconds rather than BullMQ's minute.
    const locks = { lockDurationMs: 2000, stalledIntervalMs: 1000 };
    const first = await serve(build("first"), 4, locks);

    const run = build("driver").compile({ executor }).invoke({});
    await until(() => startedOn.length === 1);
    await serve(build("second"), 4, locks);
    await first.close(true);

    expect(await run).toEqual({ by: "second" });
    expect(startedOn).toEqual(["first", "second"]);
  });

  it("fails an attempt whose job disappears from Redis, found by reconciling, instead of waiting forever", async () => {
    const reconciling = new BullMQExecutor({ connection: REDIS_URL, prefix, reconcileMs: 100 });
    const graph = new StateGraph(z.object({ v: z.number() }), { name: `gone-${prefix}` })
      .addNode("a", () => ({ v: 1 }))
      .addEdge(START, "a")
      .addEdge("a", END);
    const queue = reconciling.queueName(graph.toIR().name);
    queues.add(queue);
    try {
      const run = graph.compile({ executor: reconciling }).invoke({ v: 0 });
      const failed = run.catch((error: unknown) => error);
      let jobs: string[] = [];
      await until(async () => (jobs = await waitingJobIds(prefix, queue)).length === 1);
      await removeJob(prefix, queue, jobs[0]!);

      const error = await failed;
      expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
      expect(String((error as Error).message)).toContain(`BullMQ job ${jobs[0]} for node "a" is gone from Redis`);
    } finally {
      await reconciling.close();
    }
  });

  it("reports a node's error with its name, code and message, and keeps onError policies in the driver", async () => {
    const build = () =>
      new StateGraph(z.object({ n: z.number(), out: appendList(z.number()) }), { name: `errors-${prefix}` })
        .addNode("fan", (s) => new Command({ goto: Array.from({ length: s.n }, (_, i) => new Send("check", i)) }), { ends: ["check"] })
        .addNode(
          "check",
          (i) => {
            if (i === 1) throw Object.assign(new RangeError(`item ${i} is out of range`), { status: 422 });
            if (i === 2) return { nope: true } as never;
            return { out: i };
          },
          { input: z.number(), onError: "continue" },
        )
        .addEdge(START, "fan")
        .addEdge("check", END);
    await serve(build());

    const result = await build().compile({ executor }).run({ n: 4 });

    expect(result.state.out).toEqual([0, 3]);
    const [range, invalid] = result.failures;
    expect(range).toMatchObject({ node: "check", sendIndex: 1, policy: "continue" });
    expect(range!.error).toMatchObject({ name: "RangeError", message: "item 1 is out of range", status: 422 });
    expect(String((range!.error as Error).stack)).toContain("controls.test.ts");
    expect(isGraphError(invalid!.error) && (invalid!.error as GraphError).code).toBe("INVALID_UPDATE");
  });

  it("fails a task whose node the worker's graph does not have, naming the node", async () => {
    const old = new StateGraph(z.object({ v: z.number() }), { name: `versions-${prefix}` })
      .addNode("a", () => ({ v: 1 }))
      .addEdge(START, "a")
      .addEdge("a", END);
    const current = old
      .addNode("b", () => ({ v: 2 }))
      .addEdge("a", "b")
      .addEdge("b", END);
    await serve(old);

    const error = await current
      .compile({ executor })
      .invoke({ v: 0 })
      .catch((e: unknown) => e);

    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    expect(isGraphError((error as GraphError).cause) && ((error as GraphError).cause as GraphError).code).toBe("UNKNOWN_NODE");
    expect((error as Error).message).toContain('no node "b"');
  });
});

/** The error a job's return value carries, as the driver decodes it. */
function decodeReturnError(value: unknown): unknown {
  try {
    decodeReturn(value);
  } catch (error) {
    return error;
  }
  throw new Error("the job returned a result, not an error");
}

/** Waits until `condition` holds, checking every 20 ms. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
