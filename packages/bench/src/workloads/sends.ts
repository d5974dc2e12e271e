import { Annotation, END as LG_END, Send as LGSend, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import * as weftCore from "@weft/core";
import { z } from "zod";
import { pick, range, type Workload } from "./workload.js";

/**
 * Fan-out: `planner` emits `n` Sends to `worker`, each appends its index to `items`
 * (append reducer), then `final` counts them.
 */
export function sends(n: number): Workload {
  return {
    id: `sends/${n}`,
    title: `${n} Sends → append reducer`,
    weft: weftSends(n),
    langgraph: langgraphSends(n),
    none: handWritten(n),
    project: pick("items", "total"),
    expected: { items: range(n), total: n },
  };
}

const WorkerInput = z.object({ i: z.number() });

/** What a worker returns: its one item. */
export type WorkerUpdate = { items: number[] };

/** A copy of `@weft/core`'s exports: this workspace's, or another revision's (see `compare`). */
export type WeftCore = typeof weftCore;

/**
 * The fan-out's state: `n`, the items the workers append, and their count. Built with the given
 * copy of core, which the graph must be built with too: each copy knows only its own reducer marks.
 */
export function sendsState(core: WeftCore = weftCore) {
  return z.object({ n: z.number(), items: core.appendList(z.number()), total: z.number().optional() });
}

/** The planner's router: one Send to `worker` with `{ i }` for every `i < n`. */
export function sendToWorkers(core: WeftCore = weftCore) {
  return (s: { n: number }) => range(s.n).map((i) => new core.Send("worker", { i }));
}

/** The `final` node: counts the items. */
export const countItems = (s: { items: readonly number[] }) => ({ total: s.items.length });

/**
 * The fan-out graph on Weft, with the worker given: `planner` → n × Send("worker", { i }) →
 * `final`. Invoke it with `{ n }`. Built with this workspace's core unless `core` is given;
 * `concurrency` caps the worker node.
 */
export function weftSendsGraph(
  worker: (input: { i: number }) => WorkerUpdate | Promise<WorkerUpdate>,
  options: { readonly core?: WeftCore; readonly concurrency?: number | weftCore.ConcurrencyLimit | undefined } = {},
) {
  const { core = weftCore, concurrency } = options;
  return new core.StateGraph(sendsState(core), { name: "sends" })
    .addNode("planner", () => undefined)
    .addNode("worker", worker, concurrency === undefined ? { input: WorkerInput } : { input: WorkerInput, concurrency })
    .addNode("final", countItems)
    .addEdge(core.START, "planner")
    .addConditionalEdges("planner", sendToWorkers(core), ["worker"])
    .addEdge("worker", "final")
    .addEdge("final", core.END)
    .compile();
}

function weftSends(n: number) {
  const graph = weftSendsGraph(({ i }) => ({ items: [i] }));
  return () => graph.invoke({ n });
}

/**
 * The hand-written floor: what the fan-out costs with no engine. The same worker called once
 * per Send in a plain loop, its input checked with the same schema, its items appended in
 * order, then counted.
 */
function handWritten(n: number) {
  const worker = ({ i }: { i: number }): WorkerUpdate => ({ items: [i] });
  return async () => {
    const items: number[] = [];
    for (const i of range(n)) items.push(...worker(WorkerInput.parse({ i })).items);
    return { items, total: items.length };
  };
}

const LangGraphState = Annotation.Root({
  n: Annotation<number>,
  items: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  total: Annotation<number>,
});

function langgraphSends(n: number) {
  const graph = new LGStateGraph(LangGraphState)
    .addNode("planner", () => ({}))
    .addNode("worker", (input: { i: number }) => ({ items: [input.i] }))
    .addNode("final", (s) => ({ total: s.items.length }))
    .addEdge(LG_START, "planner")
    .addConditionalEdges("planner", (s) => range(s.n).map((i) => new LGSend("worker", { i })), ["worker"])
    .addEdge("worker", "final")
    .addEdge("final", LG_END)
    .compile();
  return () => graph.invoke({ n }, { recursionLimit: 100 });
}
