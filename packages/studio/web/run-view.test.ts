import { appendList, ConcurrencyLimit, END, Send, START, StateGraph } from "@weft/core";
import { recordRun } from "@weft/core/draw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { applyEvent, changedKeys, compareStates, emptyRun, findTask, nodeCounts, nodeStatus, type StudioEvent } from "./run-view.js";

const State = z.object({ items: z.number().default(4), out: appendList(z.number()) });

async function fold(graph: { stream(input: never): AsyncIterable<never> }) {
  const events = await recordRun(graph.stream({} as never));
  const view = emptyRun();
  events.forEach((event, i) => applyEvent(view, { ...event, id: i + 1 } as StudioEvent));
  return { view, events };
}

describe("the run view", () => {
  it("keeps a subgraph's inner tasks under their outer task, out of the run's tasks, counts and state, their usage counted for both", async () => {
    const Inner = z.object({ i: z.number(), out: appendList(z.number()) });
    const inner = new StateGraph(Inner, { name: "inner" })
      .addNode("call", (_s, ctx) => {
        ctx.emit({ type: "openai.usage", totalTokens: 10 });
        return {};
      })
      .addNode("keep", (s, ctx) => {
        ctx.emit({ type: "openai.usage", totalTokens: 5 });
        return { out: s.i };
      })
      .addEdge(START, "call")
      .addEdge("call", "keep")
      .addEdge("keep", END)
      .compile();
    const graph = new StateGraph(State)
      .addNode("plan", () => ({}))
      .addNode("work", inner)
      .addNode("done", () => ({}))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (s) => Array.from({ length: s.items }, (_, i) => new Send("work", { i })), ["work"])
      .addEdge("work", "done")
      .addEdge("done", END)
      .compile();
    const { view, events } = await fold(graph as never);
    expect(events.some((event) => event.path !== undefined)).toBe(true);
    expect([...view.tasks.values()].map((t) => [t.node, t.sendIndex, t.status, t.tokens])).toEqual([
      ["plan", undefined, "done", 0],
      ["work", 0, "done", 15],
      ["work", 1, "done", 15],
      ["work", 2, "done", 15],
      ["work", 3, "done", 15],
      ["done", undefined, "done", 0],
    ]);
    // Each Send's inner tasks are under it, named by a run-unique id, with their own usage.
    const work2 = view.tasks.get("2:2")!;
    expect(work2.inner.map((t) => [t.taskId, t.node, t.path, t.status, t.tokens, t.attempts.length])).toEqual([
      ["2:2/1:0", "call", ["work#2", "call"], "done", 10, 1],
      ["2:2/2:0", "keep", ["work#2", "keep"], "done", 5, 1],
    ]);
    expect(findTask(view, "2:2/2:0")).toBe(work2.inner[1]);
    expect(findTask(view, "2:9/2:0")).toBeUndefined();
    // Inner attempts lie within their outer task's, on the run's clock.
    const [outer] = work2.attempts;
    for (const t of work2.inner) {
      expect(t.attempts[0]!.start).toBeGreaterThanOrEqual(outer!.start - 1);
      expect(t.attempts[0]!.end!).toBeLessThanOrEqual(outer!.end! + 1);
    }
    // The node counts are the run's own nodes'.
    expect([...nodeCounts(view).keys()]).toEqual(["plan", "work", "done"]);
    // Each step's state is the outer run's.
    expect(view.stepInput.get(2)).toEqual({ items: 4, out: [] });
    expect(view.stepInput.get(3)).toEqual({ items: 4, out: [0, 1, 2, 3] });
    expect(view.state).toEqual({ items: 4, out: [0, 1, 2, 3] });
  });

  it("folds a run's events into tasks with queued time, one attempt per try, retries, failures and counts", async () => {
    let tries = 0;
    const graph = new StateGraph(State)
      .addNode(
        "work",
        ({ i }) => {
          if (i === 1 && tries++ === 0) throw new Error("flaky");
          if (i === 3) throw new Error("broken");
          return { out: i };
        },
        {
          input: z.object({ i: z.number() }),
          concurrency: new ConcurrencyLimit(1),
          retry: { maxAttempts: 2, backoff: { initialMs: 1 } },
          onError: "continue",
        },
      )
      .addConditionalEdges(START, (s) => Array.from({ length: s.items }, (_, i) => new Send("work", { i })), ["work"])
      .addEdge("work", END)
      .compile();
    const { view, events } = await fold(graph as never);
    expect(view.events).toBe(events.length);
    expect(view.status).toBe("done");
    const tasks = [...view.tasks.values()];
    expect(tasks.map((t) => [t.sendIndex, t.status, t.attempts.map((a) => a.outcome)])).toEqual([
      [0, "done", ["done"]],
      [1, "done", ["retry", "done"]],
      [2, "done", ["done"]],
      [3, "failed", ["retry", "failed"]],
    ]);
    const queued = events.filter((event) => event.type === "task:queued");
    expect(queued.length).toBeGreaterThan(0);
    expect(tasks.filter((t) => t.queuedAt !== undefined).map((t) => t.taskId)).toEqual(
      queued.map((event) => (event as { taskId: string }).taskId),
    );
    expect(tasks[1]!.attempts[0]!.error).toMatchObject({ message: "flaky" });
    expect(tasks[3]!.error).toMatchObject({ message: "broken" });
    expect(tasks[2]!.update).toEqual({ out: [2] });
    expect(tasks.map((t) => t.sendInput)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
    expect(view.state).toEqual({ items: 4, out: [0, 1, 2] });
    expect(nodeCounts(view).get("work")).toEqual({ done: 3, failed: 1 });
    expect(nodeStatus(nodeCounts(view).get("work"))).toBe("failed");
    for (const t of tasks) for (const a of t.attempts) expect(a.end).toBeGreaterThanOrEqual(a.start);
  });

  it("adds up the tokens of a task's model calls from their usage events", async () => {
    const graph = new StateGraph(State)
      .addNode("ask", (_, ctx) => {
        ctx.emit({ type: "openai.usage", model: "m", attempt: 1, promptTokens: 10, completionTokens: 5, totalTokens: 15 });
        ctx.emit({ type: "openai.delta", text: "hi" });
        ctx.emit({ type: "openai.usage", model: "m", attempt: 1, promptTokens: 3, completionTokens: 4, totalTokens: 7 });
        return {};
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    const { view } = await fold(graph as never);
    const [task] = [...view.tasks.values()];
    expect(task).toMatchObject({ tokens: 22 });
    expect(task!.custom).toHaveLength(3);
  });

  it("keeps each step's input state and the run's error", async () => {
    const graph = new StateGraph(State)
      .addNode("a", () => ({ out: 1 }))
      .addNode("b", () => {
        throw new Error("nope");
      })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile();
    const { view } = await fold(graph as never);
    expect(view.stepInput.get(2)).toEqual({ items: 4, out: [1] });
    expect(view.state).toEqual({ items: 4, out: [1] });
    expect([...view.tasks.values()].map((t) => t.sendInput)).toEqual([undefined, undefined]);
    expect(view.status).toBe("failed");
    expect(view.error).toMatchObject({ code: "TASK_FAILED" });
    expect(nodeStatus(undefined)).toBe("idle");
  });

  it("lists the keys a checkpoint changed", () => {
    expect(changedKeys({ a: 1, b: [1] }, { a: 1, b: [1, 2], c: "x" })).toEqual([
      { key: "b", before: [1], after: [1, 2] },
      { key: "c", before: undefined, after: "x" },
    ]);
    expect(changedKeys(undefined, { a: 1 })).toEqual([{ key: "a", before: undefined, after: 1 }]);
  });
});

describe("two runs side by side", () => {
  it("lists every key of either state with both values, marking the ones that differ", () => {
    expect(compareStates({ a: 1, b: [1], c: { x: 1 } }, { b: [1, 2], c: { x: 1 }, d: "new" })).toEqual([
      { key: "a", left: 1, right: undefined, same: false },
      { key: "b", left: [1], right: [1, 2], same: false },
      { key: "c", left: { x: 1 }, right: { x: 1 }, same: true },
      { key: "d", left: undefined, right: "new", same: false },
    ]);
    expect(compareStates(undefined, { a: 1 })).toEqual([{ key: "a", left: undefined, right: 1, same: false }]);
    expect(compareStates("not an object", null)).toEqual([]);
  });
});
