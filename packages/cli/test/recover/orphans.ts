// Modules for `weft recover` tests: a graph whose store holds two threads left mid-run, with
// expired leases, as a process that was killed mid-run leaves them.
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import { z } from "zod";

/** one → two; `two` failed before "the crash", and fails again on recovery when `stillDown`. */
export function orphanedBuilder(state: { down: boolean }) {
  return new StateGraph(z.object({ log: appendList(z.string()) }), { name: "orphaned" })
    .addNode("one", () => ({ log: "one" }))
    .addNode("two", () => {
      if (state.down) throw new Error("the process died here");
      return { log: "two" };
    })
    .addEdge(START, "one")
    .addEdge("one", "two")
    .addEdge("two", END);
}

/** The compiled graph, with threads `chat-1` and `chat-2` orphaned in its store. */
export async function orphanedGraph({ stillDown }: { stillDown: boolean }) {
  const checkpointer = new MemoryCheckpointer();
  const state = { down: true };
  const graph = orphanedBuilder(state).compile({ checkpointer });
  for (const threadId of ["chat-1", "chat-2"]) {
    await graph.invoke({ log: "start" }, { threadId }).catch(() => undefined);
    await checkpointer.acquireLease({ threadId, owner: "killed-process", ttlMs: 1 });
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  state.down = stillDown;
  return graph;
}
