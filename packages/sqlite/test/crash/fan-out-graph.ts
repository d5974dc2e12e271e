import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import type { Checkpointer } from "@weft/core/adapter";
import { z } from "zod";

/** How many workers the plan node sends. */
export const WORKERS = 20;

const State = z.object({ topic: z.string(), sections: appendList(z.string()), report: z.string().optional() });
const Work = z.object({ i: z.number() });

/** Options of {@link fanOutGraph}. */
export interface FanOutOptions {
  readonly checkpointer?: Checkpointer;
  /** A file every node execution appends a line to: `plan`, `work <i>`, `assemble`. */
  readonly log?: string;
  /** How long worker `i` works. */
  readonly workMs?: (i: number) => number;
}

/** plan → 20 × Send("work", { i }) → assemble: the orchestrator-worker graph the crash tests kill. */
export function fanOutGraph({ checkpointer, log, workMs = () => 0 }: FanOutOptions) {
  const record = (line: string): void => {
    if (log !== undefined) appendFileSync(log, `${line}\n`);
  };
  return new StateGraph(State, { name: "crash-fan-out" })
    .addNode("plan", () => {
      record("plan");
      return {};
    })
    .addNode(
      "work",
      async ({ i }) => {
        record(`work ${i}`);
        await sleep(workMs(i));
        return { sections: `section ${i} of ${WORKERS}` };
      },
      { input: Work },
    )
    .addNode("assemble", (state) => {
      record("assemble");
      return { report: `${state.topic}: ${state.sections.join(" | ")}` };
    })
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => Array.from({ length: WORKERS }, (_, i) => new Send("work", { i })))
    .addEdge("work", "assemble")
    .addEdge("assemble", END)
    .compile({ checkpointer });
}

/** A module that makes the checkpointer a crash test runs against, from one string argument. */
export interface SaverModule {
  createSaver(arg: string): Checkpointer & { close(): Promise<void> };
}
