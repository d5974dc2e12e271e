import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { appendList, Command, END, isGraphError, MemoryCheckpointer, Send, START, StateGraph, type NodeContext } from "../src/index.js";
import { type Checkpointer, type Executor, runNodeAttempt } from "../src/adapter.js";
import { rejectionOf, sleep } from "./helpers.js";

const State = z.object({ log: appendList(z.string()) });

/** One node that asks, with a timeout, and logs the answer; `runs` counts its calls. */
function askingGraph(checkpointer: Checkpointer, runs: { n: number }, timeoutMs: number) {
  return new StateGraph(State)
    .addNode("ask", (_s, ctx) => {
      runs.n++;
      const answer = ctx.interrupt<string>("approve?", { timeoutMs, default: "no answer" });
      return { log: answer };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile({ checkpointer });
}

/** The timers and clocks a test on fake time fakes: sleeps, leases and run events all follow it. */
const FAKED = ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] as const;

/** Waits until the store's clock has passed `wakeAt`. */
async function until(wakeAt: number | undefined): Promise<void> {
  expect(wakeAt).toBeTypeOf("number");
  while (Date.now() <= wakeAt!) await sleep(Math.max(1, wakeAt! - Date.now() + 1));
}

describe("ctx.interrupt with timeoutMs", () => {
  it("resumes by itself with its default once due, and recover() leaves it alone before", async () => {
    const store = new MemoryCheckpointer();
    const runs = { n: 0 };
    const graph = askingGraph(store, runs, 500);
    const before = Date.now();
    const paused = await graph.run({ log: [] }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    const [pending] = paused.interrupts;
    expect(pending).toMatchObject({ kind: "node", value: "approve?", default: "no answer" });
    expect(pending!.wakeAt).toBeGreaterThanOrEqual(before + 500);
    expect((await graph.getState("t"))!.interrupts[0]).toMatchObject({ id: pending!.id, wakeAt: pending!.wakeAt, default: "no answer" });

    expect(await graph.recover()).toEqual([]);
    expect(runs.n).toBe(1);

    await until(pending!.wakeAt);
    const recovered = await graph.recover();
    expect(recovered.map((entry) => [entry.threadId, entry.status])).toEqual([["t", "recovered"]]);
    expect(recovered[0]!.status === "recovered" && recovered[0]!.result.status).toBe("done");
    expect((await graph.getState("t"))!.values.log).toEqual(["no answer"]);
    expect(runs.n).toBe(2);
    // Woken once: nothing is due any more.
    expect(await graph.recover()).toEqual([]);
  });

  it("takes an answer that comes before the deadline, and the default is never used", async () => {
    const store = new MemoryCheckpointer();
    const runs = { n: 0 };
    const graph = askingGraph(store, runs, 60_000);
    await graph.run({ log: [] }, { threadId: "t" });
    const done = await graph.run(new Command({ resume: "approved" }), { threadId: "t" });
    expect(done.status).toBe("done");
    expect(done.state.log).toEqual(["approved"]);
    expect(await store.dueWakeups()).toEqual([]);
    expect(await graph.recover()).toEqual([]);
    expect(runs.n).toBe(2);
  });

  it("refuses an answer that comes after the deadline: the default wins, stored once", async () => {
    const store = new MemoryCheckpointer();
    const runs = { n: 0 };
    const graph = askingGraph(store, runs, 30);
    const paused = await graph.run({ log: [] }, { threadId: "t" });
    await until(paused.interrupts[0]!.wakeAt);
    const late = await rejectionOf(graph.run(new Command({ resume: "approved" }), { threadId: "t" }));
    expect(isGraphError(late) && late.code).toBe("INVALID_RESUME");
    expect(late.details).toMatchObject({ threadId: "t", id: paused.interrupts[0]!.id, wakeAt: paused.interrupts[0]!.wakeAt });
    expect(late.message).toContain("timed out");
    // A plain resume (or recover) applies the default.
    const done = await graph.run(null, { threadId: "t" });
    expect(done.state.log).toEqual(["no answer"]);
    expect(runs.n).toBe(2);
  });

  it("an answer racing the deadline and recover(): exactly one of answer and default is used, once", async () => {
    for (let trial = 0; trial < 15; trial++) {
      const store = new MemoryCheckpointer();
      const runs = { n: 0 };
      const graph = askingGraph(store, runs, 20);
      const paused = await graph.run({ log: [] }, { threadId: "t" });
      const wakeAt = paused.interrupts[0]!.wakeAt!;
      // Around the deadline: some trials answer just before it, some just after.
      await sleep(Math.max(0, wakeAt - Date.now() - 3 + (trial % 7)));
      const [answer] = await Promise.allSettled([
        graph.run(new Command({ resume: "approved" }), { threadId: "t", ifBusy: "enqueue" }),
        graph.recover(),
      ]);
      // Whatever happened, a recover() after the deadline settles the thread.
      await until(wakeAt);
      await graph.recover();
      const final = (await graph.getState("t"))!.values.log;
      expect(final.length).toBe(1);
      expect(runs.n).toBe(2);
      if (final[0] === "approved") {
        expect(answer.status).toBe("fulfilled");
      } else {
        expect(final).toEqual(["no answer"]);
        expect(answer.status === "rejected" && (answer.reason as { code?: string }).code).toBe("INVALID_RESUME");
      }
    }
  });
});

describe("ctx.sleep", () => {
  it("waits a short sleep in the running process, with its wake-up time saved first", async () => {
    const store = new MemoryCheckpointer();
    let seen: unknown;
    const graph = new StateGraph(State)
      .addNode("nap", async (_s, ctx) => {
        const sleeping = ctx.sleep(60);
        await sleep(10);
        seen = (await graph.getState("t"))!.interrupts;
        await sleeping;
        return { log: "woke" };
      })
      .addEdge(START, "nap")
      .addEdge("nap", END)
      .compile({ checkpointer: store });
    const started = Date.now();
    const done = await graph.run({ log: [] }, { threadId: "t" });
    expect(done.status).toBe("done");
    expect(Date.now() - started).toBeGreaterThanOrEqual(58);
    expect(seen).toEqual([expect.objectContaining({ kind: "sleep", value: 60, node: "nap" })]);
    expect((seen as { wakeAt: number }[])[0]!.wakeAt).toBeGreaterThanOrEqual(started + 60);
    expect((await graph.getState("t"))!.interrupts).toEqual([]);
  });

  it("pauses the run as waiting for a sleep longer than inProcessSleepMs, and recover() wakes it when due", async () => {
    const store = new MemoryCheckpointer();
    const calls: string[] = [];
    const graph = new StateGraph(State)
      .addNode("nap", async (_s, ctx) => {
        calls.push("before");
        await ctx.sleep(500);
        calls.push("after");
        return { log: "woke" };
      })
      .addEdge(START, "nap")
      .addEdge("nap", END)
      .compile({ checkpointer: store });
    const paused = await graph.run({ log: [] }, { threadId: "t", inProcessSleepMs: 20 });
    expect(paused.status).toBe("waiting");
    expect(paused.interrupts).toEqual([expect.objectContaining({ kind: "sleep", value: 500, wakeAt: expect.any(Number) })]);
    expect(await graph.recover()).toEqual([]);
    // A plain resume before it is due does not wake it either.
    expect((await graph.run(null, { threadId: "t" })).status).toBe("waiting");
    await until(paused.interrupts[0]!.wakeAt);
    const [entry] = await graph.recover();
    expect(entry!.status === "recovered" && entry!.result.status).toBe("done");
    expect(calls).toEqual(["before", "before", "after"]);
    expect(await graph.recover()).toEqual([]);
  });

  it("does not sleep again, on resume, the sleeps a task finished before it paused", async () => {
    const store = new MemoryCheckpointer();
    let slept = 0;
    const graph = new StateGraph(State)
      .addNode("steps", async (_s, ctx) => {
        const started = Date.now();
        await ctx.sleep(40);
        await ctx.sleep(40);
        slept += Date.now() - started;
        const answer = ctx.interrupt<string>("go on?");
        return { log: answer };
      })
      .addEdge(START, "steps")
      .addEdge("steps", END)
      .compile({ checkpointer: store });
    // Fake timers and clocks: what the task slept is measured in the time the engine's timers keep.
    vi.useFakeTimers({ toFake: [...FAKED] });
    try {
      const pausing = graph.run({ log: [] }, { threadId: "t" });
      await vi.advanceTimersByTimeAsync(80);
      const paused = await pausing;
      expect(paused.interrupts[0]!.id.endsWith(":2")).toBe(true);
      expect(slept).toBeGreaterThanOrEqual(80);
      slept = 0;
      const resuming = graph.run(new Command({ resume: "yes" }), { threadId: "t" });
      // Time enough for both sleeps again: the resumed task must not use it.
      await vi.advanceTimersByTimeAsync(100);
      const done = await resuming;
      expect(done.state.log).toEqual(["yes"]);
      expect(slept).toBeLessThan(40);
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops at once when the run is cancelled mid-sleep, and a later resume sleeps only what is left", async () => {
    const store = new MemoryCheckpointer();
    let after = 0;
    const graph = new StateGraph(State)
      .addNode("nap", async (_s, ctx) => {
        await ctx.sleep(1000);
        after = Date.now();
        return { log: "woke" };
      })
      .addEdge(START, "nap")
      .addEdge("nap", END)
      .compile({ checkpointer: store });
    // Fake timers and clocks: "at once" and "what is left" are measured in the engine's own time.
    vi.useFakeTimers({ toFake: [...FAKED] });
    try {
      const cancel = new AbortController();
      const started = Date.now();
      let ended: unknown;
      void rejectionOf(graph.run({ log: [] }, { threadId: "t", signal: cancel.signal })).then((error) => {
        ended = error;
      });
      await vi.advanceTimersByTimeAsync(30);
      cancel.abort();
      // At once: the run ends with no more time passing (its sleep would need 970 ms more); one
      // turn of the event loop (setImmediate is not faked) lets the rejection reach the caller.
      await new Promise((resolve) => setImmediate(resolve));
      expect(ended, "the run had not ended").toBeDefined();
      expect(isGraphError(ended) && ended.code).toBe("ABORTED");
      const [sleeping] = (await graph.getState("t"))!.interrupts;
      expect(sleeping).toMatchObject({ kind: "sleep", value: 1000 });
      // Saved when the sleep began, as the run started.
      expect(sleeping!.wakeAt).toBe(started + 1000);
      // Resumed before it is due: still waiting. Resumed after: it does not sleep 1000 ms again.
      expect((await graph.run(null, { threadId: "t" })).status).toBe("waiting");
      await vi.advanceTimersByTimeAsync(sleeping!.wakeAt! - Date.now());
      const resumedAt = Date.now();
      const resumed = graph.run(null, { threadId: "t" });
      await vi.advanceTimersByTimeAsync(1000);
      expect((await resumed).status).toBe("done");
      expect(after - resumedAt).toBeLessThan(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it("waits in the process under a node timeout too, and pauses when an executor elsewhere runs the node", async () => {
    const build = (executor?: Executor) =>
      new StateGraph(State)
        .addNode(
          "nap",
          async (_s, ctx) => {
            await ctx.sleep(30);
            return { log: "woke" };
          },
          { timeoutMs: 5000 },
        )
        .addEdge(START, "nap")
        .addEdge("nap", END)
        .compile({ checkpointer: new MemoryCheckpointer(), ...(executor === undefined ? {} : { executor }) });
    expect((await build().run({ log: [] }, { threadId: "t" })).status).toBe("done");
    // A worker in another process has no store to save the sleep in: it pauses the run.
    const graph = build();
    const elsewhere: Executor = {
      runAttempt: async (request, control) =>
        runNodeAttempt(graph.toIR().nodes.get(request.node)!, request, { signal: control.signal, emit: control.emit }),
    };
    const remote = build(elsewhere);
    const paused = await remote.run({ log: [] }, { threadId: "t" });
    expect(paused.status).toBe("waiting");
    await until(paused.interrupts[0]!.wakeAt);
    const [entry] = await remote.recover();
    expect(entry!.status === "recovered" && entry!.result.state.log).toEqual(["woke"]);
  });

  it("is a plain wait without a thread", async () => {
    const graph = new StateGraph(State)
      .addNode("nap", async (_s, ctx) => {
        await ctx.sleep(30);
        await ctx.sleep(0);
        return { log: "woke" };
      })
      .addEdge(START, "nap")
      .addEdge("nap", END)
      .compile();
    const started = Date.now();
    expect(await graph.invoke({ log: [] })).toEqual({ log: ["woke"] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(28);
  });
});

describe("parallel timed waits", () => {
  it("Sends that sleep and ask with different deadlines each wake when due; the state is in Send order", async () => {
    const store = new MemoryCheckpointer();
    const Job = z.object({ name: z.string(), ms: z.number(), ask: z.boolean() });
    const graph = new StateGraph(State)
      .addNode(
        "worker",
        async ({ name, ms, ask }, ctx) => {
          if (ask) return { log: `${name}:${ctx.interrupt<string>(`${name}?`, { timeoutMs: ms, default: "default" })}` };
          await ctx.sleep(ms);
          return { log: `${name}:slept` };
        },
        { input: Job },
      )
      .addConditionalEdges(START, () => [
        new Send("worker", { name: "late", ms: 1200, ask: false }),
        new Send("worker", { name: "asked", ms: 60_000, ask: true }),
        new Send("worker", { name: "early", ms: 100, ask: false }),
        new Send("worker", { name: "mid", ms: 600, ask: true }),
      ])
      .addEdge("worker", END)
      .compile({ checkpointer: store });
    const paused = await graph.run({ log: [] }, { threadId: "t", inProcessSleepMs: 0 });
    expect(paused.status).toBe("interrupted");
    const wake = new Map(paused.interrupts.map((pending) => [pending.sendIndex, pending]));
    expect([...wake.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(wake.get(0)!.kind).toBe("sleep");
    expect(wake.get(3)!.kind).toBe("node");

    // The earliest wake-up is the thread's: it is due first, and only what is due wakes.
    await until(wake.get(2)!.wakeAt);
    let [entry] = await graph.recover();
    expect(entry!.status === "recovered" && entry!.result.interrupts.map((i) => i.sendIndex).sort()).toEqual([0, 1, 3]);
    expect((await graph.getState("t"))!.finished.map((ref) => ref.sendIndex)).toEqual([2]);

    await until(wake.get(3)!.wakeAt);
    [entry] = await graph.recover();
    expect(entry!.status === "recovered" && entry!.result.interrupts.map((i) => i.sendIndex).sort()).toEqual([0, 1]);
    // An answer before its deadline, while the last sleep has not woken yet.
    const answered = await graph.run(new Command({ resume: { [wake.get(1)!.id]: "yes" } }), { threadId: "t" });
    expect(answered.status).toBe("waiting");
    expect(answered.interrupts.map((i) => i.sendIndex)).toEqual([0]);

    await until(wake.get(0)!.wakeAt);
    [entry] = await graph.recover();
    expect(entry!.status === "recovered" && entry!.result.status).toBe("done");
    expect((await graph.getState("t"))!.values.log).toEqual(["late:slept", "asked:yes", "early:slept", "mid:default"]);
    expect(await graph.recover()).toEqual([]);
  });
});

describe("timed waits at scale", () => {
  it("200 Sends sleeping in the process and 200 pausing each wake once, and the state is in Send order", async () => {
    const Job = z.object({ i: z.number() });
    const woke: number[] = [];
    const graph = new StateGraph(State)
      .addNode(
        "worker",
        async ({ i }, ctx) => {
          await ctx.sleep((i % 5) * 40);
          woke.push(i);
          return { log: `w${i}` };
        },
        { input: Job },
      )
      .addConditionalEdges(START, () => Array.from({ length: 200 }, (_, i) => new Send("worker", { i })))
      .addEdge("worker", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const expected = Array.from({ length: 200 }, (_, i) => `w${i}`);

    const inProcess = await graph.run({ log: [] }, { threadId: "here" });
    expect(inProcess.status).toBe("done");
    expect(inProcess.state.log).toEqual(expected);
    expect(woke.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));

    woke.length = 0;
    let result = await graph.run({ log: [] }, { threadId: "paused", inProcessSleepMs: 0 });
    expect(result.status).toBe("waiting");
    expect(result.interrupts).toHaveLength(160);
    let rounds = 0;
    while (result.status === "waiting") {
      rounds++;
      await until(Math.min(...result.interrupts.map((wait) => wait.wakeAt!)));
      const [entry] = await graph.recover();
      if (entry!.status !== "recovered") throw new Error(`unexpected ${entry!.status}`);
      result = entry!.result;
    }
    // Each recover() wakes every Send then due; at most one round per distinct wake-up time.
    expect(rounds).toBeLessThanOrEqual(4);
    expect(result.state.log).toEqual(expected);
    expect(woke.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await graph.recover()).toEqual([]);
  });
});

describe("the store's clock", () => {
  it("counts wake-up times by the checkpointer's clock, not the process's", async () => {
    const skew = 10 * 60_000;
    const store = skewedStore(new MemoryCheckpointer(), skew);
    const runs = { n: 0 };
    const graph = askingGraph(store, runs, 400);
    const paused = await graph.run({ log: [] }, { threadId: "t" });
    expect(paused.interrupts[0]!.wakeAt).toBeGreaterThan(Date.now() + skew);
    // By this process's clock it was due ten minutes ago; by the store's, it is not due yet.
    expect(await graph.recover()).toEqual([]);
    expect((await graph.run(null, { threadId: "t" })).status).toBe("interrupted");
    await sleep(450);
    expect((await graph.recover()).map((entry) => entry.status)).toEqual(["recovered"]);
    expect((await graph.getState("t"))!.values.log).toEqual(["no answer"]);
  });
});

describe("bad wait options", () => {
  function failing(body: (ctx: NodeContext) => unknown) {
    return new StateGraph(State)
      .addNode("waiter", async (_s, ctx) => {
        await body(ctx);
        return { log: "ran" };
      })
      .addEdge(START, "waiter")
      .addEdge("waiter", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
  }

  it.each([
    ["a negative timeoutMs", (ctx: any) => ctx.interrupt("q", { timeoutMs: -1 }), "timeoutMs"],
    ["a NaN timeoutMs", (ctx: any) => ctx.interrupt("q", { timeoutMs: Number.NaN }), "timeoutMs"],
    ["an infinite timeoutMs", (ctx: any) => ctx.interrupt("q", { timeoutMs: Number.POSITIVE_INFINITY }), "timeoutMs"],
    ["a string timeoutMs", (ctx: any) => ctx.interrupt("q", { timeoutMs: "10" }), "timeoutMs"],
    ["no timeoutMs", (ctx: any) => ctx.interrupt("q", { default: 1 }), "timeoutMs"],
    ["a misspelt option", (ctx: any) => ctx.interrupt("q", { timeoutMs: 5, defualt: 1 }), "defualt"],
    ["options that are not an object", (ctx: any) => ctx.interrupt("q", 5), "options"],
    ["a negative sleep", (ctx: any) => ctx.sleep(-5), "ms"],
    ["a NaN sleep", (ctx: any) => ctx.sleep(Number.NaN), "ms"],
    ["an infinite sleep", (ctx: any) => ctx.sleep(Number.POSITIVE_INFINITY), "ms"],
    ["a sleep past any date", (ctx: any) => ctx.sleep(1e300), "ms"],
    ["a timeout past any date", (ctx: any) => ctx.interrupt("q", { timeoutMs: 2 ** 60 }), "timeoutMs"],
    ["a sleep of a string", (ctx: any) => ctx.sleep("10"), "ms"],
  ])("%s fails the task with INVALID_OPTION naming the node and the option", async (_name, body, option) => {
    const error = await rejectionOf(failing(body).invoke({ log: [] }, { threadId: "t" }));
    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    const cause = error.cause;
    expect(isGraphError(cause) && cause.code).toBe("INVALID_OPTION");
    expect(cause.details).toMatchObject({ node: "waiter", option });
    expect(cause.message).toContain('Node "waiter"');
    expect(cause.message).toContain(option);
  });

  it.each([
    ["a default", { timeoutMs: 10, default: () => "yes" }, "a default answer", "default"],
    ["a question", undefined, "a value", "value"],
  ])("an interrupt with %s a checkpoint cannot store fails naming the node", async (_name, options, what, path) => {
    const graph = failing((ctx) => ctx.interrupt(options === undefined ? { ask: Symbol("q") } : "q", options as never));
    const error = await rejectionOf(graph.invoke({ log: [] }, { threadId: "t" }));
    expect(isGraphError(error) && error.code).toBe("INVALID_UPDATE");
    expect(error.details).toMatchObject({ node: "waiter", path: expect.stringMatching(new RegExp(`^${path}`)) });
    expect(error.message).toContain(`Node "waiter" called interrupt() with ${what} a checkpoint cannot store`);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31, "10"])("refuses inProcessSleepMs %s before anything runs", async (value) => {
    const graph = failing(() => undefined);
    const error = await rejectionOf(graph.invoke({ log: [] }, { threadId: "t", inProcessSleepMs: value as number }));
    expect(isGraphError(error) && error.code).toBe("INVALID_OPTION");
    expect(error.details).toMatchObject({ option: "inProcessSleepMs" });
    expect(await graph.getState("t")).toBeUndefined();
  });
});

/** `store` with a clock `skewMs` ahead of this process's: its `now()` and its wake-ups. */
function skewedStore(store: MemoryCheckpointer, skewMs: number): Checkpointer {
  const wakeups = new Map<string, number>();
  return new Proxy(store, {
    get(target, property) {
      if (property === "now") return async () => Date.now() + skewMs;
      if (property === "setWakeup")
        return async ({ threadId, wakeAt }: { threadId: string; wakeAt: number | null }) =>
          wakeAt === null ? wakeups.delete(threadId) : wakeups.set(threadId, wakeAt);
      if (property === "dueWakeups")
        return async () =>
          [...wakeups].filter(([, wakeAt]) => wakeAt <= Date.now() + skewMs).map(([threadId, wakeAt]) => ({ threadId, wakeAt }));
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
