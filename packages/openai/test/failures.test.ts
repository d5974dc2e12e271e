import { END, isGraphError, START, StateGraph } from "@weft/core";
import { RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { modelNode } from "../src/index.js";
import type { TestServer } from "../src/testing/index.js";
import { collect, finalState, useTestServer } from "./helpers.js";

const startServer = useTestServer();

const State = z.object({ answer: z.string().optional(), fallback: z.boolean().default(false) });

function ask(server: TestServer) {
  return modelNode({
    client: server.client(),
    model: "gpt-4o-mini",
    messages: () => [{ role: "user", content: "Hello?" }],
    output: (answer) => ({ answer: answer.text }),
  });
}

describe("HTTP failures and timeouts", () => {
  it("a 429 is retried by the node's retry policy like any other failure", async () => {
    const server = await startServer({ replies: [{ status: 429, error: "Rate limit reached" }, { text: "Hi." }] });
    const graph = new StateGraph(State)
      .addNode("ask", ask(server), { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();

    const { events } = await collect(graph.stream({}));

    const retry = events.find((e) => e.type === "task:retry");
    expect(retry?.type === "task:retry" && retry.error).toBeInstanceOf(RateLimitError);
    expect(finalState(events)).toEqual({ answer: "Hi.", fallback: false });
  });

  it("a 500 handled by onError becomes data and the run goes on", async () => {
    const server = await startServer({ replies: [{ status: 500, error: "The server had an error" }] });
    const graph = new StateGraph(State)
      .addNode("ask", ask(server), { onError: () => ({ fallback: true }) })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();

    const result = await graph.run({});

    expect(result.state).toEqual({ fallback: true });
    expect(result.failures).toHaveLength(1);
  });

  it("a node timeout aborts its HTTP request", async () => {
    const server = await startServer({ replies: [{ text: "late", latencyMs: 30_000 }] });
    // 1 s: time for the request to reach the server on a busy machine (at 50 ms the node could
    // time out before the server had read it); still far below the reply's 30 s.
    const graph = new StateGraph(State)
      .addNode("ask", ask(server), { timeoutMs: 1_000 })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();

    const error = await graph.invoke({}).catch((e: unknown) => e);

    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    expect(isGraphError((error as Error).cause) && (error as { cause: { code: string } }).cause.code).toBe("TIMEOUT");
    await server.idle();
    expect(server.requests[0]!.aborted).toBe(true);
  });
});
