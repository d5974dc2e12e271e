import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { z } from "zod";

/** How many workers the plan node sends; each is a subgraph of three nodes in a row. */
export const SUBGRAPH_WORKERS = 12;
export const INNER_NODES = ["draft", "critique", "revise"] as const;

const Section = z.object({ i: z.number(), text: appendList(z.string()) });
const State = z.object({ text: appendList(z.string()), report: z.string().optional() });

/**
 * plan → 12 × Send("section", { i }) → assemble, where `section` is a compiled graph:
 * draft → critique → revise. Each inner node appends `<i> <node>` to `log` when it starts.
 */
export function subgraphGraph({ checkpointer, log }: { readonly checkpointer?: Checkpointer; readonly log?: string }) {
  const node = (name: string) => async (s: { i: number }) => {
    if (log !== undefined) appendFileSync(log, `${s.i} ${name}\n`);
    await sleep(5 + ((s.i * 7 + name.length) % 11));
    return { text: `${s.i}:${name}` };
  };
  const section = new StateGraph(Section, { name: "section" })
    .addNode("draft", node("draft"))
    .addNode("critique", node("critique"))
    .addNode("revise", node("revise"))
    .addEdge(START, "draft")
    .addEdge("draft", "critique")
    .addEdge("critique", "revise")
    .addEdge("revise", END)
    .compile();
  return new StateGraph(State, { name: "subgraph-crash" })
    .addNode("plan", () => ({}))
    .addNode("section", section, { concurrency: 4 })
    .addNode("assemble", (state) => ({ report: `${state.text.length} lines` }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => Array.from({ length: SUBGRAPH_WORKERS }, (_, i) => new Send("section", { i })))
    .addEdge("section", "assemble")
    .addEdge("assemble", END)
    .compile({ checkpointer });
}
