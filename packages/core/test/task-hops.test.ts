import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, Send, START, StateGraph } from "../src/index.js";

/**
 * How many turns of the microtask queue a fan-out takes from its last worker's promise
 * resolving to the node after the fan-out starting: each turn is a promise the engine waits on.
 */
async function turnsAfterLastWorker(n: number): Promise<number> {
  const resolvers: (() => void)[] = [];
  let finalStarted = false;
  const State = z.object({ items: appendList(z.number()) });
  const graph = new StateGraph(State, { name: "hops" })
    .addNode("planner", () => undefined)
    .addNode(
      "worker",
      ({ i }: { i: number }) => new Promise<{ items: number[] }>((resolve) => resolvers.push(() => resolve({ items: [i] }))),
      { input: z.object({ i: z.number() }) },
    )
    .addNode("final", () => {
      finalStarted = true;
      return undefined;
    })
    .addEdge(START, "planner")
    .addConditionalEdges("planner", () => Array.from({ length: n }, (_, i) => new Send("worker", { i })), ["worker"])
    .addEdge("worker", "final")
    .addEdge("final", END)
    .compile();
  const run = graph.invoke({});
  while (resolvers.length < n) await new Promise((resolve) => setImmediate(resolve));
  for (const resolve of resolvers) resolve();
  let turns = 0;
  while (!finalStarted && turns < 1000) {
    await Promise.resolve();
    turns++;
  }
  const final = await run;
  expect(final.items).toEqual(Array.from({ length: n }, (_, i) => i));
  return turns;
}

describe("a task whose node returns a promise", () => {
  it("tells its step how it ended in the turn after the promise resolves", async () => {
    // One turn to read the node's result and record the task's outcome, one for the step to
    // end, one for the run to go on to its next step: however many tasks the step has.
    expect(await turnsAfterLastWorker(3)).toBe(3);
    expect(await turnsAfterLastWorker(30)).toBe(3);
  });
});
