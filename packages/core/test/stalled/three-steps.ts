import { z } from "zod";
import { appendList, END, START, StateGraph } from "../../src/index.js";
import type { Checkpointer } from "../../src/adapter.js";

const State = z.object({ log: appendList(z.string()) });

/** one → two → three, each appending its name; `onTwo` runs as `two` does. Shared with the stores' tests. */
export function threeSteps(checkpointer: Checkpointer, onTwo: () => void = () => {}) {
  return new StateGraph(State)
    .addNode("one", () => ({ log: "one" }))
    .addNode("two", () => {
      onTwo();
      return { log: "two" };
    })
    .addNode("three", () => ({ log: "three" }))
    .addEdge(START, "one")
    .addEdge("one", "two")
    .addEdge("two", "three")
    .addEdge("three", END)
    .compile({ checkpointer });
}
