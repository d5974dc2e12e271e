import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { ConcurrencyLimit, GraphError, RateLimit, StateGraph } from "../src/index.js";
import type { LimitStore } from "../src/adapter.js";
import { collect, rejectionOf, sleep } from "./helpers.js";
import { fanOut, State } from "./fan-out.js";

/** The most starts that fall in any window of `ms` milliseconds. */
function mostIn(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** An HTTP 429 as the OpenAI client throws it. */
function tooManyRequests(retryAfterMs: number): Error {
  return Object.assign(new Error("429 Too Many Requests"), { status: 429, headers: { "retry-after-ms": String(retryAfterMs) } });
}

/** Runs `run` on fake timers and a fake performance clock, the clock of rate limits: turns come exactly when due. */
async function onFakeTime<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  try {
    const running = run();
    await vi.runAllTimersAsync();
    return await running;
  } finally {
    vi.useRealTimers();
  }
}

describe("RateLimit on a node", () => {
  it("lets no more than its requests through in any interval, and keeps the results in Send order", async () => {
    const limit = new RateLimit({ key: "api", requests: { limit: 5, intervalMs: 200 } });
    const starts: number[] = [];
    const graph = fanOut(
      async ({ i }) => {
        starts.push(performance.now());
        return { results: `r${i}` };
      },
      { rateLimit: limit },
      20,
    );

    const state = await onFakeTime(() => graph.invoke({}));

    expect(state.results).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    // On fake time a node starts as its turn is given: exactly 5 in any 200 ms.
    expect(mostIn(starts, 200)).toBe(5);
    // 20 requests at 5 per 200 ms: the last group cannot start before 600 ms.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(600);
    expect(limit.waiting).toBe(0);
  });

  it("lets tasks through in the order they asked, across runs sharing the limit", async () => {
    const limit = new RateLimit({ key: "api", requests: { limit: 2, intervalMs: 50 } });
    const order: string[] = [];
    const graph = (name: string) =>
      fanOut(
        ({ i }) => {
          order.push(`${name}${i}`);
          return { results: `${name}${i}` };
        },
        { rateLimit: limit },
        5,
      );

    await Promise.all([graph("a").invoke({}), graph("b").invoke({})]);

    expect(order).toEqual(["a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4"]);
  });

  it("reports a task waiting for its turn as task:queued for the rate limit, apart from running", async () => {
    const limit = new RateLimit({ key: "openai", requests: { limit: 1, intervalMs: 100 } });
    const graph = fanOut(async ({ i }) => ({ results: `r${i}` }), { rateLimit: limit, concurrency: 1 }, 2);

    const { events } = await collect(graph.stream({}));

    const second = events.filter((event) => "sendIndex" in event && event.sendIndex === 1).map((event) => event.type);
    expect(second).toEqual(["task:queued", "task:queued", "task:start", "task:end"]);
    const queued = events.filter((event) => event.type === "task:queued");
    expect(queued.map((event) => [event.waitsFor, event.limit])).toEqual([
      ["slot", undefined],
      ["rate", "openai"],
    ]);
    const waitedFor = events.find((event) => event.type === "task:start" && event.sendIndex === 1)!.at - queued[1]!.at;
    expect(waitedFor).toBeGreaterThanOrEqual(80);
  });

  it("pauses the key for every task sharing it when one gets a 429 with retry-after, then retries in turn", async () => {
    // One request per 50 ms: without the pause, task 1 would go at 50 ms, task 2 at 100 ms.
    const limit = new RateLimit({ key: "api", requests: { limit: 1, intervalMs: 50 } });
    const starts: { i: number; attempt: number; at: number }[] = [];
    let failedAt = 0;
    const graph = fanOut(
      async ({ i }, ctx) => {
        starts.push({ i, attempt: ctx.attempt, at: performance.now() });
        if (i === 0 && ctx.attempt === 1) {
          failedAt = performance.now();
          throw tooManyRequests(300);
        }
        return { results: `r${i}` };
      },
      { rateLimit: limit, retry: { maxAttempts: 2, backoff: { initialMs: 1, jitter: false } } },
      4,
    );

    const { events } = await onFakeTime(() => collect(graph.stream({})));

    expect(events.at(-1)).toMatchObject({ type: "run:end", state: { results: ["r0", "r1", "r2", "r3"] } });
    const after = starts.slice(1);
    expect(after.map((start) => start.i).sort()).toEqual([0, 1, 2, 3]);
    for (const start of after) expect(start.at - failedAt).toBeGreaterThanOrEqual(300);
    // Still one per 50 ms after the pause: the retry took its turn like any request.
    expect(
      mostIn(
        after.map((start) => start.at),
        50,
      ),
    ).toBe(1);
    expect(events.find((event) => event.type === "task:retry")).toMatchObject({ sendIndex: 0, delayMs: 300 });
  });

  it("counts each task for its estimate, then for the tokens it reported, so that a cheap task frees its room", async () => {
    const run = async (report: boolean, intervalMs: number) => {
      const limit = new RateLimit({ key: "api", tokens: { limit: 200, intervalMs, estimate: 40 } });
      const graph = fanOut(
        async ({ i }, ctx) => {
          await sleep(5);
          if (report) ctx.emit({ type: "usage", totalTokens: 10 });
          return { results: `r${i}` };
        },
        { rateLimit: limit },
        10,
      );
      const t0 = performance.now();
      const state = await graph.invoke({});
      expect(state.results).toHaveLength(10);
      return performance.now() - t0;
    };

    // 10 tasks at 40 tokens each, 200 per second: the second five wait for the window.
    expect(await run(false, 1000)).toBeGreaterThanOrEqual(990);
    // Each reports 10 tokens when it ends: the room it leaves lets the next ones through at once,
    // even in a window of a minute that a task counted at its estimate would make them wait out.
    await run(true, 60_000);
  });

  it("counts the tokens a synchronous node reports, with nobody listening to events", async () => {
    // A window of a minute: a task counted at its estimate would make the others wait it out.
    const limit = new RateLimit({ key: "api", tokens: { limit: 200, intervalMs: 60_000, estimate: 40 } });
    const graph = fanOut(
      ({ i }, ctx) => {
        ctx.emit({ type: "usage", totalTokens: 10 });
        return { results: `r${i}` };
      },
      { rateLimit: limit },
      10,
    );
    const state = await graph.invoke({});
    // Counted at 40 each, the second five would wait for the window; at 10 each all fit at once.
    expect(state.results).toHaveLength(10);
  });

  it("takes each task's estimate from its node's estimateTokens", async () => {
    const limit = new RateLimit({ key: "api", tokens: { limit: 100, intervalMs: 300 } });
    const starts: number[] = [];
    const graph = fanOut(
      ({ i }) => {
        starts.push(performance.now());
        return { results: `r${i}` };
      },
      { rateLimit: limit, estimateTokens: ({ i }) => (i + 1) * 30 },
      3,
    );
    const t0 = performance.now();
    const { events } = await collect(graph.stream({}));
    // 30 + 60 fit the first window: only the third task waits for its turn; its 90 more must wait for the window to pass.
    const queued = events.flatMap((event) => (event.type === "task:queued" ? [[event.sendIndex, event.waitsFor]] : []));
    expect(queued).toEqual([[2, "rate"]]);
    expect(starts[2]! - t0).toBeGreaterThanOrEqual(290);
  });

  it("lets a task bigger than the whole token limit through alone, once the window is empty", async () => {
    const limit = new RateLimit({ key: "api", tokens: { limit: 100, intervalMs: 100 } });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), { rateLimit: limit, estimateTokens: () => 500 }, 3);
    const t0 = performance.now();
    expect((await graph.invoke({})).results).toEqual(["r0", "r1", "r2"]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("keeps a waiting task cheap: no abort listener per waiting task", async () => {
    let mostListeners = 0;
    const limit = new RateLimit({ key: "api", requests: { limit: 100, intervalMs: 20 } });
    const graph = fanOut(
      async (_, ctx) => {
        mostListeners = Math.max(mostListeners, getEventListeners(ctx.signal, "abort").length);
        await sleep(0);
        return { results: "r" };
      },
      { rateLimit: limit },
      1000,
    );
    const state = await graph.invoke({});
    expect(state.results).toHaveLength(1000);
    expect(mostListeners).toBeLessThan(5);
  });

  it("takes waiting tasks out of the queue when the run is cancelled", async () => {
    const limit = new RateLimit({ key: "api", requests: { limit: 1, intervalMs: 60_000 } });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), { rateLimit: limit }, 5);
    const controller = new AbortController();
    const running = graph.invoke({}, { signal: controller.signal });
    await sleep(20);
    expect(limit.waiting).toBe(4);
    controller.abort();
    const error = await rejectionOf(running);
    expect(error).toBeInstanceOf(GraphError);
    expect(error.code).toBe("ABORTED");
    expect(limit.waiting).toBe(0);
  });

  it("fails a task whose estimateTokens throws, under its node's onError, and runs the rest", async () => {
    const limit = new RateLimit({ key: "api", tokens: { limit: 1000, intervalMs: 1000 } });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), {
      rateLimit: limit,
      onError: "continue",
      estimateTokens: ({ i }) => {
        if (i === 1) throw new RangeError("no estimate for 1");
        return 1;
      },
    });
    const result = await graph.run({});
    expect(result.state.results).toEqual(["r0", "r2"]);
    expect(result.failures).toMatchObject([{ node: "worker", sendIndex: 1, error: { message: "no estimate for 1" } }]);
  });
});

describe("RateLimit.acquire", () => {
  it("gives turns in order to code that makes its own calls, and stops waiting when its signal aborts", async () => {
    const limit = new RateLimit({ key: "api", requests: { limit: 1, intervalMs: 100 } });
    const first = await limit.acquire();
    const controller = new AbortController();
    const second = limit.acquire({ signal: controller.signal });
    const third = limit.acquire();
    await sleep(10);
    expect(limit.waiting).toBe(2);
    controller.abort(new Error("gave up"));
    expect((await rejectionOf(second)).message).toBe("gave up");
    // The first request is in flight until it is settled; from its answer it counts one interval more.
    await sleep(150);
    expect(limit.waiting).toBe(1);
    const answered = performance.now();
    first.settle(1);
    (await third).settle(undefined);
    expect(performance.now() - answered).toBeGreaterThanOrEqual(95);
    expect(limit.waiting).toBe(0);
  });

  it("waits out a pause for every caller", async () => {
    const limit = new RateLimit({ key: "api", requests: { limit: 10, intervalMs: 1000 } });
    await limit.pause(150);
    const t0 = performance.now();
    await limit.acquire();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe("bad limit options", () => {
  const code = (make: () => unknown) => {
    try {
      make();
    } catch (error) {
      return error instanceof GraphError ? { code: error.code, option: error.details.option, message: error.message } : error;
    }
    return "no error";
  };

  it("names the option of a RateLimit that is wrong", () => {
    expect(code(() => new RateLimit({ key: "", requests: { limit: 1, intervalMs: 1 } }))).toMatchObject({
      code: "INVALID_OPTION",
      option: "key",
    });
    expect(code(() => new RateLimit({ key: "k", requests: { limit: 0, intervalMs: 1000 } }))).toMatchObject({
      code: "INVALID_OPTION",
      option: "requests.limit",
      message: "RateLimit: requests.limit must be a whole number ≥ 1, got 0.",
    });
    expect(code(() => new RateLimit({ key: "k", tokens: { limit: 10, intervalMs: -1 } }))).toMatchObject({ option: "tokens.intervalMs" });
    expect(code(() => new RateLimit({ key: "k", tokens: { limit: 10, intervalMs: 10, estimate: Number.NaN } }))).toMatchObject({
      option: "tokens.estimate",
    });
    expect(code(() => new RateLimit({ key: "k" }))).toMatchObject({ code: "INVALID_OPTION", option: "requests" });
    expect(code(() => new RateLimit({ key: "k", requests: { limit: 1, intervalMs: 1 }, rpm: 3 } as never))).toMatchObject({
      option: "rpm",
    });
    expect(code(() => new RateLimit({ key: "k", requests: { limit: 1, intervalMs: 1 }, store: {} as never }))).toMatchObject({
      option: "store",
    });
    expect(code(() => new RateLimit(undefined as never))).toMatchObject({ code: "INVALID_OPTION" });
  });

  it("names the node and the option when a node's rateLimit or estimateTokens is wrong", () => {
    const builder = new StateGraph(State);
    expect(code(() => builder.addNode("n", () => ({}), { rateLimit: { requests: 1 } as never }))).toMatchObject({
      code: "INVALID_OPTION",
      option: "rateLimit",
      message: expect.stringContaining('Node "n"'),
    });
    expect(code(() => builder.addNode("n", () => ({}), { estimateTokens: 40 as never }))).toMatchObject({ option: "estimateTokens" });
  });

  it("names the option of a shared ConcurrencyLimit that is wrong", () => {
    expect(code(() => new ConcurrencyLimit(2, { key: "k" } as never))).toMatchObject({ code: "INVALID_OPTION", option: "shared.store" });
    expect(code(() => new ConcurrencyLimit(2, { key: "k", store: memoryStore(), leaseMs: 0 }))).toMatchObject({ option: "shared.leaseMs" });
  });
});

/** A limit store in memory, as a second process would see Redis: every call answers later. */
function memoryStore(options: { fail?: unknown; stall?: boolean } = {}): LimitStore {
  const slots = new Map<string, Map<string, number>>();
  const answer = async <T>(value: T): Promise<T> => {
    await sleep(1);
    if (options.stall) await new Promise(() => {});
    if (options.fail !== undefined) throw options.fail;
    return value;
  };
  return {
    takeRate: () => answer(0),
    settleRate: () => answer(undefined),
    pauseRate: () => answer(undefined),
    async acquireSlot({ key, holder, limit, leaseMs }) {
      const held = slots.get(key) ?? new Map<string, number>();
      slots.set(key, held);
      const now = Date.now();
      for (const [h, until] of held) if (until <= now) held.delete(h);
      if (held.size >= limit) return answer(10);
      held.set(holder, now + leaseMs);
      return answer(0);
    },
    async renewSlots({ key, holders, leaseMs }) {
      for (const holder of holders) slots.get(key)?.set(holder, Date.now() + leaseMs);
      return answer(undefined);
    },
    async releaseSlot({ key, holder }) {
      slots.get(key)?.delete(holder);
      return answer(undefined);
    },
  };
}

describe("limits kept in a shared store", () => {
  it("caps tasks of two limits on one store and key together, as two processes would be", async () => {
    const store = memoryStore();
    let inFlight = 0;
    let peak = 0;
    const work = async ({ i }: { i: number }) => {
      peak = Math.max(peak, ++inFlight);
      await sleep(5);
      inFlight--;
      return { results: `r${i}` };
    };
    const here = fanOut(work, { concurrency: new ConcurrencyLimit(3, { key: "api", store, pollMs: 5 }) }, 12);
    const there = fanOut(work, { concurrency: new ConcurrencyLimit(3, { key: "api", store, pollMs: 5 }) }, 12);

    const [a, b] = await Promise.all([here.invoke({}), there.invoke({})]);

    expect(peak).toBe(3);
    expect(a.results).toHaveLength(12);
    expect(b.results).toHaveLength(12);
  });

  it("frees the slot of a holder that stopped renewing it once its lease runs out", async () => {
    const store = memoryStore();
    // A process that died holding both slots: it never renews or releases them.
    await store.acquireSlot({ key: "api", holder: "dead-1", limit: 2, leaseMs: 150 });
    await store.acquireSlot({ key: "api", holder: "dead-2", limit: 2, leaseMs: 150 });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), { concurrency: new ConcurrencyLimit(2, { key: "api", store, pollMs: 10 }) });
    const t0 = performance.now();
    expect((await graph.invoke({})).results).toEqual(["r0", "r1", "r2"]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it("fails the waiting task with LIMIT_UNAVAILABLE naming the limit when the store fails, and keeps the others' results", async () => {
    const limit = new RateLimit({
      key: "openai",
      requests: { limit: 5, intervalMs: 1000 },
      store: memoryStore({ fail: new Error("connection lost") }),
    });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), { rateLimit: limit, onError: "continue" }, 2);
    const result = await graph.run({});
    expect(result.failures).toHaveLength(2);
    const error = result.failures[0]!.error as GraphError<"LIMIT_UNAVAILABLE">;
    expect(error.code).toBe("LIMIT_UNAVAILABLE");
    expect(error.details).toMatchObject({ limit: "openai", operation: "takeRate", problem: "connection lost" });
    expect(error.message).toContain('limit "openai"');
  });

  it("fails the waiting task with LIMIT_UNAVAILABLE when the store stalls past storeTimeoutMs, rather than hang", async () => {
    const concurrency = new ConcurrencyLimit(1, { key: "slots", store: memoryStore({ stall: true }), storeTimeoutMs: 50 });
    const graph = fanOut(({ i }) => ({ results: `r${i}` }), { concurrency }, 1);
    const error = await rejectionOf(graph.invoke({}));
    expect(error.code).toBe("TASK_FAILED");
    expect(error.details.failures[0].error).toMatchObject({
      code: "LIMIT_UNAVAILABLE",
      details: { limit: "slots", operation: "acquireSlot", timeoutMs: 50 },
    });
  });
});
