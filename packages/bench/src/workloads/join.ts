import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import * as weftCore from "@weft/core";
import type { NodeFn, StateGraph, StateOf } from "@weft/core";
import { z } from "zod";
import type { WeftCore } from "./sends.js";
import { pick, range, type RunOnce, type Workload } from "./workload.js";

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

/** The state, with the reducer marks of the given copy of core (each copy knows only its own). */
const weftState = (core: WeftCore) => z.object({ seen: core.appendList(z.number()), total: z.number().optional() });
type WeftState = ReturnType<typeof weftState>;

/** The join on Weft, built with `core` (this workspace's unless given: see `compare`). */
export function weftJoin(width: number, core: WeftCore = weftCore): RunOnce {
  const names = branchNames(width);
  // "join" goes first: once the names are widened to `string`, every new name reads as taken.
  let builder = withNodes(
    new core.StateGraph(weftState(core), { name: "join" }).addNode("join", (s) => ({ total: s.seen.length })),
    names.map((name, i) => [name, () => ({ seen: [i] })]),
  );
  for (const name of names) builder = builder.addEdge(core.START, name);
  const graph = builder
    .addEdge(names as [string, ...string[]], "join")
    .addEdge("join", core.END)
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
  let builder = new LGStateGraph(LangGraphState).addNode("join", (s) => ({ total: s.seen.length })).addNode(branches);
  for (const name of names) builder = builder.addEdge(LG_START, name);
  const graph = builder.addEdge(names, "join").addEdge("join", LG_END).compile();
  return () => graph.invoke({});
}

function branchNames(width: number): string[] {
  const digits = String(width - 1).length;
  return range(width).map((i) => `b${String(i).padStart(digits, "0")}`);
}
