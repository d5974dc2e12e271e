import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "../src/index.js";
import { threeSteps } from "./stalled/three-steps.js";
import type { Checkpointer } from "../src/adapter.js";
import { rejectionOf } from "./helpers.js";

type Method = "get" | "list" | "put" | "putTaskResult" | "acquireLease";

/** A memory store whose chosen methods never settle while `stalled` holds them. */
function stallable(): { store: Checkpointer; stall: (...methods: Method[]) => void; resume: () => void } {
  const inner = new MemoryCheckpointer();
  const stalled = new Set<string>();
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        stalled.has(String(key)) ? new Promise(() => {}) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, stall: (...methods) => methods.forEach((method) => stalled.add(method)), resume: () => stalled.clear() };
}

/**
 * The error `start()`'s run rejects with, which must come within `ms` on fake timers and a fake
 * clock: the engine's own timers decide when, not how busy the machine is.
 */
async function rejectionWithin(ms: number, start: () => Promise<unknown>): Promise<any> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
  try {
    let outcome: { error: unknown } | undefined;
    void rejectionOf(start()).then((error) => {
      outcome = { error };
    });
    await vi.advanceTimersByTimeAsync(ms);
    // One turn of the event loop (setImmediate is not faked) lets the rejection reach the caller.
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome, `the run had not ended ${ms} ms in`).toBeDefined();
    return outcome!.error;
  } finally {
    vi.useRealTimers();
  }
}

const FINAL = ["start", "one", "two", "three"];

describe("a stalled checkpointer", () => {
  it("whose get and list never settle ends the run with RUN_TIMEOUT within timeoutMs + 100 ms", async () => {
    const { store, stall } = stallable();
    const graph = threeSteps(store);
    stall("get", "list");
    const error = await rejectionWithin(400, () => graph.invoke({ log: "start" }, { threadId: "t", timeoutMs: 300 }));
    expect(error.code).toBe("RUN_TIMEOUT");
  });

  it("whose put never settles ends the run within timeoutMs + 100 ms; the lease is released and the thread resumes", async () => {
    const { store, stall, resume } = stallable();
    const graph = threeSteps(store, () => stall("put"));
    const error = await rejectionWithin(400, () => graph.invoke({ log: "start" }, { threadId: "t", timeoutMs: 300 }));
    expect(error.code).toBe("RUN_TIMEOUT");
    resume();
    // Not THREAD_BUSY: the timed-out run gave its lease back.
    const final = await graph.invoke(null, { threadId: "t" });
    expect(final.log).toEqual(FINAL);
    expect(final).toEqual(await threeSteps(new MemoryCheckpointer()).invoke({ log: "start" }, { threadId: "t" }));
  });

  it("fails one call that takes longer than storeTimeoutMs with STORE_TIMEOUT naming the operation", async () => {
    const { store, stall, resume } = stallable();
    let once = true;
    const graph = threeSteps(store, () => {
      if (once) stall("put", "putTaskResult");
      once = false;
    });
    const error = await rejectionWithin(2000, () =>
      graph.invoke({ log: "start" }, { threadId: "t", storeTimeoutMs: 100, timeoutMs: 10_000 }),
    );
    expect(error.code).toBe("STORE_TIMEOUT");
    expect(error.details).toMatchObject({ threadId: "t", storeTimeoutMs: 100 });
    expect(["put", "putTaskResult"]).toContain(error.details.operation);
    expect(error.message).toContain(`storeTimeoutMs of 100 ms`);
    resume();
    expect((await graph.invoke(null, { threadId: "t" })).log).toEqual(FINAL);
  });

  it("ends a run waiting on the store when its signal fires, with ABORTED", async () => {
    const { store, stall } = stallable();
    const graph = threeSteps(store);
    stall("acquireLease");
    const cancel = new AbortController();
    const error = await rejectionWithin(1000, () => {
      setTimeout(() => cancel.abort(), 50);
      return graph.invoke({ log: "start" }, { threadId: "t", signal: cancel.signal });
    });
    expect(error.code).toBe("ABORTED");
  });

  it("takes storeTimeoutMs as a compile-time default", async () => {
    const { store, stall } = stallable();
    const graph = new StateGraph(z.object({ log: appendList(z.string()) }))
      .addNode("one", () => ({ log: "one" }))
      .addEdge(START, "one")
      .addEdge("one", END)
      .compile({ checkpointer: store, defaults: { storeTimeoutMs: 50 } });
    stall("get", "list");
    expect(await rejectionOf(graph.invoke({ log: "x" }, { threadId: "t" }))).toMatchObject({
      code: "STORE_TIMEOUT",
      details: { operation: "list" },
    });
  });
});
