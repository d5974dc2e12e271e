import { describe, expect, it, vi } from "vitest";

/**
 * Importing `@weft/core` does no work: it builds no zod schema and loads no Node module that
 * costs milliseconds (crypto, os, util), so that a program pays for what it uses. Schemas of stored
 * records are built on first use; crypto is loaded by the first checkpoint, lease or limit.
 */
const seen = vi.hoisted(() => ({ schemas: [] as string[], modules: [] as string[] }));

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
vi.mock("node:crypto", async (importOriginal) => {
  seen.modules.push("node:crypto");
  return importOriginal();
});
vi.mock("node:os", async (importOriginal) => {
  seen.modules.push("node:os");
  return importOriginal();
});
vi.mock("node:util", async (importOriginal) => {
  seen.modules.push("node:util");
  return importOriginal();
});

describe("importing the entry points", () => {
  it("builds no schema and loads none of crypto, os and util", async () => {
    await import("../src/index.js");
    await import("../src/adapter.js");
    await import("../src/draw.js");
    await import("../src/aggregate.js");
    await import("../src/load.js");
    expect(seen.schemas).toEqual([]);
    expect(seen.modules).toEqual([]);
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
    expect((await graph.getState("t"))?.values).toEqual({ n: 2 });
  });
});
