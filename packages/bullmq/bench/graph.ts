import { appendList, Command, END, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";

/**
 * Keeps the CPU busy for `ms` milliseconds of this process's CPU time (not wall time, so that
 * processes sharing a core take longer): work that only more cores can speed up.
 */
function spin(ms: number): void {
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < 10_000; i++) Math.sqrt(i);
    const { user, system } = process.cpuUsage(start);
    used = user + system;
  }
}

const State = z.object({ count: z.number().int(), spinMs: z.number(), done: appendList(z.number()) });

/** The benchmark's graph: `plan` sends `count` tasks to `spin`, each busy for `spinMs`. */
export const graph = new StateGraph(State, { name: "bench-fan-out" })
  .addNode("plan", (s) => new Command({ goto: Array.from({ length: s.count }, (_, i) => new Send("spin", { i, ms: s.spinMs })) }), {
    ends: ["spin"],
  })
  .addNode(
    "spin",
    ({ i, ms }) => {
      if (ms > 0) spin(ms);
      return { done: i };
    },
    { input: z.object({ i: z.number(), ms: z.number() }) },
  )
  .addEdge(START, "plan")
  .addEdge("spin", END);
