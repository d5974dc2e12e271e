import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import { appendList, END, START, StateGraph, type NodeFn, type StateOf } from "@weft/core";
import { z } from "zod";
import { pick, range, type Workload } from "./workload.js";

/**
 * `width` static branches from START, each appending its index to `seen`, all joined into
 * `join`, which runs once, after every branch, and counts them.
 *
 * LangGraph.js applies a step's writes in the order of the node names as strings (b10
 * before b2), Weft in declaration order; zero-padded names make the two orders agree.
 */
export function join(width: number): Workload {
  return {
    id: `join/${width}`,
    title: `${width} branches → join`,
    weft: weftJoin(width),
    langgraph: langgraphJoin(width),
    project: pick("seen", "total"),
    expected: { seen: range(width), total: width },
  };
}

const WeftState = z.object({ seen: appendList(z.number()), total: z.number().optional() });
type WeftState = typeof WeftState;

function weftJoin(width: number) {
  const names = branchNames(width);
  // "join" goes first: once the names are widened to `string`, every new name reads as taken.
  let builder = withNodes(
    new StateGraph(WeftState, { name: "join" }).addNode("join", (s) => ({ total: s.seen.length })),
    names.map((name, i) => [name, () => ({ seen: [i] })]),
  );
  for (const name of names) builder = builder.addEdge(START, name);
  const graph = builder
    .addEdge(names as [string, ...string[]], "join")
    .addEdge("join", END)
    .compile();
  return () => graph.invoke({});
}

/**
 * Adds nodes whose names are only known at run time. Weft's builder types each name it adds
 * (and rejects a name it already has), so a loop of `addNode` calls cannot be typed; this
 * widens the node names to `string`, which is what they are here.
 */
function withNodes(
  builder: StateGraph<WeftState, { readonly nodes: { readonly join: StateOf<WeftState> }; readonly ends: never }>,
  nodes: readonly (readonly [string, NodeFn<StateOf<WeftState>, WeftState>])[],
): StateGraph<WeftState, { readonly nodes: Record<string, StateOf<WeftState>>; readonly ends: never }> {
  let loose = builder as unknown as { addNode(name: string, fn: unknown): typeof loose };
  for (const [name, fn] of nodes) loose = loose.addNode(name, fn);
  return loose as never;
}

const LangGraphState = Annotation.Root({
  seen: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  total: Annotation<number>,
});

function langgraphJoin(width: number) {
  const names = branchNames(width);
  const branches = Object.fromEntries(names.map((name, i) => [name, () => ({ seen: [i] })]));
  let builder = new LGStateGraph(LangGraphState)
    .addNode("join", (s) => ({ total: s.seen.length }))
    .addNode(branches);
  for (const name of names) builder = builder.addEdge(LG_START, name);
  const graph = builder.addEdge(names, "join").addEdge("join", LG_END).compile();
  return () => graph.invoke({});
}

function branchNames(width: number): string[] {
  const digits = String(width - 1).length;
  return range(width).map((i) => `b${String(i).padStart(digits, "0")}`);
}
