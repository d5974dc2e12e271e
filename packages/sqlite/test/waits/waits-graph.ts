import { appendFileSync } from "node:fs";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { z } from "zod";

/** How long the interrupt waits for an answer before it takes its default. */
export const ASK_TIMEOUT_MS = 4000;
/** How long each Send of the "nap" scenario sleeps; the run pauses on them. */
export const NAPS_MS = [3000, 6000] as const;
/** How long the "doze" scenario sleeps in its process (and is killed meanwhile). */
export const DOZE_MS = 4000;

/** What a run does: ask with a timeout, pause on two Sends' sleeps, or sleep in its process. */
export type Scenario = "ask" | "nap" | "doze";

const State = z.object({ scenario: z.enum(["ask", "nap", "doze"]), log: appendList(z.string()) });

/**
 * The graph of the durable-wait tests. Every node appends a line to `log` when it starts and
 * when it gets past its wait (with the time), so the tests count runs across processes.
 */
export function waitsGraph({ checkpointer, log }: { checkpointer?: Checkpointer; log?: string }) {
  const record = (line: string): void => {
    if (log !== undefined) appendFileSync(log, `${line}\n`);
  };
  return new StateGraph(State, { name: "durable-waits" })
    .addNode("ask", (_s, ctx) => {
      record("ask");
      const answer = ctx.interrupt<string>("approve?", { timeoutMs: ASK_TIMEOUT_MS, default: "no answer" });
      record(`answered ${answer}`);
      return { log: answer };
    })
    .addNode(
      "nap",
      async ({ i }, ctx) => {
        record(`before ${i}`);
        await ctx.sleep(NAPS_MS[i]!);
        record(`after ${i} ${Date.now()}`);
        return { log: `napped ${i}` };
      },
      { input: z.object({ i: z.number() }) },
    )
    .addNode("doze", async (_s, ctx) => {
      record(`dozing ${Date.now()}`);
      await ctx.sleep(DOZE_MS);
      record(`after ${Date.now()}`);
      return { log: "dozed" };
    })
    .addConditionalEdges(START, (s) => (s.scenario === "nap" ? NAPS_MS.map((_, i) => new Send("nap", { i })) : s.scenario))
    .addEdge("ask", END)
    .addEdge("nap", END)
    .addEdge("doze", END)
    .compile({ checkpointer });
}
