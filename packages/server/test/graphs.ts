import { appendList, END, MemoryCheckpointer, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";

/** A promise that tests open by hand: nodes wait on it to hold a run mid-way. */
export class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.#open = resolve));
  /** How many tasks are waiting at the gate. */
  waiting = 0;
  #arrivals: (() => void)[] = [];

  open(): void {
    this.#open();
  }

  async pass(signal: AbortSignal): Promise<void> {
    this.waiting++;
    for (const arrive of this.#arrivals.splice(0)) arrive();
    await new Promise<void>((resolve, reject) => {
      void this.opened.then(resolve);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }

  /** Resolves once `count` tasks wait at the gate. */
  async reached(count: number): Promise<void> {
    while (this.waiting < count) await new Promise<void>((resolve) => this.#arrivals.push(resolve));
  }
}

const FanoutState = z.object({
  count: z.number().int().min(0),
  done: appendList(z.number()),
  total: z.number().default(0),
});

/**
 * `plan` → one `work` Send per item (each emits a custom event, then waits at the gate) →
 * `sum`. `gate()` gives the gate for the current run.
 */
export function fanoutGraph(gate: () => Gate | undefined) {
  return fanoutNodes(gate).compile({ checkpointer: new MemoryCheckpointer() });
}

/** {@link fanoutGraph} before it is compiled, to compile with another checkpointer. */
export function fanoutNodes(gate: () => Gate | undefined) {
  return new StateGraph(FanoutState, { name: "fanout" })
    .addNode("plan", () => ({}))
    .addNode(
      "work",
      async ({ i }, ctx) => {
        ctx.emit({ progress: `item ${i}` });
        await gate()?.pass(ctx.signal);
        return { done: i };
      },
      { input: z.object({ i: z.number() }) },
    )
    .addNode("sum", (s) => ({ total: s.done.reduce((a, b) => a + b, 0) }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", (s) => Array.from({ length: s.count }, (_, i) => new Send("work", { i })), ["work"])
    .addEdge("work", "sum")
    .addEdge("sum", END);
}

const ApprovalState = z.object({ draft: z.string(), approved: z.boolean().default(false), note: z.string().default("") });

/** `review` asks a person through `ctx.interrupt`; `publish` writes a note. */
export function approvalGraph() {
  return new StateGraph(ApprovalState, { name: "approval" })
    .addNode("review", (s, ctx) => {
      const answer = ctx.interrupt<{ approved: boolean }>({ question: "Publish this draft?", draft: s.draft });
      return { approved: answer.approved === true };
    })
    .addNode("publish", (s) => ({ note: s.approved ? `published: ${s.draft}` : "held back" }))
    .addEdge(START, "review")
    .addEdge("review", "publish")
    .addEdge("publish", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
}

/** `nap` sleeps an hour: its run pauses as waiting, with the sleep listed. */
export function sleepingGraph() {
  return new StateGraph(z.object({ woke: z.boolean().default(false) }), { name: "sleeping" })
    .addNode("nap", async (_s, ctx) => {
      await ctx.sleep(60 * 60_000);
      return { woke: true };
    })
    .addEdge(START, "nap")
    .addEdge("nap", END)
    .compile({ checkpointer: new MemoryCheckpointer(), defaults: { inProcessSleepMs: 0 } });
}

const CounterState = z.object({ n: z.number(), log: appendList(z.string()) });

/** `a` then `b` then `c`, each logging its name and adding to `n`. */
export function chainGraph() {
  return new StateGraph(CounterState, { name: "chain" })
    .addNode("a", (s) => ({ n: s.n + 1, log: "a" }))
    .addNode("b", (s) => ({ n: s.n * 10, log: "b" }))
    .addNode("c", (s) => ({ n: s.n + 5, log: "c" }))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", "c")
    .addEdge("c", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
}

/** The chain, paused by a breakpoint before "b". */
export function breakpointGraph() {
  return new StateGraph(CounterState, { name: "paused" })
    .addNode("a", (s) => ({ n: s.n + 1, log: "a" }))
    .addNode("b", (s) => ({ n: s.n * 10, log: "b" }))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", END)
    .compile({ checkpointer: new MemoryCheckpointer(), interruptBefore: ["b"] });
}
