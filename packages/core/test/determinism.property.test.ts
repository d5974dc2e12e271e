import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, reducer, Send, START, StateGraph } from "../src/index.js";
import { sleep } from "./helpers.js";

const State = z.object({
  trace: appendList(z.string()),
  total: reducer(z.number(), (sum, n: number) => sum + n, 0),
  maxima: reducer(z.array(z.number()), (all, n: number) => [...all, n], []),
});
const Item = z.object({ branch: z.number(), index: z.number() });

/** A random graph: parallel branches of chained nodes, some of which fan out Sends, joined at the end. */
const shapes = fc.array(
  fc.array(fc.record({ sends: fc.integer({ min: 0, max: 3 }), weight: fc.integer({ min: 1, max: 9 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
  { minLength: 1, maxLength: 5 },
);

function build(branches: { sends: number; weight: number }[][], delayOf: (name: string) => number) {
  const work = async (name: string, weight: number) => {
    const delay = delayOf(name);
    if (delay > 0) await sleep(delay);
    return { trace: name, total: weight, maxima: weight * 10 };
  };
  // Built from random data, so node names are plain strings: the typed builder cannot check them.
  let graph: any = new StateGraph(State);
  const sends = branches.some((chain) => chain.some((node) => node.sends > 0));
  if (sends) {
    graph = graph
      .addNode("worker", ({ branch, index }: z.infer<typeof Item>) => work(`w${branch}.${index}`, branch + index), { input: Item })
      .addEdge("worker", END);
  }
  const lasts: string[] = [];
  branches.forEach((chain, b) => {
    chain.forEach((node, n) => {
      const name = `b${b}n${n}`;
      graph = graph.addNode(name, () => work(name, node.weight));
      graph = n === 0 ? graph.addEdge(START, name) : graph.addEdge(`b${b}n${n - 1}`, name);
      if (node.sends > 0) {
        graph = graph.addConditionalEdges(name, () =>
          Array.from({ length: node.sends }, (_, index) => new Send("worker", { branch: b, index })),
        );
      }
    });
    lasts.push(`b${b}n${chain.length - 1}`);
  });
  graph = graph.addNode("join", (s: { total: number }) => ({ trace: `join@${s.total}` }));
  graph = lasts.length === 1 ? graph.addEdge(lasts[0]!, "join") : graph.addEdge(lasts as [string, ...string[]], "join");
  return (graph as StateGraph<typeof State, { nodes: {}; ends: never }>).addEdge(["join" as never], END).compile();
}

describe("determinism", () => {
  it("the final state does not depend on task completion order", async () => {
    await fc.assert(
      fc.asyncProperty(shapes, fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 64, maxLength: 64 }), async (branches, delays) => {
        let i = 0;
        const delayed = new Map<string, number>();
        const randomDelay = (name: string) => {
          if (!delayed.has(name)) delayed.set(name, delays[i++ % delays.length]!);
          return delayed.get(name)!;
        };
        const reference = await build(branches, () => 0).invoke({}, { maxSteps: 50 });
        const shuffled = await build(branches, randomDelay).invoke({}, { maxSteps: 50 });
        expect(shuffled).toEqual(reference);
      }),
      { numRuns: 40 },
    );
  });
});
