import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, reducer, Send, START, StateGraph, type StateOf, type UpdateOf } from "../index.js";
import type { CheckedResult, TypeError } from "../graph/types.js";

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
  it("rejects a misspelled edge source and target, naming it", () => {
    // @ts-expect-error addEdge: "plna" is not a node of this graph
    base.addEdge("plna", "write");
    // @ts-expect-error addEdge: "wirte" is not a node of this graph
    base.addEdge("plan", "wirte");
    base.addEdge(START, "plan").addEdge("done", END);
    expectTypeOf<Parameters<typeof base.addEdge<"plan", "wirte">>[1]>().toEqualTypeOf<
      "wirte" & TypeError<'addEdge: "wirte" is not a node of this graph'>
    >();
    expectTypeOf<Parameters<typeof base.addEdge<"plna", "write">>[0]>().toEqualTypeOf<
      "plna" & TypeError<'addEdge: "plna" is not a node of this graph'>
    >();
  });

  it("rejects a misspelled join source, naming it", () => {
    // @ts-expect-error addEdge: "wrte" is not a node of this graph
    base.addEdge(["plan", "wrte"], "done");
    base.addEdge(["plan", "write"], "done");
    expectTypeOf<Parameters<typeof base.addEdge<readonly ["plan", "wrte"], "done">>[0]>().toEqualTypeOf<
      readonly ["plan", "wrte"] & TypeError<'addEdge: "wrte" is not a node of this graph'>
    >();
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
    const pending = new StateGraph(State).addNode("a", () => new Command({ goto: "b" }), { ends: ["b"] }).addEdge(START, "a");
    // @ts-expect-error "b" is not a node yet
    pending.compile();
    pending
      .addNode("b", () => undefined)
      .addEdge("b", END)
      .compile();
  });

  it("rejects reserved and repeated node names", () => {
    // @ts-expect-error reserved
    base.addNode(END, () => undefined);
    // @ts-expect-error already in the graph
    base.addNode("plan", () => undefined);
  });

  it("rejects an update with a key the state does not have, naming the key", () => {
    // @ts-expect-error Key "sumary" is not in the state
    new StateGraph(State).addNode("a", () => ({ sumary: "x" }));
    // @ts-expect-error Key "sumary" is not in the state
    new StateGraph(State).addNode("a", async (s) => ({ topic: s.topic, sumary: "x" }));
    // @ts-expect-error Key "sumary" of this Command's update is not in the state
    new StateGraph(State).addNode("a", () => new Command({ goto: "b", update: { sumary: "x" } }), { ends: ["b"] });
    expectTypeOf<CheckedResult<{ sumary: string }, typeof State, never>>().toEqualTypeOf<TypeError<'Key "sumary" is not in the state'>>();
    expectTypeOf<CheckedResult<Promise<{ topic: string; sumary: string }>, typeof State, never>>().toEqualTypeOf<
      TypeError<'Key "sumary" is not in the state'>
    >();
  });

  it("still takes every kind of result a node may return", () => {
    new StateGraph(State)
      .addNode("label", () => ({ topic: "x" }))
      .addNode("async", async (s) => ({ sections: [s.topic], total: 1 }))
      .addNode("maybe", (s) => (s.total > 0 ? { results: "r" } : undefined))
      .addNode("draft", () => (draft) => {
        draft.total += 1;
      })
      .addNode("nothing", () => {})
      .addNode("goto", (s) => (s.total > 0 ? new Command({ goto: "label" }) : { total: 1 }), { ends: ["label"] })
      .addNode("goto-update", () => new Command({ goto: END, update: { total: 2 } }), { ends: [] });
    // @ts-expect-error a wrong value for a known key
    new StateGraph(State).addNode("a", () => ({ total: "1" }));
    // @ts-expect-error a Command update with a wrong value
    new StateGraph(State).addNode("a", () => new Command({ goto: "b", update: { total: "1" } }), { ends: ["b"] });
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
