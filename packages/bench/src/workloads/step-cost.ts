import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { END, MemoryCheckpointer, START, StateGraph, type NodeContext } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { SqliteCheckpointer } from "@weft/sqlite";
import { z } from "zod";
import { pick, type RunOnce, type Workload } from "./workload.js";

/** Where the step cases keep their threads: nowhere (the run), memory, or a SQLite file. */
export type StepStore = "none" | "memory" | "sqlite";

const State = z.object({ total: z.number() });

/**
 * One node that makes `count` `ctx.step` calls in a row, each returning a small number, on a
 * durable thread of `store` (or none). Beside it, the same graph on the same store whose node
 * does the same work without `ctx.step`: the difference over `count` is what a step costs.
 */
export function stepCost(count: number, store: StepStore): Workload {
  const checkpointer = checkpointerOf(store);
  const withSteps = async (_s: unknown, ctx: NodeContext) => {
    let total = 0;
    for (let i = 0; i < count; i++) total += await ctx.step("add", () => i);
    return { total };
  };
  const withoutSteps = async () => {
    let total = 0;
    for (let i = 0; i < count; i++) total += await Promise.resolve(i);
    return { total };
  };
  const titles: Record<StepStore, string> = { none: "no checkpointer", memory: "MemoryCheckpointer", sqlite: "SqliteCheckpointer" };
  return {
    id: `steps/${count}@${store}`,
    title: `${count} ctx.step calls in one node, ${titles[store]}`,
    stepsPerRun: count,
    weft: runner(withSteps, checkpointer),
    none: runner(withoutSteps, checkpointer),
    project: pick("total"),
    expected: { total: (count * (count - 1)) / 2 },
  };
}

function checkpointerOf(store: StepStore): Checkpointer | undefined {
  if (store === "memory") return new MemoryCheckpointer();
  if (store === "sqlite") return new SqliteCheckpointer(join(mkdtempSync(join(tmpdir(), "weft-bench-steps-")), "steps.db"));
  return undefined;
}

/** Runs the one-node graph, each run on a thread of its own when there is a checkpointer. */
function runner(node: (s: unknown, ctx: NodeContext) => Promise<{ total: number }>, checkpointer: Checkpointer | undefined): RunOnce {
  const graph = new StateGraph(State, { name: "steps" })
    .addNode("work", node)
    .addEdge(START, "work")
    .addEdge("work", END)
    .compile({ checkpointer });
  let runs = 0;
  return () => graph.invoke({ total: 0 }, checkpointer === undefined ? {} : { threadId: `bench-${runs++}` });
}
