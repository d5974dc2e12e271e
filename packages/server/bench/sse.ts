/**
 * What the server costs a run's events, measured in one process over loopback HTTP:
 *
 * 1. Throughput: a run of 10000 Sends streamed as server-sent events to a client, events per
 *    second from the POST to the last event, with the in-memory and the SQLite event store,
 *    beside the same run through `graph.stream()` in process.
 * 2. Latency: a node emits 500 custom events 1 ms apart, each stamped with `performance.now()`;
 *    the time until it reaches the SSE client, against the time until `graph.stream()` yields
 *    it in process. The difference is the server's added latency per event.
 *
 *   pnpm --filter @weft/server run bench
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendList, END, MemoryCheckpointer, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";
import { parseServerSentEvents } from "../src/client/sse-parser.js";
import { MemoryEventStore, serveGraphs, SqliteEventStore, type EventStore } from "../src/index.js";

const SENDS = 10_000;
const TICKS = 500;
const ROUNDS = 5;

const FanoutState = z.object({ n: z.number(), done: appendList(z.number()) });
const fanout = () =>
  new StateGraph(FanoutState, { name: "fanout" })
    .addNode("work", ({ i }) => ({ done: i }), { input: z.object({ i: z.number() }) })
    .addConditionalEdges(START, (s) => Array.from({ length: s.n }, (_, i) => new Send("work", { i })), ["work"])
    .addEdge("work", END)
    .compile({ checkpointer: new MemoryCheckpointer() });

const TickState = z.object({ n: z.number() });
const ticker = () =>
  new StateGraph(TickState, { name: "ticker" })
    .addNode("tick", async (s, ctx) => {
      for (let i = 0; i < s.n; i++) {
        ctx.emit({ t: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return {};
    })
    .addEdge(START, "tick")
    .addEdge("tick", END)
    .compile({ checkpointer: new MemoryCheckpointer() });

/** Starts a run over HTTP and reads its events to the end; calls `onEvent` with each parsed event. */
async function streamOverHttp(
  url: string,
  graph: string,
  input: unknown,
  onEvent: (event: { type: string; data?: { t?: number } }) => void,
): Promise<number> {
  const thread = `t-${Math.random()}`;
  const started = await fetch(`${url}/graphs/${graph}/threads/${thread}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
  });
  const { runId } = (await started.json()) as { runId: string };
  const response = await fetch(`${url}/runs/${runId}/events`);
  let events = 0;
  for await (const message of parseServerSentEvents(response.body!)) {
    if (message.event === "end") break;
    events++;
    onEvent(JSON.parse(message.data) as { type: string });
  }
  return events;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

/** Events per second of one 10000-Send run: over SSE with the given store, or in process without one. */
async function fanoutRate(store: (() => EventStore) | undefined): Promise<{ events: number; perSecond: number }> {
  let events = 0;
  if (store === undefined) {
    const graph = fanout();
    const start = performance.now();
    for await (const _event of graph.stream({ n: SENDS }, { threadId: "t" })) events++;
    return { events, perSecond: events / ((performance.now() - start) / 1000) };
  }
  const server = await serveGraphs({ graphs: { fanout: fanout() }, events: store() });
  const start = performance.now();
  events = await streamOverHttp(server.url, "fanout", { n: SENDS }, () => {});
  const perSecond = events / ((performance.now() - start) / 1000);
  await server.close();
  return { events, perSecond };
}

/** One untimed round of each, then ROUNDS rounds taking turns, so warm-up favours none. */
async function throughput(
  paths: Record<string, (() => EventStore) | undefined>,
): Promise<Record<string, { events: number; perSecond: number }>> {
  const rates: Record<string, number[]> = {};
  const events: Record<string, number> = {};
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, store] of Object.entries(paths)) {
      const result = await fanoutRate(store);
      if (round < 0) continue;
      (rates[name] ??= []).push(result.perSecond);
      events[name] = result.events;
    }
  }
  return Object.fromEntries(Object.keys(paths).map((name) => [name, { events: events[name]!, perSecond: median(rates[name]!) }]));
}

async function latency(): Promise<{ http: number[]; inProcess: number[] }> {
  const http: number[] = [];
  const inProcess: number[] = [];
  const server = await serveGraphs({ graphs: { ticker: ticker() } });
  for (let round = 0; round < ROUNDS; round++) {
    await streamOverHttp(server.url, "ticker", { n: TICKS }, (event) => {
      if (event.type === "custom" && event.data?.t !== undefined) http.push(performance.now() - event.data.t);
    });
    for await (const event of ticker().stream({ n: TICKS }, { threadId: "t" })) {
      if (event.type === "custom") inProcess.push(performance.now() - (event.data as { t: number }).t);
    }
  }
  await server.close();
  return { http, inProcess };
}

const dir = mkdtempSync(join(tmpdir(), "weft-server-bench-"));
try {
  console.log(`Node ${process.version}, ${ROUNDS} rounds each, medians.\n`);
  const rates = await throughput({
    local: undefined,
    memory: () => new MemoryEventStore(),
    sqlite: () => new SqliteEventStore(join(dir, `${Math.random()}.db`)),
  });
  const { local, memory, sqlite } = rates as Record<"local" | "memory" | "sqlite", { events: number; perSecond: number }>;
  const rate = (n: number): string => `${Math.round(n).toLocaleString("en-US")}/s`;
  console.log(`Throughput: one run of ${SENDS.toLocaleString("en-US")} Sends (${memory.events.toLocaleString("en-US")} events)\n`);
  console.log("| Path | Events per second | vs in process |");
  console.log("|---|---:|---:|");
  console.log(`| graph.stream() in process | ${rate(local.perSecond)} | 1.00× |`);
  console.log(`| SSE, memory event store | ${rate(memory.perSecond)} | ${(memory.perSecond / local.perSecond).toFixed(2)}× |`);
  console.log(`| SSE, SQLite event store | ${rate(sqlite.perSecond)} | ${(sqlite.perSecond / local.perSecond).toFixed(2)}× |`);
  const { http, inProcess } = await latency();
  const ms = (n: number): string => `${n.toFixed(3)} ms`;
  console.log(`\nLatency: ${(TICKS * ROUNDS).toLocaleString("en-US")} custom events 1 ms apart, from ctx.emit to the reader\n`);
  console.log("| Path | Median | p99 |");
  console.log("|---|---:|---:|");
  console.log(`| graph.stream() in process | ${ms(median(inProcess))} | ${ms(percentile(inProcess, 0.99))} |`);
  console.log(`| SSE over loopback (memory store) | ${ms(median(http))} | ${ms(percentile(http, 0.99))} |`);
  console.log(
    `| Added by the server | ${ms(median(http) - median(inProcess))} | ${ms(percentile(http, 0.99) - percentile(inProcess, 0.99))} |`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
