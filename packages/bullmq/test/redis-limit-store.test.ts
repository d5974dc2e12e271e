import { createServer, type Server, type Socket } from "node:net";
import { ConcurrencyLimit, END, GraphError, RateLimit, START, StateGraph } from "@weft/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { RedisLimitStore } from "../src/index.js";
import { freshPrefix, REDIS_URL, redisAvailable } from "./services.js";

const online = await redisAvailable();
const stores: RedisLimitStore[] = [];
const storeOf = (prefix = freshPrefix()): RedisLimitStore => {
  const store = new RedisLimitStore({ connection: REDIS_URL, prefix });
  stores.push(store);
  return store;
};

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
});

describe.runIf(online)("RedisLimitStore", () => {
  it("shares one request window between limits of different processes, by Redis time", async () => {
    const prefix = freshPrefix();
    // Two RateLimits on two connections: what two processes would hold.
    const here = new RateLimit({ key: "api", requests: { limit: 5, intervalMs: 300 }, store: storeOf(prefix) });
    const there = new RateLimit({ key: "api", requests: { limit: 5, intervalMs: 300 }, store: storeOf(prefix) });
    const t0 = performance.now();
    // Each call is answered at once: its turn counts from then for one interval.
    await Promise.all(Array.from({ length: 10 }, async (_, i) => (await (i % 2 === 0 ? here : there).acquire()).settle(undefined)));
    // The sixth turn, whichever process asks, waits for the first five to leave the window.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("settles a turn with the tokens the call used, so that a cheap call frees its room", async () => {
    const limit = new RateLimit({ key: "tokens", tokens: { limit: 100, intervalMs: 600_000 }, store: storeOf() });
    const first = await limit.acquire({ tokens: 80 });
    first.settle(10);
    // 10 + 80 fits once the first counts for its 10 tokens; with its estimate of 80 it would wait
    // ten minutes, past the test's timeout.
    (await limit.acquire({ tokens: 80 })).settle(80);
  }, 10_000);

  it("frees the slots of a process that died holding them once their lease runs out", async () => {
    const prefix = freshPrefix();
    const store = storeOf(prefix);
    await store.acquireSlot({ key: "slots", holder: "dead", limit: 1, leaseMs: 300 });
    const limit = new ConcurrencyLimit(1, { key: "slots", store: storeOf(prefix), pollMs: 20 });
    expect(await store.acquireSlot({ key: "slots", holder: "other", limit: 1, leaseMs: 300 })).toBeGreaterThan(0);
    const graph = new StateGraph(z.object({ n: z.number() }))
      .addNode("work", (s) => ({ n: s.n + 1 }), { concurrency: limit })
      .addEdge(START, "work")
      .addEdge("work", END)
      .compile();
    const t0 = performance.now();
    expect(await graph.invoke({ n: 1 })).toEqual({ n: 2 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
  });
});

describe("RedisLimitStore when Redis stalls", () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("fails the waiting turn with LIMIT_UNAVAILABLE after storeTimeoutMs, naming the limit and the call", async () => {
    // A server that accepts connections and never answers: Redis stalled.
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const store = new RedisLimitStore({ connection: `redis://127.0.0.1:${port}`, prefix: freshPrefix() });
    stores.push(store);
    const limit = new RateLimit({ key: "openai", requests: { limit: 5, intervalMs: 1000 }, store, storeTimeoutMs: 200 });
    // On fake timers: the turn fails once 200 ms have passed on them, however slowly the machine runs.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let error: unknown;
    try {
      void limit.acquire().catch((e: unknown) => {
        error = e;
      });
      await vi.advanceTimersByTimeAsync(200);
      // One turn of the event loop (setImmediate is not faked) lets the rejection reach the caller.
      await new Promise((resolve) => setImmediate(resolve));
      expect(error, "the turn had not failed 200 ms in").toBeDefined();
    } finally {
      vi.useRealTimers();
    }
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: "LIMIT_UNAVAILABLE", details: { limit: "openai", operation: "takeRate", timeoutMs: 200 } });
  });
});
