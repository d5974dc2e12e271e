/**
 * The overhead of a limit per task: a fan-out of one-line Send tasks run with no limit, with
 * an in-process RateLimit, an in-process ConcurrencyLimit, and a RateLimit and a
 * ConcurrencyLimit kept in Redis (RedisLimitStore), each generous enough never to hold a task
 * back. Prints the median run time of each, and the extra microseconds per task over the
 * unlimited run. The Redis rows need Redis at WEFT_REDIS_URL (else the local default).
 *
 *   pnpm --filter @weft/bench run bench:limits
 */
import { appendList, ConcurrencyLimit, END, type NodeOptions, RateLimit, Send, START, StateGraph } from "@weft/core";
import { RedisLimitStore } from "@weft/bullmq";
import { z } from "zod";
import { median } from "./stats.js";
import { markdownTable } from "./table.js";

const State = z.object({ done: appendList(z.number()) });
const Item = z.object({ i: z.number() });

function fanOut(count: number, options: Omit<NodeOptions<typeof State, typeof Item, never>, "input">) {
  return new StateGraph(State)
    .addNode("work", ({ i }) => ({ done: i }), { ...options, input: Item })
    .addConditionalEdges(START, () => Array.from({ length: count }, (_, i) => new Send("work", { i })))
    .addEdge("work", END)
    .compile();
}

/** Median ms of `samples` runs after `warmup` runs; each run must finish every task. */
async function timed(graph: ReturnType<typeof fanOut>, count: number, samples: number, warmup: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const t0 = performance.now();
    const state = await graph.invoke({});
    const ms = performance.now() - t0;
    if (state.done.length !== count) throw new Error(`a run finished ${state.done.length} of ${count} tasks`);
    if (i >= warmup) times.push(ms);
  }
  return median(times);
}

const LOCAL_TASKS = 5000;
const REDIS_TASKS = 500;
const never = { limit: 1_000_000_000, intervalMs: 1000 };
const store = new RedisLimitStore({ connection: process.env.WEFT_REDIS_URL, prefix: `weft-bench-${process.pid}` });
const cases: { name: string; tasks: number; options: Omit<NodeOptions<typeof State, typeof Item, never>, "input"> }[] = [
  { name: "no limit", tasks: LOCAL_TASKS, options: {} },
  { name: "RateLimit, in process", tasks: LOCAL_TASKS, options: { rateLimit: new RateLimit({ key: "bench", requests: never }) } },
  { name: "ConcurrencyLimit, in process", tasks: LOCAL_TASKS, options: { concurrency: new ConcurrencyLimit(1_000_000) } },
  { name: "no limit", tasks: REDIS_TASKS, options: {} },
  { name: "RateLimit, Redis", tasks: REDIS_TASKS, options: { rateLimit: new RateLimit({ key: "bench-rate", requests: never, store }) } },
  {
    name: "ConcurrencyLimit, Redis",
    tasks: REDIS_TASKS,
    options: { concurrency: new ConcurrencyLimit(1_000_000, { key: "bench-slots", store }) },
  },
];

const rows: string[][] = [];
const baseline = new Map<number, number>();
try {
  for (const { name, tasks, options } of cases) {
    const ms = await timed(fanOut(tasks, options), tasks, 9, 3);
    if (name === "no limit") baseline.set(tasks, ms);
    const extra = ((ms - baseline.get(tasks)!) / tasks) * 1000;
    rows.push([name, String(tasks), `${ms.toFixed(1)} ms`, name === "no limit" ? "–" : `${extra.toFixed(1)} µs`]);
    process.stderr.write(`  limits/${name}/${tasks}: done\n`);
  }
} finally {
  await store.reset("bench-rate");
  await store.reset("bench-slots");
  await store.close();
}

console.log("## Limits: overhead per task\n");
console.log(markdownTable(["limit", "tasks", "median run", "extra per task"], rows, ["left", "right", "right", "right"]));
