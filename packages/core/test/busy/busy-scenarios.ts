import { expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, START, StateGraph, type RunOptions } from "../../src/index.js";
import type { Checkpointer, LeaseRequest } from "../../src/adapter.js";
import { rejectionOf } from "../helpers.js";

/**
 * Two runs on one thread under each `ifBusy` policy, shared by every store. `open` gives two
 * checkpointers on one storage: the same object for the memory store, two connections (two
 * drivers) for SQLite and Postgres, so that the runs meet only in the store.
 */
export interface BusyBackend {
  readonly open: () => Promise<{ readonly first: Checkpointer; readonly second: Checkpointer; readonly close: () => Promise<void> }>;
}

/** A gate a node waits on until the test opens it, or until its run is cancelled. */
class Gate {
  #open!: () => void;
  readonly #opened = new Promise<void>((resolve) => (this.#open = resolve));
  #entered!: () => void;
  /** Settles once a node is waiting at the gate. */
  readonly entered = new Promise<void>((resolve) => (this.#entered = resolve));

  wait(signal: AbortSignal): Promise<void> {
    this.#entered();
    return new Promise((resolve, reject) => {
      void this.#opened.then(resolve);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }

  open(): void {
    this.#open();
  }
}

/** The requests a store was asked to pass on, each settling once the store has it. */
function spyRequests(store: Checkpointer): { store: Checkpointer; requested: Promise<LeaseRequest> } {
  let heard!: (request: LeaseRequest) => void;
  const requested = new Promise<LeaseRequest>((resolve) => (heard = resolve));
  const spy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === "requestLease") {
        return async (options: { threadId: string; request: LeaseRequest }) => {
          const result = await (value as Checkpointer["requestLease"]).call(target, options);
          heard(options.request);
          return result;
        };
      }
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: spy, requested };
}

const Chat = z.object({ msgs: appendList(z.string()) });

/** think → reply: two steps, so a run has a step boundary in the middle; `gates` hold `think` per message. */
function chatGraph(checkpointer: Checkpointer, gates: Map<string, Gate> = new Map()) {
  return new StateGraph(Chat, { name: "chat" })
    .addNode("think", async (state, ctx) => {
      const last = state.msgs.at(-1)!;
      await gates.get(last)?.wait(ctx.signal);
      return { msgs: `think(${last})` };
    })
    .addNode("reply", (state) => ({ msgs: `reply(${state.msgs.at(-2)})` }))
    .addEdge(START, "think")
    .addEdge("think", "reply")
    .addEdge("reply", END)
    .compile({ checkpointer, defaults: { leaseTtlMs: 600 } });
}

type Graph = ReturnType<typeof chatGraph>;

/** Each checkpoint of the thread continues from the one saved before it: no fork. */
async function expectOneChain(graph: Graph, threadId: string): Promise<void> {
  const history = await graph.getHistory(threadId);
  history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
  expect(history.at(-1)!.parentId).toBeUndefined();
}

const turn = (msg: string): string[] => [msg, `think(${msg})`, `reply(${msg})`];

/** A run of graph `a` holding thread `t` at its gate, and graph `b` on the other store. */
async function holding({ first, second, t }: { first: Checkpointer; second: Checkpointer; t: string }) {
  const gate = new Gate();
  const a = chatGraph(first, new Map([["a", gate]]));
  const spy = spyRequests(second);
  const b = chatGraph(spy.store);
  await a.invoke({ msgs: "first" }, { threadId: t });
  const running = a.run({ msgs: "a" }, { threadId: t });
  await gate.entered;
  return { gate, a, b, running, requested: spy.requested };
}

export function busyScenarios(name: string, backend: BusyBackend): void {
  let count = 0;
  const scenario = (title: string, body: (stores: { first: Checkpointer; second: Checkpointer; t: string }) => Promise<void>) =>
    it(`${name}: ${title}`, async () => {
      const { first, second, close } = await backend.open();
      try {
        // A thread of its own: stores may share their tables between scenarios.
        await body({ first, second, t: `busy-${process.pid}-${Date.now()}-${count++}` });
      } finally {
        await close();
      }
    }, 30_000);

  scenario('"reject" refuses a second run with THREAD_BUSY naming the thread and its holder, writing nothing', async (stores) => {
    const { t } = stores;
    const { gate, b, running } = await holding(stores);
    const before = (await b.getHistory(t)).length;
    const error = await rejectionOf(b.invoke({ msgs: "b" }, { threadId: t }));
    expect(error).toMatchObject({ code: "THREAD_BUSY", details: { threadId: t } });
    expect((error as Error).message).toMatch(new RegExp(`Thread "${t}" is busy: run ".+" holds it`));
    expect((await b.getHistory(t)).length).toBe(before);
    gate.open();
    expect((await running).state.msgs).toEqual([...turn("first"), ...turn("a")]);
    await expectOneChain(b, t);
  });

  scenario('"enqueue" runs after the holder, in arrival order, losing no input', async (stores) => {
    const { t } = stores;
    const { gate, b, running } = await holding(stores);
    const queued = ["b", "c", "d"].map((msg) => b.invoke({ msgs: msg }, { threadId: t, ifBusy: "enqueue" }));
    gate.open();
    await running;
    await Promise.all(queued);
    const values = (await b.getState(t))!.values.msgs;
    expect(values).toEqual([...turn("first"), ...turn("a"), ...turn("b"), ...turn("c"), ...turn("d")]);
    await expectOneChain(b, t);
  });

  scenario('"enqueue" keeps every input of ten concurrent runs from two drivers', async ({ first, second, t }) => {
    const a = chatGraph(first);
    const b = chatGraph(second);
    await a.invoke({ msgs: "first" }, { threadId: t });
    const options: RunOptions = { threadId: t, ifBusy: "enqueue", timeoutMs: 20_000 };
    const msgs = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await Promise.all(msgs.map((msg, i) => (i % 2 === 0 ? a : b).invoke({ msgs: msg }, options)));
    const values = (await a.getState(t))!.values.msgs;
    for (const msg of msgs) expect(values.filter((value) => value === msg)).toHaveLength(1);
    expect(values).toHaveLength(3 * 11);
    // Each run's three entries stay together: no run interleaved with another.
    for (let i = 0; i < values.length; i += 3) expect(values.slice(i, i + 3)).toEqual(turn(values[i]!));
    await expectOneChain(a, t);
  });

  scenario('"interrupt" stops the holder at its next step boundary, keeping its finished step', async (stores) => {
    const { t } = stores;
    const { gate, b, running, requested } = await holding(stores);
    const next = b.invoke({ msgs: "b" }, { threadId: t, ifBusy: "interrupt" });
    expect(await requested).toBe("interrupt");
    gate.open();
    const stopped = await running;
    expect(stopped.status).toBe("interrupted");
    expect(stopped.interrupts).toEqual([]);
    // "think" finished and was kept; "reply" of the interrupted run never ran.
    expect(stopped.state.msgs).toEqual([...turn("first"), "a", "think(a)"]);
    expect((await next).msgs).toEqual([...turn("first"), "a", "think(a)", ...turn("b")]);
    await expectOneChain(b, t);
  });

  scenario('"rollback" cancels the holder, drops its unfinished step and runs on the committed state', async (stores) => {
    const { t } = stores;
    const { b, running } = await holding(stores);
    const next = b.invoke({ msgs: "b" }, { threadId: t, ifBusy: "rollback" });
    const error = await rejectionOf(running);
    expect(error).toMatchObject({ code: "ABORTED", details: { threadId: t, reason: "rollback" } });
    // The cancelled run's input was committed before its first step and is kept; its step is not.
    expect((await next).msgs).toEqual([...turn("first"), "a", ...turn("b")]);
    const state = await b.getState(t);
    expect(state!.next).toEqual([]);
    await expectOneChain(b, t);
  });
}
