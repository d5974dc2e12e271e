import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, reducer, Send, START, StateGraph, type StateOf, type UpdateOf } from "../index.js";

const State = z.object({
  topic: z.string(),
  sections: z.array(z.string()).default([]),
  results: appendList(z.string()),
  total: reducer(z.number(), (sum, n: number) => sum + n, 0),
});
const Worker = z.object({ section: z.string() });

const base = new StateGraph(State)
  .addNode("plan", (s) => ({ sections: [s.topic] }))
  .addNode("write", ({ section }) => ({ results: section }), { input: Worker })
  .addNode("done", () => undefined);

describe("state types", () => {
  it("reads reducer keys as their value type and updates them with their update type", () => {
    expectTypeOf<StateOf<typeof State>["results"]>().toEqualTypeOf<string[]>();
    expectTypeOf<UpdateOf<typeof State>["results"]>().toEqualTypeOf<string | readonly string[] | undefined>();
    expectTypeOf<UpdateOf<typeof State>["total"]>().toEqualTypeOf<number | undefined>();
  });

  it("requires plain keys in the run input and makes reducer keys optional", () => {
    const graph = base.addEdge(START, "plan").addEdge("plan", "done").addEdge("done", END).addEdge("write", END);
    void graph;
    type Input = Parameters<ReturnType<(typeof graph)["compile"]>["invoke"]>[0];
    expectTypeOf<{ topic: string }>().toExtend<Input>();
    // @ts-expect-error topic is required
    const missing: Input = {};
    void missing;
  });
});

describe("node names accumulate in the builder's type", () => {
  it("rejects a misspelled edge source and target", () => {
    // @ts-expect-error "plna" is not a node
    base.addEdge("plna", "write");
    // @ts-expect-error "wirte" is not a node
    base.addEdge("plan", "wirte");
    base.addEdge(START, "plan").addEdge("done", END);
  });

  it("rejects a misspelled join source", () => {
    // @ts-expect-error "wrte" is not a node
    base.addEdge(["plan", "wrte"], "done");
    base.addEdge(["plan", "write"], "done");
  });

  it("rejects a router that returns an unknown name", () => {
    // @ts-expect-error "dnoe" is not a node
    base.addConditionalEdges("plan", () => "dnoe");
    base.addConditionalEdges("plan", (s) => (s.sections.length > 0 ? "done" : END));
  });

  it("rejects a Send to an unknown node or with the wrong input", () => {
    // @ts-expect-error "wrte" is not a node
    base.addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("wrte", { section })));
    // @ts-expect-error write expects { section: string }
    base.addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write", { title: section })));
    base.addConditionalEdges("plan", (s) => s.sections.map((section) => new Send("write", { section })));
  });

  it("rejects a Command that goes to a node not declared in ends", () => {
    new StateGraph(State).addNode("a", () => new Command({ goto: "b" }), { ends: ["b"] });
    // @ts-expect-error "c" is not among the declared ends
    new StateGraph(State).addNode("a", () => new Command({ goto: "c" }), { ends: ["b"] });
  });

  it("refuses to compile while a declared Command target is not a node", () => {
    const pending = new StateGraph(State)
      .addNode("a", () => new Command({ goto: "b" }), { ends: ["b"] })
      .addEdge(START, "a");
    // @ts-expect-error "b" is not a node yet
    pending.compile();
    pending.addNode("b", () => undefined).addEdge("b", END).compile();
  });

  it("rejects reserved and repeated node names", () => {
    // @ts-expect-error reserved
    base.addNode(END, () => undefined);
    // @ts-expect-error already in the graph
    base.addNode("plan", () => undefined);
  });

  it("rejects an update with a key the state does not have", () => {
    // @ts-expect-error "sumary" is not a state key
    new StateGraph(State).addNode("a", () => ({ sumary: "x" }));
  });

  it("gives a Send worker its own input type", () => {
    new StateGraph(State).addNode(
      "w",
      (input) => {
        expectTypeOf(input).toEqualTypeOf<{ section: string }>();
        return { results: [input.section] };
      },
      { input: Worker },
    );
  });

  it("types path-map routers by the map's keys", () => {
    base.addConditionalEdges("plan", (s) => (s.sections.length ? "more" : "stop"), { more: "done", stop: END });
    // @ts-expect-error "halt" is not a key of the path map
    base.addConditionalEdges("plan", () => "halt", { more: "done", stop: END });
  });
});
