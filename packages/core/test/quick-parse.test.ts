import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { appendList, END, GraphError, Send, START, StateGraph } from "../src/index.js";

/**
 * A fan-out's Send inputs and list items, when their schemas are plain numbers, strings,
 * booleans and objects of those, are parsed without zod; zod still parses (and words the error
 * for) every value it refuses.
 */
const Input = z.object({ i: z.number() });
const Item = z.number();

function fanOut(inputs: readonly unknown[]) {
  const State = z.object({ items: appendList(Item), inputs: appendList(z.unknown()) });
  return new StateGraph(State, { name: "quick" })
    .addNode("planner", () => undefined)
    .addNode("worker", (input: { i: number }) => ({ items: [input.i], inputs: [input] }), { input: Input })
    .addEdge(START, "planner")
    .addConditionalEdges("planner", () => inputs.map((input) => new Send("worker", input as { i: number })), ["worker"])
    .addEdge("worker", END)
    .compile();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a fan-out's inputs and items", () => {
  it("are parsed as zod would, without calling zod", async () => {
    const input = vi.spyOn(Input, "safeParse");
    const item = vi.spyOn(Item, "safeParse");
    const final = await fanOut([{ i: 1 }, { i: 2, extra: "dropped" }, { i: -0.5 }]).invoke({});
    expect(final.items).toEqual([1, 2, -0.5]);
    expect(final.inputs).toStrictEqual([{ i: 1 }, { i: 2 }, { i: -0.5 }]);
    expect(input).not.toHaveBeenCalled();
    expect(item).not.toHaveBeenCalled();
  });

  it("are refused by zod, with its error, when they are not valid", async () => {
    const input = vi.spyOn(Input, "safeParse");
    const error = await fanOut([{ i: 1 }, { i: Number.NaN }])
      .invoke({})
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GraphError);
    const cause = (error as GraphError).cause as GraphError;
    expect(cause.code).toBe("INVALID_INPUT");
    expect(cause.message).toBe(`"planner" sent an invalid input to "worker": i: Invalid input: expected number, received NaN`);
    expect(input).toHaveBeenCalledTimes(1);
  });

  it("leave a list item zod refuses to zod's error", async () => {
    const State = z.object({ items: appendList(Item) });
    const item = vi.spyOn(Item, "safeParse");
    const graph = new StateGraph(State, { name: "bad-item" })
      .addNode("worker", () => ({ items: [1, Number.POSITIVE_INFINITY] }))
      .addEdge(START, "worker")
      .addEdge("worker", END)
      .compile();
    const error = (await graph.invoke({}).catch((thrown: unknown) => thrown)) as GraphError;
    const cause = error.cause as GraphError;
    expect(cause.code).toBe("INVALID_UPDATE");
    expect(cause.message).toBe('Node "worker" wrote an invalid value to key "items": 1: Invalid input: expected number, received Infinity');
    expect(item).toHaveBeenCalled();
  });
});

describe("an optional key's value", () => {
  const Total = z.number().optional();

  function counter(total: unknown) {
    const State = z.object({ total: Total });
    return new StateGraph(State, { name: "optional" })
      .addNode("count", () => ({ total }) as { total: number })
      .addEdge(START, "count")
      .addEdge("count", END)
      .compile();
  }

  it("is parsed as zod would, without calling zod", async () => {
    const total = vi.spyOn(Total, "safeParse");
    const final = await counter(3).invoke({});
    expect(final.total).toBe(3);
    expect(total).not.toHaveBeenCalled();
  });

  it("is refused by zod, with its error, when it is not valid", async () => {
    const total = vi.spyOn(Total, "safeParse");
    const error = (await counter("three")
      .invoke({})
      .catch((thrown: unknown) => thrown)) as GraphError;
    const cause = error.cause as GraphError;
    expect(cause.code).toBe("INVALID_UPDATE");
    expect(cause.message).toBe('Node "count" wrote an invalid value to key "total": Invalid input: expected number, received string');
    expect(total).toHaveBeenCalledTimes(1);
  });

  it("leaves undefined to zod: an exact optional input refuses it", async () => {
    const Label = z.string().exactOptional();
    const graph = new StateGraph(z.object({ done: z.boolean().optional() }), { name: "exact" })
      .addNode("planner", () => undefined)
      .addNode("worker", () => ({ done: true }), { input: Label })
      .addEdge(START, "planner")
      .addConditionalEdges("planner", () => [new Send("worker", undefined as unknown as string)], ["worker"])
      .addEdge("worker", END)
      .compile();
    await expect(graph.invoke({})).rejects.toMatchObject({
      cause: { code: "INVALID_INPUT", message: expect.stringContaining("expected string, received undefined") },
    });
  });
});

describe("Sends and updates that change target or key from one to the next", () => {
  const State = z.object({ numbers: appendList(z.number()), words: appendList(z.string()) });

  function mixedFanOut(sends: () => readonly Send<string, unknown>[]) {
    return (
      new StateGraph(State, { name: "mixed" })
        .addNode("planner", () => undefined)
        .addNode("counter", (input: { n: number }) => ({ numbers: [input.n] }), { input: z.object({ n: z.number() }) })
        .addNode("speller", (input: { w: string }) => ({ words: input.w, numbers: input.w.length }), { input: z.object({ w: z.string() }) })
        .addEdge(START, "planner")
        // Typed loosely: a test below sends to a node that is not there.
        .addConditionalEdges("planner", sends as () => never, ["counter", "speller"])
        .addEdge("counter", END)
        .addEdge("speller", END)
        .compile()
    );
  }

  it("parse each input with its own target's schema and each value with its own key's", async () => {
    const final = await mixedFanOut(() => [
      new Send("counter", { n: 1 }),
      new Send("speller", { w: "ab" }),
      new Send("counter", { n: 2 }),
      new Send("counter", { n: 3 }),
      new Send("speller", { w: "cde" }),
    ]).invoke({});
    expect(final.numbers).toEqual([1, 2, 2, 3, 3]);
    expect(final.words).toEqual(["ab", "cde"]);
  });

  it("refuse an input that fits the previous Send's target but not its own", async () => {
    const error = (await mixedFanOut(() => [new Send("counter", { n: 1 }), new Send("speller", { n: 2 } as never)])
      .invoke({})
      .catch((thrown: unknown) => thrown)) as GraphError;
    expect((error.cause as GraphError).code).toBe("INVALID_INPUT");
    expect((error.cause as GraphError).message).toContain('to "speller"');
  });

  it("refuse a Send to an unknown node, and an update to an unknown key, after known ones", async () => {
    const toNowhere = (await mixedFanOut(() => [new Send("counter", { n: 1 }), new Send("countr", { n: 2 })])
      .invoke({})
      .catch((thrown: unknown) => thrown)) as GraphError;
    expect((toNowhere.cause as GraphError).code).toBe("UNKNOWN_NODE");
    const graph = new StateGraph(State, { name: "unknown-key" })
      .addNode("planner", () => undefined)
      .addNode("worker", (input: { i: number }) => (input.i === 0 ? { numbers: [0] } : ({ number: [1] } as never)), {
        input: z.object({ i: z.number() }),
      })
      .addEdge(START, "planner")
      .addConditionalEdges("planner", () => [new Send("worker", { i: 0 }), new Send("worker", { i: 1 })], ["worker"])
      .addEdge("worker", END)
      .compile();
    const unknownKey = (await graph.invoke({}).catch((thrown: unknown) => thrown)) as GraphError;
    expect(unknownKey.code).toBe("TASK_FAILED");
    expect((unknownKey.cause as GraphError).code).toBe("INVALID_UPDATE");
    expect((unknownKey.cause as GraphError).message).toContain('"number"');
  });
});
