// A module for `weft recover`: a graph whose store holds two threads waiting on interrupts with
// timeouts, one already past its deadline and one an hour from it.
import { END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import { z } from "zod";

const State = z.object({ timeoutMs: z.number(), answer: z.string().default("") });

export const graph = new StateGraph(State, { name: "waiting" })
  .addNode("ask", (s, ctx) => ({ answer: ctx.interrupt<string>("approve?", { timeoutMs: s.timeoutMs, default: "no answer" }) }))
  .addEdge(START, "ask")
  .addEdge("ask", END)
  .compile({ checkpointer: new MemoryCheckpointer() });

await graph.invoke({ timeoutMs: 1 }, { threadId: "due" });
await graph.invoke({ timeoutMs: 60 * 60_000 }, { threadId: "later" });
await new Promise((resolve) => setTimeout(resolve, 5));
