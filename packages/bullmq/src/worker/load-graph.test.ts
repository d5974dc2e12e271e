import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, START, StateGraph } from "@weft/core";
import { loadGraph, pickGraph } from "./load-graph.js";

const builder = (name: string) =>
  new StateGraph(z.object({ v: z.number() }), { name })
    .addNode("a", () => ({ v: 1 }))
    .addEdge(START, "a")
    .addEdge("a", END);

describe("finding the graph a module exports", () => {
  it("takes the named export, a builder or a compiled graph alike", () => {
    expect(pickGraph({ report: builder("r"), other: builder("o") }, "report").name).toBe("r");
    expect(pickGraph({ compiled: builder("c").compile() }, "compiled").name).toBe("c");
  });

  it("falls back to default, then graph, then the only graph", () => {
    expect(pickGraph({ default: builder("d"), graph: builder("g") }).name).toBe("d");
    expect(pickGraph({ graph: builder("g"), other: builder("o") }).name).toBe("g");
    expect(pickGraph({ State: z.object({}), mine: builder("m") }).name).toBe("m");
  });

  it("says what to do when the choice is missing or ambiguous", () => {
    expect(() => pickGraph({ a: builder("a"), b: builder("b") })).toThrow('exports 2 graphs ("a", "b"): name one with --export');
    expect(() => pickGraph({ helper: 1 })).toThrow('exports no graph (a StateGraph builder or a compiled graph); it exports "helper"');
    expect(() => pickGraph({ a: builder("a") }, "b")).toThrow('has no export "b"; it exports "a"');
    expect(() => pickGraph({ a: 1 }, "a")).toThrow('Export "a" of the module is not a graph');
  });

  it("imports a module by path, relative to the working directory, or by URL", async () => {
    const path = new URL("../../test/fixtures/fan-out-graph.ts", import.meta.url);
    expect((await loadGraph(path)).name).toBe("fan-out");
    expect((await loadGraph(path.pathname, "graph")).nodes.has("work")).toBe(true);
  });
});
