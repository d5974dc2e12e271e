import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, GraphError, isGraphError, Send, START, StateGraph } from "../index.js";

const State = z.object({ n: z.number().default(0) });
const inc = (s: { n: number }) => ({ n: s.n + 1 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isGraphError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe("compile() validation", () => {
  it("rejects an edge to an unknown node and suggests the closest name", () => {
    const builder = new StateGraph(State, { name: "review" }).addNode("review", inc).addEdge(START, "review");
    const bad = builder.addEdge("review", "reviw" as never);
    expect(() => bad.compile()).toThrow('Edge target "reviw" is not a node of graph "review". Did you mean "review"?');
  });

  it("rejects a node that START cannot reach", () => {
    const builder = new StateGraph(State)
      .addNode("a", inc)
      .addNode("orphan", inc)
      .addEdge(START, "a")
      .addEdge("a", END)
      .addEdge("orphan", END);
    expect(codeOf(() => builder.compile())).toBe("UNREACHABLE_NODE");
    expect(() => builder.compile()).toThrow(/Node "orphan"/);
  });

  it("rejects a node with no way out", () => {
    const builder = new StateGraph(State).addNode("a", inc).addNode("b", inc).addEdge(START, "a").addEdge("a", "b");
    expect(() => builder.compile()).toThrow('Node "b" of graph "graph" has no way out');
    expect(codeOf(() => builder.compile())).toBe("DEAD_END");
  });

  it("rejects a graph without an entry", () => {
    const builder = new StateGraph(State).addNode("a", inc).addEdge("a", END);
    expect(codeOf(() => builder.compile())).toBe("NO_ENTRY");
  });

  it("rejects reserved and duplicate node names at build time", () => {
    const builder = new StateGraph(State).addNode("a", inc);
    expect(codeOf(() => builder.addNode("a" as never, inc))).toBe("INVALID_NODE_NAME");
    expect(codeOf(() => builder.addNode(END as never, inc))).toBe("INVALID_NODE_NAME");
    expect(codeOf(() => builder.addNode("__internal" as never, inc))).toBe("INVALID_NODE_NAME");
    expect(codeOf(() => builder.addNode("" as never, inc))).toBe("INVALID_NODE_NAME");
  });

  it("rejects undeclared Command targets", () => {
    const builder = new StateGraph(State)
      .addNode("a", inc, { ends: ["b"] })
      .addEdge(START, "a")
      .addEdge("a", END);
    expect(() => (builder.compile as () => unknown)()).toThrow('Command target of "a": "b" is not a node');
  });

  it("rejects invalid node options with INVALID_OPTION", () => {
    const builder = new StateGraph(State);
    expect(codeOf(() => builder.addNode("a", inc, { timeoutMs: -1 }))).toBe("INVALID_OPTION");
    expect(codeOf(() => builder.addNode("a", inc, { concurrency: 0 }))).toBe("INVALID_OPTION");
    expect(() => builder.addNode("a", inc, { concurrency: 2.5 })).toThrow(
      'Node "a": concurrency must be a whole number ≥ 1 or a ConcurrencyLimit, got 2.5.',
    );
    expect(codeOf(() => builder.addNode("a", inc, { retry: { maxAttempts: 0 } }))).toBe("INVALID_OPTION");
  });

  describe("node options as plain JavaScript may pass them", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "a misspelt onError, which would keep the run going past a failure",
        { onError: "contine" },
        'Node "a": onError must be "fail", "continue" or a function, got "contine". Did you mean "continue"?',
      ],
      ["an option LangGraph.js spells differently", { retryPolicy: { maxAttempts: 3 } }, 'Node "a": unknown option "retryPolicy".'],
      ["a misspelt option", { timeout: 100 }, 'Node "a": unknown option "timeout". Did you mean "timeoutMs"?'],
      [
        "a retryOn that is not a function",
        { retry: { maxAttempts: 3, retryOn: "yes" } },
        'Node "a": retry.retryOn must be a function, got "yes".',
      ],
      [
        "a negative backoff",
        { retry: { maxAttempts: 3, backoff: { initialMs: -5 } } },
        'Node "a": retry.backoff.initialMs must be a finite number of milliseconds ≥ 0, got -5.',
      ],
      [
        "a NaN backoff factor",
        { retry: { maxAttempts: 3, backoff: { factor: Number.NaN } } },
        'Node "a": retry.backoff.factor must be a finite number ≥ 1, got NaN.',
      ],
      [
        "an unknown backoff field",
        { retry: { maxAttempts: 3, backoff: { initial: 5 } } },
        'Node "a": unknown option "retry.backoff.initial". Did you mean "initialMs"?',
      ],
      ["a timeoutMs given as a string", { timeoutMs: "10" }, 'Node "a": timeoutMs must be a finite number of milliseconds > 0, got "10".'],
      ["an input that is not a zod schema", { input: { i: "number" } }, 'Node "a": input must be a zod schema, got an object.'],
      ["a null input", { input: null }, 'Node "a": input must be a zod schema, got null.'],
      ["a defer that is not a boolean", { defer: "yes" }, 'Node "a": defer must be true or false, got "yes".'],
    ];
    for (const [what, options, message] of cases) {
      it(`rejects ${what}`, () => {
        const builder = new StateGraph(State);
        const add = (): unknown => builder.addNode("a", inc, options as never);

        expect(add).toThrow(message);
        expect(codeOf(add)).toBe("INVALID_OPTION");
      });
    }

    it("rejects a node function that is not a function", () => {
      expect(() => new StateGraph(State).addNode("a", undefined as never)).toThrow(
        'Node "a": its function must be a function, got undefined.',
      );
    });

    it("accepts every option at its edge values", () => {
      const builder = new StateGraph(State).addNode("a", inc, {
        timeoutMs: 1,
        retry: { maxAttempts: 1, backoff: { initialMs: 0, factor: 1, maxMs: 0, jitter: false }, retryOn: () => true },
        concurrency: 1,
        onError: "continue",
        defer: false,
        ends: [],
      });
      expect(builder.toIR().nodes.get("a")).toMatchObject({ timeoutMs: 1, concurrency: 1, onError: "continue", defer: false });
    });
  });

  it("rejects edges and routers that plain JavaScript got wrong, with INVALID_ROUTE", () => {
    const builder = new StateGraph(State).addNode("a", inc);

    expect(() => builder.addEdge(123 as never, "a")).toThrow(
      'addEdge takes a node name (or an array of them) and a node name, got 123 and "a".',
    );
    expect(() => builder.addEdge(START, undefined as never)).toThrow('got "__start__" and undefined.');
    expect(() => builder.addEdge(["a", 1] as never, "a")).toThrow('got ["a", 1] and "a".');
    expect(() => builder.addConditionalEdges(START, "a" as never)).toThrow('The router of "__start__" must be a function, got "a".');
    expect(codeOf(() => builder.addConditionalEdges(START, "a" as never))).toBe("INVALID_ROUTE");
  });

  it("refuses a Send without a node name", () => {
    expect(() => new Send(undefined as never, {})).toThrow("A Send needs the name of the node to run, got undefined.");
    expect(() => new Send("" as never, {})).toThrow('A Send needs the name of the node to run, got "".');
  });

  it("keeps the builder immutable: adding to a builder leaves the original untouched", () => {
    const base = new StateGraph(State).addNode("a", inc).addEdge(START, "a").addEdge("a", END);
    const extended = base.addNode("b", inc);
    expect(base.toIR().nodes.has("b")).toBe(false);
    expect(extended.toIR().nodes.has("b")).toBe(true);
    expect(() => base.compile()).not.toThrow();
  });

  it("throws GraphError instances that keep their code and details", () => {
    try {
      new StateGraph(State).addNode("a", inc).addEdge("a", END).compile();
    } catch (error) {
      expect(error).toBeInstanceOf(GraphError);
      expect((error as GraphError).details).toEqual({ graph: "graph" });
    }
  });
});
