import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, MemoryCheckpointer, Send, START, StateGraph } from "../src/index.js";
import { runNodeAttempt, type AttemptResult, type Executor, type GraphIR } from "../src/adapter.js";
import { collect } from "./helpers.js";

/**
 * An executor that runs each attempt as a remote worker would: the request and the result
 * cross a JSON boundary, and the worker finds the node in its own copy of the graph.
 */
function jsonExecutor(worker: () => GraphIR, log: string[]): Executor {
  return {
    async runAttempt(request, control) {
      const wire = JSON.parse(JSON.stringify(request));
      log.push(`${wire.node}#${wire.sendIndex ?? "-"}@${wire.attempt}`);
      const spec = worker().nodes.get(wire.node)!;
      const result: AttemptResult = await runNodeAttempt(spec, wire, control);
      return JSON.parse(
        JSON.stringify(result, (_, v) => (v instanceof Send ? { $send: [v.node, v.input] } : v)),
        (_, v) => (v?.$send ? new Send(v.$send[0], v.$send[1]) : v),
      );
    },
  };
}

const State = z.object({ topic: z.string(), sections: appendList(z.string()), approved: z.boolean().optional() });
const Section = z.object({ title: z.string() });

function build(flaky = { failures: 0 }) {
  return new StateGraph(State, { name: "remote" })
    .addNode("plan", (s) => new Command({ goto: ["a", "b", "c"].map((t) => new Send("write", { title: `${s.topic} ${t}` })) }), {
      ends: ["write"],
    })
    .addNode(
      "write",
      async ({ title }, ctx) => {
        ctx.emit({ writing: title });
        if (title.endsWith("b") && flaky.failures++ === 0) throw new Error("flaky");
        return { sections: title.toUpperCase() };
      },
      { input: Section, retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
    )
    .addNode("approve", (_, ctx) => ({ approved: ctx.interrupt<boolean>("ship it?") }))
    .addEdge(START, "plan")
    .addEdge("write", "approve")
    .addEdge("approve", END);
}

describe("the executor seam", () => {
  it("gives the same final state as an in-process run, with retries, events and interrupts", async () => {
    const local = build().compile({ checkpointer: new MemoryCheckpointer() });
    await local.invoke({ topic: "ai" }, { threadId: "local" });
    const expected = await local.invoke(new Command({ resume: true }), { threadId: "local" });

    const log: string[] = [];
    const flaky = { failures: 0 };
    const worker = build(flaky).toIR();
    const remote = build().compile({ checkpointer: new MemoryCheckpointer(), executor: jsonExecutor(() => worker, log) });
    const { events, error } = await collect(remote.stream({ topic: "ai" }, { threadId: "remote" }));
    expect(error).toBeUndefined();
    const final = await remote.invoke(new Command({ resume: true }), { threadId: "remote" });

    expect(final).toEqual(expected);
    expect(final.sections).toEqual(["AI A", "AI B", "AI C"]);
    expect(log).toEqual(["plan#-@1", "write#0@1", "write#1@1", "write#2@1", "write#1@2", "approve#-@1", "approve#-@1"]);
    expect(events.filter((e) => e.type === "custom").map((e) => [e.sendIndex, e.data])).toEqual([
      [0, { writing: "ai a" }],
      [1, { writing: "ai b" }],
      [2, { writing: "ai c" }],
      [1, { writing: "ai b" }],
    ]);
  });
});
