import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, GraphError, Send, START, StateGraph } from "../src/index.js";

/**
 * Tasks whose node returns a promise finish as their synchronous twins do, whatever their
 * promise brings: a plain update, a Command, an error under each policy, or routes to choose.
 */
const State = z.object({ items: appendList(z.number()), seen: appendList(z.string()) });
const Input = z.object({ i: z.number() });
const tick = () => new Promise((resolve) => setImmediate(resolve));

function fanOut(worker: (input: { i: number }) => Promise<unknown>, options: { onError?: "fail" | "continue" } = {}) {
  return new StateGraph(State, { name: "async" })
    .addNode("planner", () => undefined)
    .addNode("worker", worker as (input: { i: number }) => Promise<{ items: number[] }>, { input: Input, ends: ["other"], ...options })
    .addNode("after", () => ({ seen: ["after"] }))
    .addNode("other", () => ({ seen: ["other"] }))
    .addEdge(START, "planner")
    .addConditionalEdges("planner", () => [0, 1, 2, 3].map((i) => new Send("worker", { i })), ["worker"])
    .addEdge("worker", "after")
    .addEdge("after", END)
    .addEdge("other", END)
    .compile();
}

describe("a task whose node returns a promise", () => {
  it("commits its plain update in Send order, however its promise settles", async () => {
    const final = await fanOut(async ({ i }) => {
      for (let t = 0; t < 4 - i; t++) await tick();
      return { items: [i] };
    }).invoke({});
    expect(final.items).toEqual([0, 1, 2, 3]);
    expect(final.seen).toEqual(["after"]);
  });

  it("follows a Command its promise brings", async () => {
    const final = await fanOut(async ({ i }) => {
      await tick();
      return i === 2 ? new Command({ update: { items: [i] }, goto: "other" }) : { items: [i] };
    }).invoke({});
    expect(final.items).toEqual([0, 1, 2, 3]);
    expect(final.seen).toEqual(["after", "other"]);
  });

  it("keeps going past a rejection under onError 'continue', and fails the run under 'fail'", async () => {
    const worker = async ({ i }: { i: number }) => {
      await tick();
      if (i === 1) throw new Error("worker 1 broke");
      return { items: [i] };
    };
    const kept = await fanOut(worker, { onError: "continue" }).invoke({});
    expect(kept.items).toEqual([0, 2, 3]);
    const failed = await fanOut(worker, { onError: "fail" })
      .invoke({})
      .catch((error: unknown) => error);
    expect((failed as Error).message).toContain("worker 1 broke");
  });

  it("refuses an invalid update its promise brings, naming the node", async () => {
    const error = await fanOut(async ({ i }) => {
      await tick();
      return { items: [i], missing: 1 };
    })
      .invoke({})
      .catch((thrown: unknown) => thrown);
    expect(((error as Error).cause as Error).message).toContain('"missing"');
  });

  it("runs its node's routers on the update its promise brings", async () => {
    const graph = new StateGraph(State, { name: "routed" })
      .addNode("planner", () => undefined)
      .addNode(
        "worker",
        async ({ i }: { i: number }) => {
          await tick();
          return { items: [i] };
        },
        { input: Input },
      )
      .addNode("other", () => ({ seen: ["other"] }))
      .addEdge(START, "planner")
      .addConditionalEdges("planner", () => [0, 1].map((i) => new Send("worker", { i })), ["worker"])
      .addConditionalEdges("worker", (s) => (s.items.length > 0 ? "other" : END), ["other", END])
      .addEdge("other", END)
      .compile();
    const final = await graph.invoke({});
    expect(final.items).toEqual([0, 1]);
    expect(final.seen).toEqual(["other"]);
  });
});

describe("a task whose node's promise brings a value that throws when read", () => {
  it("fails the run with that error instead of leaving the step waiting", async () => {
    // Not a thenable (its `then` reads as undefined), but reading any symbol key throws.
    const proxy = new Proxy(
      {},
      {
        get: (_, key) => {
          if (typeof key === "symbol") throw new TypeError("no symbol keys here");
          return undefined;
        },
      },
    );
    const error = await fanOut(async () => {
      await tick();
      return proxy;
    })
      .invoke({})
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).cause).toBeInstanceOf(TypeError);
    expect(((error as GraphError).cause as Error).message).toBe("no symbol keys here");
  });
});
