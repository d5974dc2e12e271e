import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, START, StateGraph } from "../index.js";
import { appendList } from "../state/channels.js";
import type { GraphIR } from "../graph/ir.js";
import { Planner, type StartOutcome } from "./planner.js";
import { RoutingTable } from "./route.js";
import type { Task, TaskOutcome } from "./task.js";

const State = z.object({ log: appendList(z.string()) });
const Item = z.object({ i: z.number() });
const state = Object.freeze({ log: [] });

/** A graph whose node order is a, b, c, w (a Send worker), d (deferred), j (a join of a and b). */
function ir(): GraphIR {
  return new StateGraph(State)
    .addNode("a", () => ({}))
    .addNode("b", () => ({}))
    .addNode("c", () => ({}))
    .addNode("w", () => ({}), { input: Item })
    .addNode("d", () => ({}), { defer: true })
    .addNode("j", () => ({}))
    .addEdge(START, "a")
    .addEdge("a", "c")
    .addEdge("b", "c")
    .addEdge(["a", "b"], "j")
    .addEdge("c", END)
    .addEdge("w", END)
    .addEdge("d", END)
    .addEdge("j", END)
    .toIR();
}

function setUp() {
  const graph = ir();
  const routing = new RoutingTable(graph);
  const node = (name: string) => graph.nodes.get(name)!;
  const start = (triggers: string[], sends: { node: string; i: number }[] = []): StartOutcome => ({
    status: "start",
    triggers,
    sends: sends.map((send) => ({ node: node(send.node), input: { i: send.i } })),
  });
  const done = (task: Task, triggers: string[] = routing.edgesFrom.get(task.node)?.slice() ?? []): TaskOutcome => ({
    status: "done",
    task,
    write: undefined,
    triggers,
    sends: [],
  });
  return { graph, routing, start, done, planner: new Planner(graph, routing) };
}

const refs = (tasks: readonly Task[]) => tasks.map(({ taskId, node, sendIndex }) => ({ taskId, node, sendIndex }));

describe("Planner", () => {
  it("puts triggered nodes in declaration order, then Sends in emission order, each Send numbered per node", () => {
    const { planner, start } = setUp();
    const tasks = planner.next(state, 1, [
      start(
        ["c", "a", "c"],
        [
          { node: "w", i: 7 },
          { node: "w", i: 8 },
        ],
      ),
    ]);
    expect(refs(tasks)).toEqual([
      { taskId: "1:0", node: "a", sendIndex: undefined },
      { taskId: "1:1", node: "c", sendIndex: undefined },
      { taskId: "1:2", node: "w", sendIndex: 0 },
      { taskId: "1:3", node: "w", sendIndex: 1 },
    ]);
    expect(tasks[3]!.input).toEqual({ i: 8 });
    expect(tasks[0]!.input).toBe(state);
  });

  it("numbers Sends per node when Sends to several nodes interleave, across the outcomes of a step", () => {
    const { planner, start } = setUp();
    const sends = (nodes: string[]) => nodes.map((node, i) => ({ node, i }));
    const tasks = planner.next(state, 2, [start([], sends(["w", "a", "w", "w"])), start([], sends(["a", "w", "a"]))]);
    expect(refs(tasks).map(({ node, sendIndex }) => `${node}#${sendIndex}`)).toEqual(["w#0", "a#0", "w#1", "w#2", "a#1", "w#3", "a#2"]);
    expect(tasks.map((task) => task.taskId)).toEqual(["2:0", "2:1", "2:2", "2:3", "2:4", "2:5", "2:6"]);
  });

  it("runs a join's target once every source has run since it last ran, and remembers partial joins", () => {
    const { graph, routing, planner, start, done } = setUp();
    const [a] = planner.next(state, 1, [start(["a"])]);
    // a ran, b has not: the join waits, and what it has seen is part of the saved planner state.
    const afterA = planner.next(state, 2, [done(a!)]);
    expect(refs(afterA).map((task) => task.node)).toEqual(["c"]);
    expect(planner.save().joins).toEqual([["a"]]);
    const restored = new Planner(graph, routing, planner.save());
    const [b] = restored.next(state, 3, [start(["b"])]);
    expect(restored.next(state, 4, [done(b!)]).map((task) => task.node)).toEqual(["c", "j"]);
    expect(restored.save().joins).toEqual([[]]);
  });

  it("holds a deferred node until nothing else is left to run", () => {
    const { planner, start, done } = setUp();
    const first = planner.next(state, 1, [start(["d", "a"])]);
    expect(first.map((task) => task.node)).toEqual(["a"]);
    expect(planner.save().deferredNodes).toEqual(["d"]);
    const second = planner.next(
      state,
      2,
      first.map((task) => done(task, [])),
    );
    expect(second.map((task) => task.node)).toEqual(["d"]);
    expect(planner.save().deferredNodes).toEqual([]);
  });

  it("lets a failure kept by onError 'continue' go on along its static edges and joins", () => {
    const { planner, start } = setUp();
    const [a] = planner.next(state, 1, [start(["a"])]);
    const failed: TaskOutcome = {
      status: "failed",
      task: a!,
      failure: { ...a!, error: new Error("x"), attempts: 1, timedOut: false, policy: "continue" },
    };
    expect(planner.next(state, 2, [failed]).map((task) => task.node)).toEqual(["c"]);
    expect(planner.save().joins).toEqual([["a"]]);
  });

  it("builds a task's id when it is first read, and keeps it", () => {
    const { planner, start } = setUp();
    const tasks = planner.next(state, 3, [start([], [{ node: "w", i: 1 }])]);
    const task = tasks[0]!;
    // Not a field of the record: a fan-out whose ids nobody reads builds none.
    expect(Object.getOwnPropertyDescriptor(task, "taskId")).toBeUndefined();
    expect(task.taskId).toBe("3:0");
    expect(task.taskId).toBe(task.taskId);
  });

  it("names a Send's own budget after the task it starts", () => {
    const { planner, graph } = setUp();
    const limit = { id: "", maxTokens: 10 };
    const sends = [
      { node: graph.nodes.get("w")!, input: { i: 1 }, budget: [limit] },
      { node: graph.nodes.get("w")!, input: { i: 2 } },
    ];
    const tasks = planner.next(state, 4, [{ status: "start", triggers: ["a"], sends }]);
    expect(tasks[1]!.budget).toEqual([{ id: "4:1", maxTokens: 10 }]);
    expect(tasks[2]!.budget).toBeUndefined();
  });

  it("rebuilds a step's tasks from its frontier with the same ids and inputs", () => {
    const { planner } = setUp();
    const tasks = planner.tasks([{ node: "a" }, { node: "w", sendIndex: 0, input: { i: 1 } }], state, 5);
    expect(refs(tasks)).toEqual([
      { taskId: "5:0", node: "a", sendIndex: undefined },
      { taskId: "5:1", node: "w", sendIndex: 0 },
    ]);
    expect(tasks[1]!.input).toEqual({ i: 1 });
  });

  it("reads a graph's joins and deferred nodes once, not once per run", () => {
    const graph = ir();
    const routing = new RoutingTable(graph);
    let reads = 0;
    const values = graph.nodes.values.bind(graph.nodes);
    Object.defineProperty(graph.nodes, "values", {
      value: () => {
        reads++;
        return values();
      },
    });
    const [first, second] = [new Planner(graph, routing), new Planner(graph, routing), new Planner(graph, routing)];
    expect(reads).toBe(1);
    // Each run still keeps its own partial joins.
    const [a] = first!.next(state, 1, [{ status: "start", triggers: ["a"], sends: [] }]);
    first!.next(state, 2, [{ status: "done", task: a!, write: undefined, triggers: ["c"], sends: [] }]);
    expect(first!.save().joins).toEqual([["a"]]);
    expect(second!.save().joins).toEqual([[]]);
  });
});
