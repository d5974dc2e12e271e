import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, MemoryCheckpointer, Send, START, StateGraph } from "../src/index.js";
import { rejectionOf } from "./helpers.js";

const State = z.object({ log: appendList(z.string()), note: z.string().default("") });

/** ask (pauses on an interrupt) → done; `extra` runs only when a router or a Command sends the run there. */
function askGraph() {
  const ran: string[] = [];
  const graph = new StateGraph(State)
    .addNode("ask", (state, ctx) => {
      ran.push("ask");
      const answer = ctx.interrupt("what now?");
      return { log: `ask:${String(answer)}:${state.note}` };
    })
    .addNode("done", (state) => {
      ran.push("done");
      return { log: `done:${state.note}` };
    })
    .addNode(
      "extra",
      (state) => {
        ran.push("extra");
        return { log: `extra:${state.note}` };
      },
      { input: z.object({ note: z.string() }).passthrough() },
    )
    .addEdge(START, "ask")
    .addEdge("ask", "done")
    .addConditionalEdges("done", (state) => (state.note === "detour" ? "extra" : END), ["extra", END])
    .addEdge("extra", END)
    .compile({ checkpointer: new MemoryCheckpointer() });
  return { graph, ran };
}

describe("a Command as a run's input", () => {
  it("resume with update: the update is written first, then the paused task resumes on the updated state", async () => {
    const { graph, ran } = askGraph();
    const paused = await graph.run({ log: "start" }, { threadId: "t" });
    expect(paused.status).toBe("interrupted");
    const final = await graph.invoke(new Command({ resume: "yes", update: { note: "edited", log: "human" } }), { threadId: "t" });
    expect(final.log).toEqual(["start", "human", "ask:yes:edited", "done:edited"]);
    expect(ran).toEqual(["ask", "ask", "done"]);
    // One chain: the update's checkpoint sits between the pause and the resumed steps.
    const history = await graph.getHistory("t");
    history.slice(0, -1).forEach((state, i) => expect(state.parentId).toBe(history[i + 1]!.checkpointId));
    expect(history.map((state) => state.source)).toEqual(["step", "step", "input", "input"]);
  });

  it("resume with update keeps the step's finished tasks and their saved results", async () => {
    const finished: string[] = [];
    const graph = new StateGraph(State)
      .addNode("fast", () => {
        finished.push("fast");
        return { log: "fast" };
      })
      .addNode("ask", (state, ctx) => ({ log: `ask:${String(ctx.interrupt("ok?"))}:${state.note}` }))
      .addEdge(START, "fast")
      .addEdge(START, "ask")
      .addEdge("fast", END)
      .addEdge("ask", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    await graph.invoke({ log: "start" }, { threadId: "t" });
    const final = await graph.invoke(new Command({ resume: "go", update: { note: "n" } }), { threadId: "t" });
    expect(finished).toEqual(["fast"]);
    expect(final.log).toEqual(["start", "fast", "ask:go:n"]);
  });

  it("goto without resume starts a new run at its targets instead of START's edges", async () => {
    const { graph, ran } = askGraph();
    await graph.run({ log: "start" }, { threadId: "t" });
    ran.length = 0;
    const final = await graph.invoke(new Command({ goto: "done", update: { note: "skip" } }), { threadId: "t" });
    expect(ran).toEqual(["done"]);
    expect(final.log).toEqual(["start", "done:skip"]);
    expect((await graph.getState("t"))!.next).toEqual([]);
  });

  it("goto may send: a Send packet's input is checked against its node's input schema", async () => {
    const { graph, ran } = askGraph();
    await graph.run({ log: "start" }, { threadId: "t" });
    ran.length = 0;
    const final = await graph.invoke(new Command({ goto: new Send("extra", { note: "sent" }) }), { threadId: "t" });
    expect(ran).toEqual(["extra"]);
    expect(final.log).toEqual(["start", "extra:sent"]);
    const bad = await rejectionOf(graph.invoke(new Command({ goto: new Send("extra", { note: 1 }) }), { threadId: "t" }));
    expect(bad).toMatchObject({ code: "INVALID_INPUT", details: { node: "extra" } });
  });

  it("resume, update and goto together: the update is written, the paused task resumes and the targets join its step", async () => {
    const { graph, ran } = askGraph();
    await graph.run({ log: "start" }, { threadId: "t" });
    ran.length = 0;
    const final = await graph.invoke(new Command({ resume: "yes", update: { note: "all" }, goto: "extra" }), { threadId: "t" });
    expect(ran.sort()).toEqual(["ask", "done"].concat("extra").sort());
    expect(final.log).toEqual(["start", "ask:yes:all", "extra:all", "done:all"]);
  });

  it("refuses a goto to a node that does not exist with UNKNOWN_NODE, writing nothing", async () => {
    const { graph } = askGraph();
    await graph.run({ log: "start" }, { threadId: "t" });
    const before = await graph.getHistory("t");
    const error = await rejectionOf(graph.invoke(new Command({ goto: "nowhere" as never }), { threadId: "t" }));
    expect(error).toMatchObject({ code: "UNKNOWN_NODE", details: { node: "nowhere" } });
    expect(await graph.getHistory("t")).toHaveLength(before.length);
  });

  it("refuses an update that does not fit the state with INVALID_UPDATE, writing nothing", async () => {
    const { graph } = askGraph();
    await graph.run({ log: "start" }, { threadId: "t" });
    const before = await graph.getHistory("t");
    const error = await rejectionOf(graph.invoke(new Command({ resume: "x", update: { note: 5 } }), { threadId: "t" }));
    expect(error.code).toBe("INVALID_UPDATE");
    expect(await graph.getHistory("t")).toHaveLength(before.length);
  });

  describe("without a thread", () => {
    function plain() {
      const ran: string[] = [];
      const compiled = new StateGraph(State)
        .addNode("first", () => {
          ran.push("first");
          return { log: "first" };
        })
        .addNode("second", (state) => {
          ran.push("second");
          return { log: `second:${state.note}` };
        })
        .addEdge(START, "first")
        .addEdge("first", "second")
        .addEdge("second", END)
        .compile();
      return { compiled, ran };
    }

    it("a Command's update is the run's input and its goto replaces START's edges", async () => {
      const { compiled, ran } = plain();
      const final = await compiled.invoke(new Command({ update: { note: "n", log: "in" }, goto: "second" }));
      expect(ran).toEqual(["second"]);
      expect(final.log).toEqual(["in", "second:n"]);
    });

    it("a Command with only an update starts at START's edges; one with only a goto starts from the defaults", async () => {
      const { compiled, ran } = plain();
      expect((await compiled.invoke(new Command({ update: { note: "u" } }))).log).toEqual(["first", "second:u"]);
      expect((await compiled.invoke(new Command({ goto: "second" }))).log).toEqual(["second:"]);
      expect(ran).toEqual(["first", "second", "second"]);
    });

    it("refuses a resume, an empty Command, a goto to an unknown node and a bad update, running nothing", async () => {
      const { compiled, ran } = plain();
      expect(await rejectionOf(compiled.invoke(new Command({ resume: "yes", goto: "second" })))).toMatchObject({ code: "INVALID_INPUT" });
      expect(await rejectionOf(compiled.invoke(new Command({})))).toMatchObject({ code: "INVALID_INPUT" });
      expect(await rejectionOf(compiled.invoke(new Command({ goto: "nowhere" as never })))).toMatchObject({
        code: "UNKNOWN_NODE",
        details: { node: "nowhere" },
      });
      expect(await rejectionOf(compiled.invoke(new Command({ update: { note: 5 } as never })))).toMatchObject({ code: "INVALID_INPUT" });
      expect(ran).toEqual([]);
    });
  });
});
