import { z } from "zod";
import { appendList, END, Send, START, StateGraph, type NodeContext, type NodeOptions } from "../src/index.js";

/** The state of the fan-out tests: the workers' results, in Send order, and a summary. */
export const State = z.object({ results: appendList(z.string()), summary: z.string().optional() });
export const Item = z.object({ i: z.number() });

/** A graph whose START fans out one Send per item to `worker`, then ends. */
export function fanOut(
  worker: (input: { i: number }, ctx: NodeContext) => Promise<{ results: string }> | { results: string },
  options: Omit<NodeOptions<typeof State, typeof Item, never>, "input"> = {},
  count = 3,
) {
  return new StateGraph(State)
    .addNode("worker", worker, { ...options, input: Item })
    .addConditionalEdges(START, () => Array.from({ length: count }, (_, i) => new Send("worker", { i })))
    .addEdge("worker", END)
    .compile();
}
