import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { appendList, END, isGraphError, MemoryCheckpointer, Send, START, StateGraph } from "../index.js";
import * as wait from "./wait.js";

// Counts the durable-sleep helpers tasks make, while keeping what they do.
vi.mock("./wait.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./wait.js")>();
  return { ...actual, taskWaits: vi.fn(actual.taskWaits) };
});

const State = z.object({ n: z.number(), items: appendList(z.number()) });

/** `planner` sends `n` tasks to `worker`; the task whose index is `sleeper` sleeps 1 ms first. */
function fanOut(sleeper: number | undefined) {
  return new StateGraph(State)
    .addNode("planner", () => undefined)
    .addNode(
      "worker",
      async ({ i }: { i: number }, ctx) => {
        if (i === sleeper) await ctx.sleep(1);
        return { items: [i] };
      },
      { input: z.object({ i: z.number() }) },
    )
    .addEdge(START, "planner")
    .addConditionalEdges("planner", (s) => Array.from({ length: s.n }, (_, i) => new Send("worker", { i })), ["worker"])
    .addEdge("worker", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
}

function syncFanOut() {
  return new StateGraph(State)
    .addNode("planner", () => undefined)
    .addNode("worker", ({ i }: { i: number }) => ({ items: [i] }), { input: z.object({ i: z.number() }) })
    .addEdge(START, "planner")
    .addConditionalEdges("planner", (s) => Array.from({ length: s.n }, (_, i) => new Send("worker", { i })), ["worker"])
    .addEdge("worker", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
}

describe("a task's durable sleeps", () => {
  it("are made only for a task that sleeps, on a thread", async () => {
    const made = vi.mocked(wait.taskWaits);
    made.mockClear();
    const result = await syncFanOut().invoke({ n: 50, items: [] }, { threadId: "plain" });
    expect(result.items).toHaveLength(50);
    // Fifty plain tasks on a thread, none of which sleeps: none made.
    expect(made).not.toHaveBeenCalled();

    const slept = await fanOut(7).invoke({ n: 20, items: [] }, { threadId: "one-sleeps" });
    expect(slept.items).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Twenty asynchronous tasks, of which one sleeps: made once, for it.
    expect(made).toHaveBeenCalledTimes(1);
    expect(made.mock.calls[0]![0]).toMatchObject({ node: "worker", sendIndex: 7 });
  });

  it("are not given to an onError handler: its sleep on a thread does not wait there, and the task fails", async () => {
    const made = vi.mocked(wait.taskWaits);
    made.mockClear();
    const graph = new StateGraph(z.object({ log: z.array(z.string()).optional() }))
      .addNode(
        "n",
        () => {
          throw new Error("boom");
        },
        {
          onError: async (_error, _input, ctx) => {
            await ctx.sleep(5);
            return { log: ["handled"] };
          },
        },
      )
      .addEdge(START, "n")
      .addEdge("n", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const error = await graph.invoke({}, { threadId: "handler" }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    expect(made).not.toHaveBeenCalled();
  });
});
