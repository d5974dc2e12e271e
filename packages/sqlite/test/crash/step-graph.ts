import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { z } from "zod";

/** How many workers the plan node sends, and how many steps each one takes. */
export const STEP_WORKERS = 200;
export const STEPS_PER_WORKER = 3;

const State = z.object({ sections: appendList(z.string()), report: z.string().optional() });
const Work = z.object({ i: z.number() });

/**
 * plan → 200 × Send("work", { i }) → assemble. Each worker takes three steps, the first two at
 * once: each step's function appends the line `<i> <k>` to `log` (its side effect) and returns
 * a value the worker's section is made of.
 */
export function stepGraph({ checkpointer, log }: { readonly checkpointer?: Checkpointer; readonly log?: string }) {
  const effect = async (i: number, k: number): Promise<string> => {
    if (log !== undefined) appendFileSync(log, `${i} ${k}\n`);
    await sleep(1 + ((i * 7 + k) % 5));
    return `${i}.${k}`;
  };
  return new StateGraph(State, { name: "step-crash" })
    .addNode("plan", () => ({}))
    .addNode(
      "work",
      async ({ i }, ctx) => {
        const [a, b] = await Promise.all([ctx.step("fetch", () => effect(i, 0)), ctx.step("fetch", () => effect(i, 1))]);
        const c = await ctx.step("write", () => effect(i, 2));
        return { sections: `${a}+${b}+${c}` };
      },
      { input: Work },
    )
    .addNode("assemble", (state) => ({ report: `${state.sections.length} sections` }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => Array.from({ length: STEP_WORKERS }, (_, i) => new Send("work", { i })))
    .addEdge("work", "assemble")
    .addEdge("assemble", END)
    .compile({ checkpointer });
}
