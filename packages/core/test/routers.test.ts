import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, START, StateGraph } from "../src/index.js";
import { rejectionOf } from "./helpers.js";

const State = z.object({ mood: z.string(), said: z.string().optional() });

function moodGraph(router: (state: { mood: string }) => unknown, options: { timeoutMs?: number } = {}) {
  return new StateGraph(State)
    .addNode("listen", () => ({}), options)
    .addNode("cheer", () => ({ said: "yay" }))
    .addNode("comfort", () => ({ said: "there there" }))
    .addEdge(START, "listen")
    .addConditionalEdges("listen", router as never, { good: "cheer", bad: "comfort" })
    .addEdge("cheer", END)
    .addEdge("comfort", END)
    .compile();
}

describe("routers", () => {
  it("refuses a path-map key inherited from Object.prototype, naming the router", async () => {
    const error = await rejectionOf(moodGraph(() => "toString").invoke({ mood: "sad" }));
    expect(error.cause).toMatchObject({ code: "INVALID_ROUTE", details: { node: "listen", route: "toString" } });
    expect(error.cause.message).toBe('Router of "listen" returned "toString", which is not a key of its path map.');
  });

  it("awaits a router that returns a thenable which is not a Promise", async () => {
    const thenable = { then: (resolve: (value: string) => void) => resolve("good") };
    expect((await moodGraph(() => thenable).invoke({ mood: "?" })).said).toBe("yay");
  });

  it("fails a router that never answers after its node's timeoutMs, naming the router", async () => {
    const graph = moodGraph(() => new Promise(() => {}), { timeoutMs: 50 });
    const error = await rejectionOf(graph.invoke({ mood: "?" }, { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ code: "TASK_FAILED" });
    expect(error.cause).toMatchObject({ code: "TIMEOUT", details: { node: "listen", timeoutMs: 50 } });
    expect(error.cause.message).toMatch(/^The router of "listen" did not answer within 50 ms/);
  });

  it("stops waiting for a router that never answers when the run is cancelled", async () => {
    const graph = moodGraph(() => new Promise(() => {}));
    const started = performance.now();
    // A settle timeout far beyond the run's: the router is abandoned at once, not waited for.
    const error = await rejectionOf(graph.invoke({ mood: "?" }, { timeoutMs: 50, settleTimeoutMs: 60_000 }));
    expect(error).toMatchObject({ code: "RUN_TIMEOUT" });
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
