import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "../src/index.js";

const State = z.object({ items: appendList(z.number()), counter: z.number() });
const initial = Array.from({ length: 2000 }, (_, i) => -1 - i);

/** A node that loops `steps` times, appending its counter; it keeps every state it was given. */
function loopGraph(steps: number, seen: { items: readonly number[]; counter: number }[], checkpointer?: MemoryCheckpointer) {
  return new StateGraph(State, { name: "loop" })
    .addNode("step", (s) => {
      seen.push(s);
      return { items: [s.counter], counter: s.counter + 1 };
    })
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps && s.items.length > 0 ? "step" : END), ["step", END])
    .compile(checkpointer === undefined ? {} : { checkpointer });
}

describe("appending to a long list, step after step", () => {
  it("gives each step its own frozen list, unchanged by the steps after it", async () => {
    const seen: { items: readonly number[]; counter: number }[] = [];
    const final = await loopGraph(30, seen).invoke({ items: initial, counter: 0 }, { maxSteps: 30 });
    expect(final.items.length).toBe(initial.length + 30);
    expect(final.items.slice(-3)).toEqual([27, 28, 29]);
    expect(Object.isFrozen(final.items)).toBe(true);
    seen.forEach((state, step) => {
      expect(state.items.length).toBe(initial.length + step);
      expect(state.items.at(-1)).toBe(step === 0 ? initial.at(-1) : step - 1);
      expect(Object.isFrozen(state.items)).toBe(true);
    });
    expect(() => (seen[3]!.items as number[]).push(1)).toThrow(TypeError);
  });

  it("replays and forks a checkpointed thread without one branch seeing the other's items", async () => {
    const checkpointer = new MemoryCheckpointer();
    const graph = loopGraph(10, [], checkpointer);
    await graph.invoke({ items: initial, counter: 0 }, { threadId: "t" });
    const history = await graph.getHistory("t");
    const middle = history.find((state) => state.values.counter === 5)!;
    expect(middle.values.items.length).toBe(initial.length + 5);
    // Fork from step 5 with a different counter: the loop appends 50, 51, … on the fork.
    const forkId = await graph.updateState("t", { counter: 50 }, { checkpointId: middle.checkpointId });
    const forked = await loopGraph(55, [], checkpointer).invoke(null, { threadId: "t", checkpointId: forkId });
    expect(forked.items.slice(initial.length)).toEqual([0, 1, 2, 3, 4, 50, 51, 52, 53, 54]);
    const original = await graph.getState("t", { checkpointId: history[0]!.checkpointId });
    expect(original!.values.items.slice(initial.length)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
