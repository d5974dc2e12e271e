import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, START, StateGraph } from "../index.js";
import { graphIR } from "../graph/graph-source.js";
import { loadGraphModule, pickGraph } from "./graph-module.js";

const builder = (name: string) =>
  new StateGraph(z.object({ v: z.number() }), { name })
    .addNode("a", () => ({ v: 1 }))
    .addEdge(START, "a")
    .addEdge("a", END);

const nameOf = async (promise: Promise<Parameters<typeof graphIR>[0]>) => graphIR(await promise).name;

describe("picking the graph a module exports", () => {
  it("takes the named export: a builder, a compiled graph or a GraphIR", async () => {
    expect(await nameOf(pickGraph({ report: builder("r"), other: builder("o") }, { export: "report" }))).toBe("r");
    expect(await nameOf(pickGraph({ compiled: builder("c").compile() }, { export: "compiled" }))).toBe("c");
    expect(await nameOf(pickGraph({ ir: builder("i").toIR() }, { export: "ir" }))).toBe("i");
  });

  it("falls back to default, then graph, then the only graph", async () => {
    expect(await nameOf(pickGraph({ default: builder("d"), graph: builder("g") }))).toBe("d");
    expect(await nameOf(pickGraph({ default: { config: 1 }, graph: builder("g") }))).toBe("g");
    expect(await nameOf(pickGraph({ State: z.object({}), mine: builder("m") }))).toBe("m");
    expect(await nameOf(pickGraph({ default: { default: builder("cjs") } }))).toBe("cjs");
  });

  it("calls a factory of no arguments, sync or async, once", async () => {
    let calls = 0;
    const factory = () => {
      calls++;
      return builder("made");
    };
    expect(await nameOf(pickGraph({ reviewGraph: factory }, { export: "reviewGraph" }))).toBe("made");
    expect(await nameOf(pickGraph({ default: async () => builder("async") }))).toBe("async");
    expect(calls).toBe(1);
  });

  it("says what a factory needs, and what a wrong factory or export gave", async () => {
    await expect(
      pickGraph({ make: (model: string, tools: string[]) => [model, tools] }, { export: "make", where: "app.ts" }),
    ).rejects.toThrow('Export "make" of app.ts is a function that takes arguments (model, tools); a graph factory is called with none');
    await expect(pickGraph({ make: () => 42 }, { export: "make" })).rejects.toThrow(
      'Export "make" of the module is a function that returned number, not a graph.',
    );
    await expect(pickGraph({ Make: class {} }, { export: "Make" })).rejects.toThrow('Export "Make" of the module is a class');
    await expect(
      pickGraph(
        {
          make: () => {
            throw new Error("no API key");
          },
        },
        { export: "make" },
      ),
    ).rejects.toMatchObject({ code: "INVALID_OPTION", message: 'Calling export "make" of the module threw: no API key' });
    await expect(pickGraph({ n: 1 }, { export: "n" })).rejects.toThrow('Export "n" of the module is not a graph: expected a StateGraph');
  });

  it("names the exports when the choice is missing or ambiguous", async () => {
    await expect(pickGraph({ a: builder("a"), b: builder("b") })).rejects.toThrow(
      'exports 2 graphs ("a", "b"): choose one with --export <name>.',
    );
    await expect(pickGraph({ helper: 1 })).rejects.toThrow('its exports are: "helper"');
    await expect(pickGraph({ a: builder("a") }, { export: "b" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: 'the module has no export "b"; its exports are: "a".',
    });
    await expect(pickGraph({}, { export: "toString" })).rejects.toThrow('has no export "toString"');
  });
});

describe("loading a graph module", () => {
  const fixtures = join(import.meta.dirname, "../../test/fixtures");

  it("resolves a relative path from the given directory, and takes a URL", async () => {
    const loaded = await loadGraphModule({ module: "graph-module.ts", export: "reviewGraph", cwd: fixtures });
    expect(graphIR(loaded.graph).name).toBe("review-factory");
    expect(loaded.exports.input).toEqual({ v: 0 });
    const byUrl = await loadGraphModule({ module: new URL(`file://${fixtures}/graph-module.ts`), export: "review" });
    expect(graphIR(byUrl.graph).name).toBe("review");
  });

  it("names the module and where it looked when it does not exist", async () => {
    await expect(loadGraphModule({ module: "missing.ts", cwd: fixtures })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: `Cannot find the graph module missing.ts (looked at ${join(fixtures, "missing.ts")}).`,
    });
  });
});
