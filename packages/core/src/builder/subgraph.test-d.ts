import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, Send, START, StateGraph } from "../index.js";

const Inner = z.object({ topic: z.string(), notes: appendList(z.string()), score: z.number().optional() });
const inner = new StateGraph(Inner, { name: "inner" })
  .addNode("work", (s) => ({ notes: s.topic }))
  .addEdge(START, "work")
  .addEdge("work", END)
  .compile();

describe("a compiled graph as a node", () => {
  it("accepts a subgraph whose shared keys have the same types", () => {
    const Outer = z.object({ topic: z.string(), notes: appendList(z.string()), other: z.boolean() });
    new StateGraph(Outer).addNode("inner", inner);
  });

  it("rejects a shared key of another type, naming the key", () => {
    const Outer = z.object({ topic: z.number(), notes: appendList(z.string()) });
    // @ts-expect-error Key "topic" has another type in the subgraph
    new StateGraph(Outer).addNode("inner", inner);
    const Scored = z.object({ score: z.string() });
    // @ts-expect-error Key "score" has another type in the subgraph
    new StateGraph(Scored).addNode("inner", inner);
  });

  it("accepts the mismatch in a direction a mapping replaces, and checks the other", () => {
    const Outer = z.object({ topic: z.number(), notes: appendList(z.string()) });
    new StateGraph(Outer).addNode("inner", inner, { input: (s) => ({ topic: String(s.topic) }), output: (s) => ({ notes: s.notes }) });
    // `topic` is an output key too: without an output mapping it would be written back as a string.
    // @ts-expect-error Key "topic" has another type in the subgraph
    new StateGraph(Outer).addNode("inner", inner, { input: (s) => ({ topic: String(s.topic) }) });
  });

  it("types a Send to a subgraph node by the inner input, or by what the input mapping takes", () => {
    const Outer = z.object({ topics: z.array(z.string()), notes: appendList(z.string()) });
    const plain = new StateGraph(Outer).addNode("start", () => ({})).addNode("inner", inner);
    plain.addConditionalEdges("start", (s) => s.topics.map((topic) => new Send("inner", { topic })));
    // @ts-expect-error the inner input has no `title`
    plain.addConditionalEdges("start", (s) => s.topics.map((title) => new Send("inner", { title })));

    const mapped = new StateGraph(Outer)
      .addNode("start", () => ({}))
      .addNode("inner", inner, { input: (payload: { title: string }) => ({ topic: payload.title }) });
    mapped.addConditionalEdges("start", (s) => s.topics.map((title) => new Send("inner", { title })));
  });

  it("lets an inner node return a Command to the parent, whose targets and update are the parent's", () => {
    new StateGraph(Inner).addNode("escalate", () => new Command({ graph: Command.PARENT, goto: "elsewhere", update: { anything: 1 } }));
    expectTypeOf(Command.PARENT).toEqualTypeOf<"__parent__">();
  });
});

describe("graph input and output schemas", () => {
  const State = z.object({ question: z.string(), draft: z.string().optional(), answer: z.string().optional() });
  const graph = new StateGraph(State, { input: z.object({ question: z.string() }), output: z.object({ answer: z.string().optional() }) })
    .addNode("answer", (s) => ({ answer: s.question }))
    .addEdge(START, "answer")
    .addEdge("answer", END)
    .compile();

  it("takes the input schema's keys and returns the output schema's", () => {
    expectTypeOf(graph.invoke({ question: "q" })).resolves.toEqualTypeOf<{ answer?: string | undefined }>();
    // @ts-expect-error `draft` is not an input key
    graph.invoke({ question: "q", draft: "d" });
  });
});
