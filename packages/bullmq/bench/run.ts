import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { BullMQExecutor } from "../src/index.js";
import { bullConnection, redisOptions } from "../src/connection.js";
import { graph } from "./graph.js";

// `pnpm --filter @weft/bullmq run bench`: how a CPU-bound fan-out scales with worker processes,
// and what one task costs through the queue compared with in-process. Prints Markdown tables.
const REDIS_URL = process.env.WEFT_REDIS_URL ?? "redis://127.0.0.1:6379";
const FAN_OUT = 200;
const SPIN_MS = 50;
const NOOPS = 1000;
const REPEATS = 3;
const prefix = `weft-bench-${randomBytes(4).toString("hex")}`;
const root = fileURLToPath(new URL("..", import.meta.url));

async function startWorkers(n: number, concurrency: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(
        process.execPath,
        ["--conditions=@weft/source", "--import", "tsx", "src/bin/weft-worker.ts", "bench/graph.ts", "--prefix", prefix, "--concurrency", String(concurrency)],
        { cwd: root, env: { ...process.env, WEFT_REDIS_URL: REDIS_URL }, stdio: ["ignore", "pipe", "inherit"] },
      );
      for await (const line of createInterface({ input: child.stdout! })) if (line.includes(" ready: ")) break;
      return child;
    }),
  );
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (child) => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    }),
  );
}

/** Median wall time of `repeats` runs, in ms, after one warm-up run. */
async function time(run: () => Promise<unknown>, warmUp: () => Promise<unknown> = run, repeats = REPEATS): Promise<number> {
  await warmUp();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const fmt = (ms: number, digits = 0): string => ms.toFixed(digits);

async function main(): Promise<void> {
  const executor = new BullMQExecutor({ connection: REDIS_URL, prefix });
  const local = graph.compile();
  const remote = graph.compile({ executor });
  const cpuInput = { count: FAN_OUT, spinMs: SPIN_MS };
  const noopInput = { count: NOOPS, spinMs: 0 };
  const load = (): string => loadavg().map((n) => n.toFixed(1)).join(" ");
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, Redis ${REDIS_URL}, load average ${load()}\n`);
  try {
    const warmUp = { count: 4, spinMs: SPIN_MS };
    const inProcess = await time(() => local.invoke(cpuInput), () => local.invoke(warmUp));
    const rows: string[] = [`| in-process (1 event loop) | ${fmt(inProcess)} | 1.00× |`];
    let oneWorker = 0;
    for (const n of [1, 2, 4]) {
      const workers = await startWorkers(n, 1);
      try {
        const ms = await time(() => remote.invoke(cpuInput), () => remote.invoke(warmUp));
        if (n === 1) oneWorker = ms;
        rows.push(`| ${n} worker process${n === 1 ? "" : "es"} | ${fmt(ms)} | ${(inProcess / ms).toFixed(2)}× (${(oneWorker / ms).toFixed(2)}× vs 1 worker) |`);
      } finally {
        await stopWorkers(workers);
      }
    }
    console.log(`### ${FAN_OUT}-Send fan-out, ${SPIN_MS} ms of CPU time per task (median of ${REPEATS} runs)\n`);
    console.log("| where the tasks run | wall time (ms) | speed-up vs in-process |\n|---|---:|---:|");
    console.log(rows.join("\n"));

    const noopLocal = await time(() => local.invoke(noopInput));
    const workers = await startWorkers(2, 32);
    let noopRemote: number;
    try {
      noopRemote = await time(() => remote.invoke(noopInput));
    } finally {
      await stopWorkers(workers);
    }
    console.log(`\n### Per-task overhead: ${NOOPS} no-op Sends (median of ${REPEATS} runs)\n`);
    console.log("| where the tasks run | wall time (ms) | ms per task |\n|---|---:|---:|");
    console.log(`| in-process | ${fmt(noopLocal)} | ${(noopLocal / NOOPS).toFixed(3)} |`);
    console.log(`| BullMQ, 2 workers (concurrency 32 each) | ${fmt(noopRemote)} | ${(noopRemote / NOOPS).toFixed(3)} |`);
    console.log(`\nqueue overhead: ${((noopRemote - noopLocal) / NOOPS).toFixed(3)} ms per task; load average at the end ${load()}`);
  } finally {
    await executor.close();
    const queue = new Queue(executor.queueName(graph.toIR().name), { connection: bullConnection(redisOptions(REDIS_URL)), prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

await main();
