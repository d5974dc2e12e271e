import { Annotation, END as LG_END, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import * as weftCore from "@weft/core";
import { z } from "zod";
import type { WeftCore } from "./sends.js";
import { range, StepClock, type RunOnce, type Workload } from "./workload.js";

/**
 * A node that loops on itself through a conditional edge for `steps` supersteps, incrementing
 * `counter`, on a state whose list starts with `initialItems` items. With `append`, each step
 * also appends one item to the list; with `hold`, the list is only carried along. The node
 * ticks a {@link StepClock} on both engines; comparing the step time at two list sizes shows
 * whether a step's cost grows with the state.
 */
export function loop(steps: number, initialItems: number, mode: "append" | "hold" = "append"): Workload {
  const initial = range(initialItems).map((i) => -1 - i);
  const final = mode === "append" ? [...initial, ...range(steps)] : initial;
  const clock = new StepClock();
  const step = (s: { counter: number }) => {
    clock.tick();
    return mode === "append" ? { items: [s.counter], counter: s.counter + 1 } : { counter: s.counter + 1 };
  };
  return {
    id: `${mode === "append" ? "loop" : "loop-hold"}/${steps}@${initialItems}`,
    title: `loop ${steps} steps, ${mode === "append" ? "appending to" : "holding"} a list of ${initialItems}`,
    per: { count: steps, unit: "step" },
    stepClock: clock,
    weft: weftLoop(steps, initial, step),
    langgraph: langgraphLoop(steps, initial, step),
    project: (state) => {
      const { items, counter } = state as { items: number[]; counter: number };
      // The whole list would be a large expected value; its length, head and tail say enough.
      return { length: items.length, head: items.slice(0, 2), tail: items.slice(-2), counter };
    },
    expected: {
      length: final.length,
      head: final.slice(0, 2),
      tail: final.slice(-2),
      counter: steps,
    },
  };
}

/** What the looping node returns: the next counter, and with `append` one item. */
export type Step = (s: { counter: number }) => { items?: number[]; counter: number };

/** The loop on Weft, built with `core` (this workspace's unless given: see `compare`). */
export function weftLoop(steps: number, initial: readonly number[], step: Step, core: WeftCore = weftCore): RunOnce {
  // The state is built with the same copy of core: each copy knows only its own reducer marks.
  const State = z.object({ items: core.appendList(z.number()), counter: z.number() });
  const graph = new core.StateGraph(State, { name: "loop" })
    .addNode("step", step)
    .addEdge(core.START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps ? "step" : core.END), ["step", core.END])
    .compile();
  return () => graph.invoke({ items: initial, counter: 0 }, { maxSteps: steps });
}

const LangGraphState = Annotation.Root({
  items: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  counter: Annotation<number>,
});

function langgraphLoop(steps: number, initial: readonly number[], step: Step) {
  const graph = new LGStateGraph(LangGraphState)
    .addNode("step", step)
    .addEdge(LG_START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps ? "step" : LG_END), ["step", LG_END])
    .compile();
  return () => graph.invoke({ items: initial as number[], counter: 0 }, { recursionLimit: steps + 1 });
}
