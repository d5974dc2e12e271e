import { END, MemoryCheckpointer, RateLimit, Send, START, StateGraph, appendList } from "@weft/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import { callModel, modelNode, runToolCalls, tool, toolNode } from "../src/index.js";
import { startTestServer, type TestServer } from "../src/testing/index.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const user = (content: string) => [{ role: "user" as const, content }];

describe("rate limits on model calls", () => {
  it("takes a turn just before each call and counts it for the tokens the answer reports", async () => {
    server = await startTestServer({ handler: () => ({ text: "ok", usage: { prompt_tokens: 5, completion_tokens: 5 } }) });
    // 100 tokens a minute: estimated at 60 each, only one call fits, and a second turn would
    // outlast the test's timeout; counted at their real 10, all five fit without a wait.
    const limit = new RateLimit({ key: "openai", tokens: { limit: 100, intervalMs: 60_000 } });
    const client = server.client();
    for (let i = 0; i < 5; i++)
      await callModel({ client, model: "m", messages: user(`q${i}`), rateLimit: limit, estimate: { inputTokens: 60 } });
    expect(server.requests).toHaveLength(5);
    // The window holds 50 of its 100 tokens: a sixth call estimated at 60 must wait for its turn.
    const waiting = new AbortController();
    const sixth = callModel(
      { client, model: "m", messages: user("q5"), rateLimit: limit, estimate: { inputTokens: 60 } },
      { signal: waiting.signal },
    );
    await vi.waitFor(() => expect(limit.waiting).toBe(1));
    waiting.abort(new Error("no turn"));
    await expect(sixth).rejects.toThrow("no turn");
    expect(server.requests).toHaveLength(5);
  }, 10_000);

  it("counts a call's estimate, the one its budgets hold back, at its token limits", async () => {
    server = await startTestServer({ handler: () => ({ text: "ok", latencyMs: 50, usage: { prompt_tokens: 1, completion_tokens: 1 } }) });
    const limit = new RateLimit({ key: "openai", tokens: { limit: 100, intervalMs: 500 } });
    const client = server.client();
    // Estimated at 60 tokens each, two calls at once do not fit: the second waits for the first's answer.
    const estimate = { inputTokens: 40, outputTokens: 20 };
    await Promise.all([0, 1].map((i) => callModel({ client, model: "m", messages: user(`q${i}`), rateLimit: limit, estimate })));
    const [first, second] = server.requests;
    expect(second!.receivedAt).toBeGreaterThanOrEqual(first!.respondedAt!);
  });

  it("estimates a call from its messages and max_completion_tokens when not told", async () => {
    server = await startTestServer({ handler: () => ({ text: "ok", usage: { prompt_tokens: 1, completion_tokens: 1 } }) });
    const limit = new RateLimit({ key: "openai", tokens: { limit: 1000, intervalMs: 500 } });
    const client = server.client();
    // 600 completion tokens allowed: two calls at once do not fit the window; the second waits for the first's answer, which counts it at its real 2 tokens.
    const calls = [0, 1].map((i) =>
      callModel({ client, model: "m", messages: user(`q${i}`), request: { max_completion_tokens: 600 }, rateLimit: limit }),
    );
    await Promise.all(calls);
    const [first, second] = server.requests;
    expect(second!.receivedAt).toBeGreaterThanOrEqual(first!.respondedAt!);
  });

  it("pauses the key for every call sharing it after a 429 with retry-after, and a node's retry then succeeds", async () => {
    server = await startTestServer({
      replies: [{ status: 429, error: "Rate limit reached", headers: { "retry-after-ms": "300" } }],
      handler: () => ({ text: "ok", latencyMs: 1 }),
    });
    const limit = new RateLimit({ key: "openai", requests: { limit: 100, intervalMs: 1000 } });
    const State = z.object({ answers: appendList(z.string()) });
    const graph = new StateGraph(State)
      .addNode(
        "ask",
        modelNode({
          client: server.client(),
          model: "m",
          // The others ask 50 ms after the first, once its 429 is in.
          messages: async ({ i }: { i: number }) => {
            if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
            return user(`q${i}`);
          },
          output: (answer, { i }) => ({ answers: `${i}:${answer.text}` }),
          rateLimit: limit,
        }),
        { input: z.object({ i: z.number() }), retry: { maxAttempts: 3, backoff: { initialMs: 1, jitter: false } } },
      )
      .addConditionalEdges(START, () => [0, 1, 2, 3].map((i) => new Send("ask", { i })))
      .addEdge("ask", END)
      .compile();

    const state = await graph.invoke({});

    expect([...state.answers].sort()).toEqual(["0:ok", "1:ok", "2:ok", "3:ok"]);
    const [rejected, ...rest] = server.requests;
    expect(rejected!.status).toBe(429);
    for (const request of rest) expect(request.receivedAt - rejected!.respondedAt!).toBeGreaterThanOrEqual(280);
  });

  it("gives each call of a rate-limited tool its turn before it runs, the model's calls of one turn included", async () => {
    const search = new RateLimit({ key: "search", requests: { limit: 1, intervalMs: 100 } });
    const starts: number[] = [];
    const lookup = tool({
      name: "lookup",
      parameters: z.object({ q: z.string() }),
      rateLimit: search,
      execute: ({ q }) => {
        starts.push(performance.now());
        return `found ${q}`;
      },
    });
    const calls = ["a", "b", "c"].map((q, i) => ({
      id: `call_${i}`,
      type: "function" as const,
      function: { name: "lookup", arguments: JSON.stringify({ q }) },
    }));

    const results = await runToolCalls(calls, [lookup]);

    expect(results.map((result) => result.message.content)).toEqual(["found a", "found b", "found c"]);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(95);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(95);
  });

  it("takes no turn for a tool call whose step is saved: a retried tool node does not wait for the limit again", async () => {
    // One call a minute: a second turn would outlast the test's timeout.
    const perMinute = new RateLimit({ key: "search", requests: { limit: 1, intervalMs: 60_000 } });
    let searches = 0;
    const search = tool({
      name: "search",
      parameters: z.object({ q: z.string() }),
      rateLimit: perMinute,
      execute: ({ q }) => {
        searches++;
        return `found ${q}`;
      },
    });
    let outputs = 0;
    const State = z.object({ calls: z.array(z.any()), found: z.array(z.string()).default([]) });
    const graph = new StateGraph(State)
      .addNode(
        "tools",
        toolNode({
          tools: [search],
          calls: (state: { calls: ChatCompletionMessageToolCall[] }) => state.calls,
          output: (results) => {
            if (outputs++ === 0) throw new Error("the first output is lost");
            return { found: results.map((result) => String(result.message.content)) };
          },
        }),
        { retry: { maxAttempts: 2, backoff: { initialMs: 1, jitter: false } } },
      )
      .addEdge(START, "tools")
      .addEdge("tools", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const call = { id: "call_0", type: "function" as const, function: { name: "search", arguments: JSON.stringify({ q: "weft" }) } };

    const state = await graph.invoke({ calls: [call] }, { threadId: "saved-tool" });

    expect(state.found).toEqual(["found weft"]);
    expect(outputs).toBe(2);
    expect(searches).toBe(1);
  }, 10_000);
});
