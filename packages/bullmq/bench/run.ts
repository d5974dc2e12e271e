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
// Samples of the compared setups are interleaved (A B C D A B C D …) so that a change in the
// machine's background load spreads over all of them instead of favouring one.
const REDIS_URL = process.env.WEFT_REDIS_URL ?? "redis://127.0.0.1:6379";
const FAN_OUT = 200;
const SPIN_MS = 50;
const NOOPS = 1000;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const root = fileURLToPath(new URL("..", import.meta.url));
const run = randomBytes(4).toString("hex");

/** One way of running the graph: in process, or on a pool of worker processes of its own. */
interface Setup {
  readonly label: string;
  readonly invoke: (input: { count: number; spinMs: number }) => Promise<unknown>;
  readonly close: () => Promise<void>;
}

function inProcess(): Setup {
  const compiled = graph.compile();
  return { label: "in-process (one event loop)", invoke: (input) => compiled.invoke(input), close: async () => {} };
}

/** `workers` weft-worker processes on a queue of their own (its own prefix), and a driver for it. */
async function pool(workers: number, concurrency: number, label: string): Promise<Setup> {
  const prefix = `weft-bench-${run}-${label.replace(/\W+/g, "-")}`;
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(prefix, concurrency)));
  const executor = new BullMQExecutor({ connection: REDIS_URL, prefix });
  const compiled = graph.compile({ executor });
  return {
    label,
    invoke: (input) => compiled.invoke(input),
    async close() {
      await Promise.all(children.map(stop));
      await executor.close();
      const queue = new Queue(executor.queueName(graph.toIR().name), { connection: bullConnection(redisOptions(REDIS_URL)), prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

async function startWorker(prefix: string, concurrency: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@weft/source",
      "--import",
      "tsx",
      "src/bin/weft-worker.ts",
      "bench/graph.ts",
      "--prefix",
      prefix,
      "--concurrency",
      String(concurrency),
    ],
    { cwd: root, env: { ...process.env, WEFT_REDIS_URL: REDIS_URL }, stdio: ["ignore", "pipe", "inherit"] },
  );
  for await (const line of createInterface({ input: child.stdout! })) if (line.includes(" ready: ")) break;
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  if (child.exitCode === null) await once(child, "exit");
}

/** Median wall time per setup, in ms, of `ROUNDS` interleaved runs after one warm-up each. */
async function measure(setups: readonly Setup[], input: { count: number; spinMs: number }, warmUp = input): Promise<number[]> {
  for (const setup of setups) await setup.invoke(warmUp);
  const samples: number[][] = setups.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, setup] of setups.entries()) {
      const t0 = performance.now();
      await setup.invoke(input);
      samples[i]!.push(performance.now() - t0);
    }
  }
  return samples.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
}

const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(" ");

/**
 * How many cores this machine gives us right now: one busy process per core for a second, their
 * CPU time summed. On a shared machine it can be far below the core count, and caps any speed-up.
 */
async function availableCores(): Promise<number> {
  const script =
    "const t=Date.now(),c=process.cpuUsage();while(Date.now()-t<1000){for(let i=0;i<1e4;i++)Math.sqrt(i)}const u=process.cpuUsage(c);console.log((u.user+u.system)/1e6)";
  const shares = await Promise.all(
    cpus().map(async () => {
      const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
      await once(child, "exit");
      return Number(out);
    }),
  );
  return shares.reduce((sum, share) => sum + share, 0);
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, Redis ${REDIS_URL}, load average ${load()}`,
  );
  console.log(`cores available to this benchmark before it starts: ${(await availableCores()).toFixed(2)} of ${cpus().length}\n`);
  const setups: Setup[] = [inProcess()];
  try {
    for (const n of [1, 2, 4]) setups.push(await pool(n, 1, `${n} worker process${n === 1 ? "" : "es"}`));
    const cpu = await measure(setups, { count: FAN_OUT, spinMs: SPIN_MS }, { count: 8, spinMs: SPIN_MS });
    console.log(`### ${FAN_OUT}-Send fan-out, ${SPIN_MS} ms of CPU time per task (median of ${ROUNDS} interleaved runs)\n`);
    console.log("| where the tasks run | wall time (ms) | speed-up vs in-process | vs 1 worker |\n|---|---:|---:|---:|");
    for (const [i, setup] of setups.entries()) {
      const vsOne = i === 0 ? "" : `${(cpu[1]! / cpu[i]!).toFixed(2)}×`;
      console.log(`| ${setup.label} | ${cpu[i]!.toFixed(0)} | ${(cpu[0]! / cpu[i]!).toFixed(2)}× | ${vsOne} |`);
    }
    console.log(`\nload average after: ${load()}; cores available after: ${(await availableCores()).toFixed(2)} of ${cpus().length}`);
  } finally {
    await Promise.all(setups.splice(1).map((setup) => setup.close()));
  }

  const noopSetups = [inProcess(), await pool(2, 32, "BullMQ, 2 workers (concurrency 32 each)")];
  try {
    const [local, remote] = await measure(noopSetups, { count: NOOPS, spinMs: 0 });
    console.log(`\n### Per-task overhead: ${NOOPS} no-op Sends (median of ${ROUNDS} interleaved runs)\n`);
    console.log("| where the tasks run | wall time (ms) | ms per task |\n|---|---:|---:|");
    console.log(`| in-process | ${local!.toFixed(0)} | ${(local! / NOOPS).toFixed(3)} |`);
    console.log(`| ${noopSetups[1]!.label} | ${remote!.toFixed(0)} | ${(remote! / NOOPS).toFixed(3)} |`);
    console.log(`\nqueue overhead: ${((remote! - local!) / NOOPS).toFixed(3)} ms per task; load average after: ${load()}`);
  } finally {
    await noopSetups[1]!.close();
  }
}

await main();
