import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, START, StateGraph } from "../src/index.js";

const State = z.object({ items: appendList(z.number()), counter: z.number() });

/** Runs `steps` steps that each append one item to a list of `size` items; returns the thread's rows, oldest first. */
async function appendingThread(size: number, steps: number) {
  const checkpointer = new MemoryCheckpointer();
  const graph = new StateGraph(State, { name: "loop" })
    .addNode("step", (s) => ({ items: [s.counter], counter: s.counter + 1 }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.counter < steps ? "step" : END), ["step", END])
    .compile({ checkpointer });
  const items = Array.from({ length: size }, (_, i) => -1 - i);
  await graph.invoke({ items, counter: 0 }, { threadId: "t", maxSteps: steps });
  const rows = (await checkpointer.list("t")).reverse();
  return { graph, rows };
}

const hasSnapshot = (data: string): boolean => !data.includes('"snapshot":null');

describe("checkpoint storage", () => {
  it("stores about as many bytes per step on a 10000-item list as on an empty one, snapshots adding at most a quarter", async () => {
    const perStep = async (size: number): Promise<{ all: number; writes: number }> => {
      const { rows } = await appendingThread(size, 1500);
      // From step 500 on: the first snapshot, which holds the input, is a one-time cost.
      const later = rows.filter((row) => row.step > 500);
      const plain = later.filter((row) => !hasSnapshot(row.data));
      const average = (list: typeof rows): number => list.reduce((sum, row) => sum + row.data.length, 0) / list.length;
      return { all: average(later), writes: average(plain) };
    };
    const empty = await perStep(0);
    const large = await perStep(10_000);
    expect(large.all / empty.all).toBeLessThanOrEqual(1.25);
    expect(empty.all / empty.writes).toBeLessThanOrEqual(1.25);
    expect(large.all / large.writes).toBeLessThanOrEqual(1.25);
  });

  it("takes a snapshot once the checkpoints since the last one outweigh it four times, and still reads every checkpoint", async () => {
    const { graph, rows } = await appendingThread(10_000, 1000);
    const snapshots = rows.flatMap((row, i) => (hasSnapshot(row.data) ? [i] : []));
    expect(snapshots[0]).toBe(0);
    expect(snapshots.length).toBeGreaterThan(1);
    for (let k = 1; k < snapshots.length; k++) {
      const last = rows[snapshots[k - 1]!]!.data.length;
      const between = rows.slice(snapshots[k - 1]! + 1, snapshots[k]!).reduce((sum, row) => sum + row.data.length, 0);
      // Not yet four times the last snapshot before the checkpoint that took the next one…
      expect(between).toBeLessThan(4 * last);
      // …and that checkpoint brought the total there (it counts at its size without the snapshot).
      expect(between + 1000).toBeGreaterThanOrEqual(4 * last * 0.99);
    }
    const state = await graph.getState("t", { checkpointId: rows[snapshots[1]! - 1]!.checkpointId });
    expect(state!.values.items.length).toBe(10_000 + snapshots[1]! - 1);
    expect((await graph.getState("t"))!.values.items.at(-1)).toBe(999);
  });
});
