import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { END, GraphError, START, StateGraph } from "../src/index.js";
import { rejectionOf, sleep } from "./helpers.js";

/** Counts the AbortControllers made while it is installed. */
function countControllers(): { readonly made: () => number; readonly restore: () => void } {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  return { made: () => made, restore: () => (globalThis.AbortController = Original) };
}

const Counter = z.object({ count: z.number() });

describe("a step's signal", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("is made only when a node reads ctx.signal: a 200-step loop without a thread that never does makes no controller", async () => {
    const graph = new StateGraph(Counter)
      .addNode("tick", (s) => ({ count: s.count + 1 }))
      .addEdge(START, "tick")
      .addConditionalEdges("tick", (s) => (s.count < 200 ? "tick" : END), ["tick", END])
      .compile();
    await graph.invoke({ count: 0 }, { maxSteps: 200 });
    const counter = countControllers();
    restore = counter.restore;
    expect(await graph.invoke({ count: 0 }, { maxSteps: 200 })).toEqual({ count: 200 });
    expect(counter.made()).toBe(0);
  });

  it("is made once per step for the nodes that read it, and is the same object for every task of the step", async () => {
    const seen: AbortSignal[] = [];
    const Fan = z.object({ count: z.number() });
    const graph = new StateGraph(Fan)
      .addNode("a", (_s, ctx) => {
        seen.push(ctx.signal);
        return {};
      })
      .addNode("b", (_s, ctx) => {
        seen.push(ctx.signal, ctx.signal);
        return {};
      })
      .addEdge(START, "a")
      .addEdge(START, "b")
      .addEdge("a", END)
      .addEdge("b", END)
      .compile();
    const counter = countControllers();
    restore = counter.restore;
    await graph.invoke({ count: 0 });
    expect(counter.made()).toBe(1);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]!.aborted).toBe(false);
  });

  it("is already aborted, with the sibling's failure, when a node first reads it after that sibling failed the step", async () => {
    let seen: { aborted: boolean; reason: unknown } | undefined;
    const graph = new StateGraph(Counter)
      .addNode("fails", () => {
        throw new Error("broken");
      })
      .addNode("slow", async (_s, ctx) => {
        await sleep(20);
        seen = { aborted: ctx.signal.aborted, reason: ctx.signal.reason };
        return {};
      })
      .addEdge(START, "fails")
      .addEdge(START, "slow")
      .addEdge("fails", END)
      .addEdge("slow", END)
      .compile();
    const error = await rejectionOf(graph.invoke({ count: 0 }));
    expect(error).toBeInstanceOf(GraphError);
    expect(seen).toMatchObject({ aborted: true, reason: { code: "ABORTED", details: { node: "fails" } } });
    expect(seen!.reason).toBeInstanceOf(GraphError);
  });
});
