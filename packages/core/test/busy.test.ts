import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, START, StateGraph, type RunOptions } from "../src/index.js";
import type { Checkpointer } from "../src/adapter.js";
import { busyScenarios } from "./busy/busy-scenarios.js";
import { rejectionOf } from "./helpers.js";

busyScenarios("MemoryCheckpointer", {
  open: async () => {
    const store = new MemoryCheckpointer();
    return { first: store, second: store, close: async () => {} };
  },
});

describe("a thread's lease", () => {
  const Chat = z.object({ msgs: appendList(z.string()) });
  function gated(checkpointer: Checkpointer, defaults: RunOptions = {}) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    const graph = new StateGraph(Chat)
      .addNode("think", async (state) => {
        if (state.msgs.at(-1) === "a") {
          enter();
          await opened;
        }
        return { msgs: "thought" };
      })
      .addNode("reply", () => ({ msgs: "replied" }))
      .addEdge(START, "think")
      .addEdge("think", "reply")
      .addEdge("reply", END)
      .compile({ checkpointer, defaults });
    return { graph, open, entered };
  }

  /** The owner of the thread's live lease, read the way any store user can. */
  async function holder(checkpointer: Checkpointer, threadId: string): Promise<string> {
    const { acquired, lease } = await checkpointer.acquireLease({ threadId, owner: "probe", ttlMs: 1 });
    expect(acquired).toBe(false);
    return lease.owner;
  }

  it("takes the compile-time ifBusy default, and a run may override it", async () => {
    const store = new MemoryCheckpointer();
    const { graph, open, entered } = gated(store, { ifBusy: "enqueue" });
    const first = graph.invoke({ msgs: "a" }, { threadId: "t" });
    await entered;
    const queued = graph.invoke({ msgs: "b" }, { threadId: "t" });
    await expect(graph.invoke({ msgs: "c" }, { threadId: "t", ifBusy: "reject" })).rejects.toMatchObject({ code: "THREAD_BUSY" });
    open();
    await first;
    expect((await queued).msgs).toEqual(["a", "thought", "replied", "b", "thought", "replied"]);
    expect(() =>
      new StateGraph(Chat)
        .addNode("x", () => ({}))
        .addEdge(START, "x")
        .addEdge("x", END)
        .compile({ defaults: { ifBusy: "later" as never } }),
    ).toThrow(/Run option ifBusy must be one of/);
  });

  it("releases the lease when a run ends, also when it fails", async () => {
    const store = new MemoryCheckpointer();
    const graph = new StateGraph(Chat)
      .addNode("boom", () => {
        throw new Error("down");
      })
      .addEdge(START, "boom")
      .addEdge("boom", END)
      .compile({ checkpointer: store });
    await expect(graph.invoke({ msgs: "a" }, { threadId: "t" })).rejects.toMatchObject({ code: "TASK_FAILED" });
    expect((await store.acquireLease({ threadId: "t", owner: "next", ttlMs: 1000 })).acquired).toBe(true);
  });

  it("a run whose lease another run took stops at its next step boundary with LEASE_LOST, writing nothing more", async () => {
    const store = new MemoryCheckpointer();
    const { graph, open, entered } = gated(store);
    const running = graph.invoke({ msgs: "a" }, { threadId: "t" });
    await entered;
    const owner = await holder(store, "t");
    await store.releaseLease({ threadId: "t", owner });
    expect((await store.acquireLease({ threadId: "t", owner: "intruder", ttlMs: 60_000 })).acquired).toBe(true);
    const saved = (await graph.getHistory("t")).length;
    open();
    const error = await rejectionOf(running);
    expect(error).toMatchObject({ code: "LEASE_LOST", details: { threadId: "t", owner } });
    expect((error as Error).message).toMatch(/lost its lease on thread "t"/);
    expect(await graph.getHistory("t")).toHaveLength(saved);
    expect((await store.acquireLease({ threadId: "t", owner: "intruder", ttlMs: 1 })).acquired).toBe(true);
  });

  it("a write on top of a head another writer moved fails the run with CHECKPOINT_CONFLICT, with no fork", async () => {
    const store = new MemoryCheckpointer();
    const { graph, open, entered } = gated(store);
    const running = graph.invoke({ msgs: "a" }, { threadId: "t" });
    await entered;
    // A writer that ignores the lease: it frees it, writes, and hands it back.
    const owner = await holder(store, "t");
    await store.releaseLease({ threadId: "t", owner });
    await graph.updateState("t", { msgs: "sneaked in" });
    await store.acquireLease({ threadId: "t", owner, ttlMs: 60_000 });
    open();
    await expect(running).rejects.toMatchObject({ code: "CHECKPOINT_CONFLICT", details: { threadId: "t" } });
    const history = await graph.getHistory("t");
    history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
    expect(history[0]!.values.msgs).toEqual(["a", "sneaked in"]);
  });

  it("a run whose process was busy past its lease's expiry goes on when nobody took the thread", async () => {
    const graph = new StateGraph(Chat)
      .addNode("spin", () => {
        const until = Date.now() + 150;
        while (Date.now() < until); // blocks the heartbeat, as a long synchronous node does
        return { msgs: "spun" };
      })
      .addEdge(START, "spin")
      .addEdge("spin", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    expect((await graph.invoke({ msgs: "a" }, { threadId: "t", leaseTtlMs: 30 })).msgs).toEqual(["a", "spun"]);
  });

  it("updateState is refused with THREAD_BUSY while a run holds the thread", async () => {
    const store = new MemoryCheckpointer();
    const { graph, open, entered } = gated(store);
    const running = graph.invoke({ msgs: "a" }, { threadId: "t" });
    await entered;
    await expect(graph.updateState("t", { msgs: "x" })).rejects.toMatchObject({ code: "THREAD_BUSY" });
    open();
    expect((await running).msgs).toEqual(["a", "thought", "replied"]);
  });

  it("enqueued runs wait no longer than their timeoutMs or signal, and write nothing", async () => {
    const store = new MemoryCheckpointer();
    const { graph, open, entered } = gated(store);
    const running = graph.invoke({ msgs: "a" }, { threadId: "t" });
    await entered;
    const timedOut = rejectionOf(graph.invoke({ msgs: "b" }, { threadId: "t", ifBusy: "enqueue", timeoutMs: 50 }));
    const cancel = new AbortController();
    const aborted = rejectionOf(graph.invoke({ msgs: "c" }, { threadId: "t", ifBusy: "enqueue", signal: cancel.signal }));
    cancel.abort();
    expect(await timedOut).toMatchObject({ code: "RUN_TIMEOUT" });
    expect(await aborted).toMatchObject({ code: "ABORTED" });
    open();
    expect((await running).msgs).toEqual(["a", "thought", "replied"]);
    expect((await graph.getState("t"))!.values.msgs).toEqual(["a", "thought", "replied"]);
    // The line moved on: a later enqueued run is not stuck behind the ones that gave up.
    expect((await graph.invoke({ msgs: "d" }, { threadId: "t", ifBusy: "enqueue", timeoutMs: 5000 })).msgs).toHaveLength(6);
  });
});
