import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SpanStatusCode } from "@opentelemetry/api";
import { BullMQExecutor } from "@weft/bullmq";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceInvoke, WeftAttributes as A } from "../src/index.js";
import { graph } from "./fixtures/graph.js";
import { REDIS_URL, redisAvailable } from "./redis.js";
import { named, only, parentOf, setupTracing } from "./spans.js";

const online = await redisAvailable();
const tracing = setupTracing();
const prefix = `weft-otel-test-${process.pid}-${randomBytes(4).toString("hex")}`;
const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/** A span a worker process printed. */
interface WorkerSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly status: number;
}

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly spans: WorkerSpan[];
}

function startWorkerProcess(): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--conditions=@weft/source", "--import", "tsx", "test/fixtures/worker.ts", REDIS_URL, prefix], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const spans: WorkerSpan[] = [];
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`The worker exited (code ${code}) before it was ready:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("SPAN ")) spans.push(JSON.parse(line.slice(5)) as WorkerSpan);
      else if (line.startsWith("ready ")) resolve({ child, spans });
    });
  });
}

describe.skipIf(!online)("a distributed run over BullMQ", () => {
  const workers: WorkerProcess[] = [];
  const executor = new BullMQExecutor({ connection: REDIS_URL, prefix });

  beforeAll(async () => {
    workers.push(...(await Promise.all([startWorkerProcess(), startWorkerProcess()])));
  });

  afterAll(async () => {
    await executor.close();
    for (const { child } of workers) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    }
    const queue = new Queue(executor.queueName(graph.compile().name), { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("continues the driver's trace on the workers: node spans are children of their task attempt spans", async () => {
    const compiled = graph.compile();
    const state = await traceInvoke(compiled, { count: 6, items: [], flaky: [2] }, { tracer: tracing.tracer, executor });
    expect(state.total).toBe(0 + 1 + 4 + 9 + 16 + 25);

    const driver = tracing.spans();
    const run = only(driver, "run traced-fan-out");
    const attempts = [...named(driver, "task plan"), ...named(driver, "task work"), ...named(driver, "task sum")];
    expect(attempts).toHaveLength(1 + 6 + 1 + 1); // work #2 ran twice
    // Each attempt ran on a worker as a "node" span, and each work attempt made a span inside the node.
    const expected = attempts.length + 7;
    const deadline = Date.now() + 30_000;
    const fromWorkers = () => workers.flatMap((w) => w.spans);
    while (fromWorkers().length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const remote = fromWorkers();
    expect(remote).toHaveLength(expected);

    const traceId = run.spanContext().traceId;
    for (const span of remote) expect(span.traceId).toBe(traceId);
    for (const attempt of attempts) {
      const onWorker = remote.filter((s) => s.name.startsWith("node ") && s.parentSpanId === attempt.spanContext().spanId);
      expect(
        onWorker,
        `${attempt.name} #${String(attempt.attributes[A.SEND_INDEX])} attempt ${String(attempt.attributes[A.ATTEMPT])}`,
      ).toHaveLength(1);
      expect(onWorker[0]!.attributes).toMatchObject({
        [A.NODE]: attempt.attributes[A.NODE],
        [A.TASK_ID]: attempt.attributes[A.TASK_ID],
        [A.ATTEMPT]: attempt.attributes[A.ATTEMPT],
        [A.STEP]: attempt.attributes[A.STEP],
      });
      expect(parentOf(driver, attempt)?.name).toBe(`step ${String(attempt.attributes[A.STEP])}`);
    }
    // The spans made inside the node hang under the worker's node span, under the driver's attempt.
    for (let i = 0; i < 6; i++) {
      const inside = remote.filter((s) => s.name === `inside work ${i}`);
      expect(inside).toHaveLength(i === 2 ? 2 : 1);
      for (const span of inside) {
        const node = remote.find((s) => s.spanId === span.parentSpanId)!;
        expect(node.name).toBe("node work");
        const attempt = driver.find((s) => s.spanContext().spanId === node.parentSpanId)!;
        expect(attempt.name).toBe("task work");
        expect(attempt.attributes[A.SEND_INDEX]).toBe(i);
        expect(attempt.attributes[A.ATTEMPT]).toBe(node.attributes[A.ATTEMPT]);
      }
    }
    // The failed first attempt of work #2 failed on the worker too.
    const failedNode = remote.find((s) => s.name === "node work" && s.attributes[A.SEND_INDEX] === 2 && s.attributes[A.ATTEMPT] === 1)!;
    expect(failedNode.status).toBe(SpanStatusCode.ERROR);
    expect(failedNode.attributes[A.ERROR_MESSAGE]).toBe("work 2 failed once");
  });
});
