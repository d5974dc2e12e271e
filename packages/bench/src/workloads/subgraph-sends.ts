import * as weftCore from "@weft/core";
import { Command, END, Send, START } from "@weft/core";
import { z } from "zod";
import { countItems, sendsState, sendToWorkers, type WeftCore } from "./sends.js";
import { pick, range, type RunOnce, type Workload } from "./workload.js";

/** The worker's three steps, the same functions in both graphs: x = (i + 1) × 2, kept as the item. */
const a = ({ i }: { i: number }) => ({ x: i + 1 });
const b = ({ x }: { x: number }) => ({ x: x * 2 });
const c = ({ x }: { x: number }) => ({ items: [x] });

/**
 * `n` Sends to a subgraph of three sync nodes (`a` → `b` → `c`), beside the same three nodes
 * inlined in the parent graph: `n` Sends to `worker_a`, each of which hands its item on to
 * `worker_b` and then `worker_c` with a Send of its own (an edge would start the next node once,
 * not once per item). Both run the same node functions `3n` times and reach the same final state;
 * the difference over `n` is what running a graph as a node costs per run.
 */
export function subgraphSends(n: number): Workload {
  const subgraph = subgraphGraph();
  const inlined = inlinedGraph();
  return {
    id: `subgraphs/${n}`,
    title: `${n} Sends to a 3-node subgraph`,
    subgraphRuns: n,
    weft: () => subgraph.invoke({ n }),
    none: () => inlined.invoke({ n }),
    project: pick("items", "total"),
    expected: { items: range(n).map((i) => (i + 1) * 2), total: n },
  };
}

/** One run of `n` Sends to the subgraph on the given copy of core, for side-by-side comparisons. */
export function weftSubgraphSends(n: number, core: WeftCore = weftCore): RunOnce {
  const graph = subgraphGraph(core);
  return () => graph.invoke({ n });
}

/**
 * The fan-out of `weftSendsGraph` (its state, router and `final`), where `worker` is the
 * compiled graph a → b → c.
 */
function subgraphGraph(core: WeftCore = weftCore) {
  const { StateGraph } = core;
  const Worker = z.object({ i: z.number(), x: z.number().default(0), items: core.appendList(z.number()) });
  const worker = new StateGraph(Worker, { name: "worker", input: Worker.pick({ i: true }), output: Worker.pick({ items: true }) })
    .addNode("a", a)
    .addNode("b", b)
    .addNode("c", c)
    .addEdge(core.START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", core.END)
    .compile();
  return new StateGraph(sendsState(core), { name: "subgraph-sends" })
    .addNode("planner", () => undefined)
    .addNode("worker", worker)
    .addNode("final", countItems)
    .addEdge(core.START, "planner")
    .addConditionalEdges("planner", sendToWorkers(core), ["worker"])
    .addEdge("worker", "final")
    .addEdge("final", core.END)
    .compile();
}

/** planner → n × Send("worker_a", { i }) → Send("worker_b", { x }) → Send("worker_c", { x }) → final. */
function inlinedGraph() {
  const { StateGraph } = weftCore;
  const I = z.object({ i: z.number() });
  const X = z.object({ x: z.number() });
  return new StateGraph(sendsState(), { name: "inlined-sends" })
    .addNode("planner", () => undefined)
    .addNode("worker_a", (input) => new Command({ goto: new Send("worker_b", a(input)) }), { input: I, ends: ["worker_b"] })
    .addNode("worker_b", (input) => new Command({ goto: new Send("worker_c", b(input)) }), { input: X, ends: ["worker_c"] })
    .addNode("worker_c", c, { input: X })
    .addNode("final", countItems)
    .addEdge(START, "planner")
    .addConditionalEdges("planner", (s) => range(s.n).map((i) => new Send("worker_a", { i })), ["worker_a"])
    .addEdge("worker_c", "final")
    .addEdge("final", END)
    .compile();
}
