import { describe, expect, it, vi } from "vitest";

/**
 * Importing `@weft/core` does no work: it builds no zod schema, loads no Node module that costs
 * milliseconds (crypto, os, util), and loads neither the superstep loop nor the durable threads,
 * so that a program pays for what it uses. Schemas of stored records are built on first use;
 * crypto is loaded by the first checkpoint, lease or limit; the loop (and what only it uses) by
 * the first run; the durable threads by the first run or read on a thread.
 */
const seen = vi.hoisted(() => {
  const modules: string[] = [];
  /** A module factory that records `name` as loaded and gives the module itself. */
  const recorded =
    (name: string) =>
    (importOriginal: () => Promise<unknown>): Promise<unknown> => {
      modules.push(name);
      return importOriginal();
    };
  return { schemas: [] as string[], modules, recorded };
});

// Every zod factory call (z.object, z.string, …) is recorded, and still does what it does.
vi.mock("zod", async (importOriginal) => {
  const actual = await importOriginal<typeof import("zod")>();
  const z = new Proxy(actual.z, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string" || !/^[a-z]/.test(key)) return value;
      return (...args: unknown[]) => {
        seen.schemas.push(key);
        return (value as (...args: unknown[]) => unknown)(...args);
      };
    },
  });
  return { ...actual, z };
});
// Each of these modules is recorded when it is loaded, and is what it is.
vi.mock("node:crypto", seen.recorded("node:crypto"));
vi.mock("node:os", seen.recorded("node:os"));
vi.mock("node:util", seen.recorded("node:util"));
vi.mock("../src/runtime/loop.js", seen.recorded("runtime/loop"));
vi.mock("../src/thread/threads.js", seen.recorded("thread/threads"));

describe("importing the entry points", () => {
  it("builds no schema and loads none of crypto, os, util, the run loop and the durable threads", async () => {
    await import("../src/index.js");
    expect(seen.modules).toEqual([]);
    await import("../src/adapter.js");
    await import("../src/draw.js");
    await import("../src/aggregate.js");
    await import("../src/load.js");
    expect(seen.schemas).toEqual([]);
    // The adapter's `workerSteps` reads a thread's steps in a worker that never runs the graph.
    expect(seen.modules.filter((module) => module !== "thread/threads")).toEqual([]);
  });

  it("builds what a graph asks for once it is used (the recording sees zod's factories)", async () => {
    const { z } = await import("zod");
    const { StateGraph, START, END, MemoryCheckpointer } = await import("../src/index.js");
    const graph = new StateGraph(z.object({ n: z.number() }))
      .addNode("inc", (s) => ({ n: s.n + 1 }))
      .addEdge(START, "inc")
      .addEdge("inc", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    expect(await graph.invoke({ n: 1 }, { threadId: "t" })).toEqual({ n: 2 });
    expect(seen.schemas).toContain("object");
    expect(seen.modules).toEqual(expect.arrayContaining(["runtime/loop", "thread/threads"]));
    expect((await graph.getState("t"))?.values).toEqual({ n: 2 });
  });
});
