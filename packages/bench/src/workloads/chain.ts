import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import * as weftCore from "@weft/core";
import { z } from "zod";
import type { WeftCore } from "./sends.js";
import { pick, range, type RunOnce, type Workload } from "./workload.js";

/** A chain n0 → n1 → … of `length` nodes, each incrementing `count`: one node per superstep. */
export function chain(length: number): Workload {
  return {
    id: `chain/${length}`,
    title: `chain of ${length} nodes`,
    per: { count: length, unit: "step" },
    weft: weftChain(length),
    langgraph: langgraphChain(length),
    project: pick("count"),
    expected: { count: length },
  };
}

const WeftState = z.object({ count: z.number() });

/** The chain on Weft, built with `core` (this workspace's unless given: see `compare`). */
export function weftChain(length: number, core: WeftCore = weftCore): RunOnce {
  const nodes = Object.fromEntries(range(length).map((i) => [`n${i}`, (s: { count: number }) => ({ count: s.count + 1 })]));
  const graph = new core.StateGraph(WeftState, { name: "chain" })
    .addSequence(nodes)
    .addEdge(core.START, "n0")
    .addEdge(`n${length - 1}`, core.END)
    .compile();
  // maxSteps counts user supersteps: exactly one per node.
  return () => graph.invoke({ count: 0 }, { maxSteps: length });
}

const LangGraphState = Annotation.Root({ count: Annotation<number> });

function langgraphChain(length: number) {
  const graph = new LGStateGraph(LangGraphState)
    .addSequence(range(length).map((i) => [`n${i}`, (s: { count: number }) => ({ count: s.count + 1 })] as const))
    .addEdge(LG_START, "n0")
    .addEdge(`n${length - 1}`, LG_END)
    .compile();
  // LangGraph's limit counts supersteps too, and errors when it is reached: one step of headroom.
  return () => graph.invoke({ count: 0 }, { recursionLimit: length + 1 });
}
