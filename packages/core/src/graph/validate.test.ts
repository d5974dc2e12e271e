import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, GraphError, isGraphError, START, StateGraph } from "../index.js";

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
