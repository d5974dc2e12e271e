import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";
import { pick, range, type Workload } from "./workload.js";

const State = z.object({ n: z.number(), items: appendList(z.number()), total: z.number().optional() });

/**
 * `n` Sends to a synchronous worker, on Weft: without budgets, or with the budget work every
 * task of a metered fan-out does — the run has a token budget, each Send one of its own, and
 * each worker reserves an estimate before its "call" and settles it with the usage after.
 * The difference between the two, per task, is what a budget check costs.
 */
export function budgetedSends(n: number, budgeted: boolean): Workload {
  const graph = new StateGraph(State, { name: "budgeted-sends" })
    .addNode("planner", () => undefined)
    .addNode(
      "worker",
      ({ i }: { i: number }, ctx) => {
        if (budgeted) ctx.reserveUsage({ tokens: 1 }).settle({ tokens: 1 });
        return { items: [i] };
      },
      { input: z.object({ i: z.number() }) },
    )
    .addNode("final", (s) => ({ total: s.items.length }))
    .addEdge(START, "planner")
    .addConditionalEdges(
      "planner",
      (s) => range(s.n).map((i) => (budgeted ? new Send("worker", { i }, { budget: { tokens: 10 } }) : new Send("worker", { i }))),
      ["worker"],
    )
    .addEdge("worker", "final")
    .addEdge("final", END)
    .compile();
  const options = budgeted ? { budget: { tokens: 2 * n } } : {};
  return {
    id: `budgeted-sends/${n}/${budgeted ? "budget" : "none"}`,
    title: `${n} Sends, ${budgeted ? "each reserving and reporting usage under a run and a Send budget" : "no budgets"}`,
    per: { count: n, unit: "task" },
    weft: () => graph.invoke({ n }, options),
    project: pick("total"),
    expected: { total: n },
  };
}
