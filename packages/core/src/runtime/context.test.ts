import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { NodeContext } from "../graph/types.js";
import { appendList, END, Send, START, StateGraph } from "../index.js";

const State = z.object({ n: z.number(), seen: appendList(z.unknown()) });

/** What a node sees of its `ctx`, read field by field and through destructuring. */
function readContext(ctx: NodeContext) {
  const { node, superstep, taskId, sendIndex, attempt, signal, emit } = ctx;
  emit({ from: taskId });
  return { node, superstep, taskId, sendIndex, attempt, aborted: signal.aborted, emitIsFunction: typeof emit === "function" };
}

/** `planner` sends `n` tasks to `worker` (synchronous, or asynchronous when `later`); each returns what its ctx holds. */
function fanOut(later: boolean) {
  const worker = (_input: { i: number }, ctx: NodeContext) => ({ seen: [readContext(ctx)] });
  const node = later ? async (input: { i: number }, ctx: NodeContext) => worker(input, ctx) : worker;
  return sendsTo(node);
}

/** `planner` sends `n` tasks to `worker`. */
function sendsTo(worker: (input: { i: number }, ctx: NodeContext) => { seen: unknown[] } | Promise<{ seen: unknown[] }>) {
  return new StateGraph(State)
    .addNode("planner", () => undefined)
    .addNode("worker", worker, { input: z.object({ i: z.number() }) })
    .addEdge(START, "planner")
    .addConditionalEdges("planner", (s) => Array.from({ length: s.n }, (_, i) => new Send("worker", { i })), ["worker"])
    .addEdge("worker", END)
    .compile();
}

const expected = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    node: "worker",
    superstep: 2,
    taskId: `2:${i}`,
    sendIndex: i,
    attempt: 1,
    aborted: false,
    emitIsFunction: true,
  }));

describe("a task's ctx", () => {
  it("gives each task its own node, superstep, task id, Send index, attempt, signal and emit", async () => {
    expect((await fanOut(false).invoke({ n: 3 })).seen).toEqual(expected(3));
    expect((await fanOut(true).invoke({ n: 3 })).seen).toEqual(expected(3));
  });

  it("is the same when someone listens to the run's events, and its emit reaches them", async () => {
    const custom: unknown[] = [];
    let final: unknown;
    for await (const event of fanOut(false).stream({ n: 2 })) {
      if (event.type === "custom") custom.push(event.data);
      if (event.type === "run:end") final = event.state;
    }
    expect((final as { seen: unknown }).seen).toEqual(expected(2));
    expect(custom).toEqual([{ from: "2:0" }, { from: "2:1" }]);
  });

  it("reads its fields from the task and the step rather than copying them: a fan-out task's ctx holds no copy", async () => {
    const own: string[][] = [];
    const graph = sendsTo((_input, ctx) => {
      own.push(Object.keys(ctx));
      return { seen: [ctx.taskId] };
    });
    expect((await graph.invoke({ n: 2 })).seen).toEqual(["2:0", "2:1"]);
    // Only the interrupt it may leave pending is its own: the rest are read when asked.
    expect(own).toEqual([["pending"], ["pending"]]);
  });

  it("counts its attempts on a retry", async () => {
    let calls = 0;
    const attempts: number[] = [];
    const graph = new StateGraph(State)
      .addNode(
        "flaky",
        (_s, ctx) => {
          attempts.push(ctx.attempt);
          if (++calls < 3) throw new Error("not yet");
          return { seen: [ctx.attempt] };
        },
        { retry: { maxAttempts: 3, backoff: { initialMs: 0 }, retryOn: () => true } },
      )
      .addEdge(START, "flaky")
      .addEdge("flaky", END)
      .compile();
    expect((await graph.invoke({ n: 0 })).seen).toEqual([3]);
    expect(attempts).toEqual([1, 2, 3]);
  });
});
