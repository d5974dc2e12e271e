import { appendList, Command, END, isGraphError, MemoryCheckpointer, type RunEvent, Send, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { callModel, isOpenAIRunEvent, modelNode, sumUsage } from "../src/index.js";
import type { TestServer } from "../src/testing/index.js";
import { collect, useTestServer } from "./helpers.js";

const startServer = useTestServer();

/** Every reply uses 60 input and 40 output tokens: 100 a call. */
const HUNDRED = { prompt_tokens: 60, completion_tokens: 40 };

const Chat = z.object({ turns: appendList(z.string()) });

/** A model node in a loop: each step asks the model once more. Only a budget (or maxSteps) ends it. */
function chatLoop(server: TestServer, options: { maxCompletionTokens?: number } = {}) {
  return new StateGraph(Chat)
    .addNode(
      "ask",
      modelNode({
        client: server.client(),
        model: "gpt-4o-mini",
        messages: (s: { turns: string[] }) => [{ role: "user", content: `Turn ${s.turns.length}` }],
        ...(options.maxCompletionTokens === undefined ? {} : { request: { max_completion_tokens: options.maxCompletionTokens } }),
        output: (answer) => ({ turns: answer.text }),
      }),
    )
    .addEdge(START, "ask")
    .addConditionalEdges("ask", () => "ask");
}

describe("budgets with @weft/openai", () => {
  it("a run stops at its token budget: the model call that would start past it is never sent", async () => {
    const server = await startServer({ replies: [{ text: "more", usage: HUNDRED, times: Infinity }] });
    const graph = chatLoop(server).compile();

    const { events, error } = await collect(graph.stream({}, { budget: { tokens: 250 }, maxSteps: 50 }));

    // Calls start while less than 250 is spent: at 0, 100 and 200. The fourth finds 300 spent.
    expect(server.requests).toHaveLength(3);
    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    const cause = (error as { cause: unknown }).cause;
    expect(isGraphError(cause) && cause.details).toMatchObject({
      budget: "run",
      limit: "tokens",
      max: 250,
      spent: 300,
      node: "ask",
      step: 4,
    });
    expect(sumUsage(events).total.totalTokens).toBe(300);
    const usages = events.filter((e) => e.type === "task:usage");
    expect(usages.map((e) => e.type === "task:usage" && e.budgets[0]!.remaining.tokens)).toEqual([150, 50, 0]);
  });

  it("with max_completion_tokens the estimate keeps a call that might not fit from starting", async () => {
    const server = await startServer({ replies: [{ text: "more", usage: HUNDRED, times: Infinity }] });
    // "Turn 0" is 6 characters: about 2 input tokens, plus at most 100 of answer.
    const graph = chatLoop(server, { maxCompletionTokens: 100 }).compile();

    const error = await graph.invoke({}, { budget: { tokens: 250 }, maxSteps: 50 }).catch((e: unknown) => e);

    // At 200 spent, 200 + 102 > 250: the third call is refused before it is sent.
    expect(server.requests).toHaveLength(2);
    const cause = (error as { cause: { details: unknown } }).cause;
    expect(cause.details).toMatchObject({ spent: 200, estimate: 102, step: 3 });
  });

  it("prices calls from the run's price table and stops at the cost limit", async () => {
    const server = await startServer({ replies: [{ text: "more", usage: HUNDRED, times: Infinity }] });
    const prices = { "gpt-4o-mini": { inputPerMillion: 150, outputPerMillion: 600 } };
    // A call: 60 × $150/M + 40 × $600/M = $0.033.
    const { events, error } = await collect(
      chatLoop(server)
        .compile()
        .stream({}, { budget: { costUsd: 0.1, prices }, maxSteps: 50 }),
    );

    expect(server.requests).toHaveLength(4);
    const cause = (error as { cause: { details: { spent: number } } }).cause;
    expect(cause.details.spent).toBeCloseTo(0.132, 10);
    const first = events.find((e) => e.type === "task:usage");
    expect(first?.type === "task:usage" && first.usage).toMatchObject({ model: "gpt-4o-mini", inputTokens: 60, outputTokens: 40 });
    expect(first?.type === "task:usage" && first.usage.costUsd).toBeCloseTo(0.033, 10);
  });

  it("a Send worker over its own budget fails alone under onError: continue; the others finish", async () => {
    const server = await startServer({
      replies: [
        { match: /topic 2/, text: "long", usage: { prompt_tokens: 100, completion_tokens: 400 }, times: Infinity },
        { text: "short", usage: { prompt_tokens: 20, completion_tokens: 30 }, times: Infinity },
      ],
    });
    const client = server.client();
    const State = z.object({ notes: appendList(z.string()), summary: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("plan", () => ({}))
      .addNode(
        "research",
        async ({ topic }: { topic: number }, ctx) => {
          // A draft, then a second pass over it: two model calls per worker.
          const draft = await callModel({ client, model: "gpt-4o-mini", messages: [{ role: "user", content: `topic ${topic}` }] }, ctx);
          const final = await callModel(
            { client, model: "gpt-4o-mini", messages: [{ role: "user", content: `topic ${topic}: ${draft.text}` }] },
            ctx,
          );
          return { notes: `${topic}:${final.text}` };
        },
        { input: z.object({ topic: z.number() }), onError: "continue" },
      )
      .addNode("summarize", (s) => ({ summary: s.notes.join(", ") }))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => [0, 1, 2, 3].map((topic) => new Send("research", { topic }, { budget: { tokens: 300 } })))
      .addEdge("research", "summarize")
      .addEdge("summarize", END)
      .compile();

    const result = await graph.run({}, { budget: { tokens: 10_000 } });

    expect(result.state.summary).toBe("0:short, 1:short, 3:short");
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ node: "research", sendIndex: 2 });
    const error = result.failures[0]!.error;
    expect(isGraphError(error) && error.details).toMatchObject({ budget: "send", scopeId: "2:2", max: 300, spent: 500 });
    // Worker 2's second call was never sent: 3 workers × 2 calls + 1.
    expect(server.requests).toHaveLength(7);
    expect(result.budget?.spent.tokens).toBe(3 * 2 * 50 + 500);
  });

  it("what was spent survives an interrupt and resume: the resumed run does not get a fresh budget", async () => {
    const server = await startServer({ replies: [{ text: "draft", usage: HUNDRED, times: Infinity }] });
    const client = server.client();
    const State = z.object({ drafts: appendList(z.string()), approved: z.boolean().optional() });
    const checkpointer = new MemoryCheckpointer();
    const graph = new StateGraph(State)
      .addNode(
        "write",
        modelNode({
          client,
          model: "gpt-4o-mini",
          messages: () => [{ role: "user", content: "Write" }],
          output: (a) => ({ drafts: a.text }),
        }),
      )
      .addNode("approve", (_s, ctx) => ({ approved: ctx.interrupt<boolean>("approve?") }))
      .addConditionalEdges("approve", (s) => (s.approved === true ? END : "write"))
      .addEdge(START, "write")
      .addEdge("write", "approve")
      .compile({ checkpointer });
    const thread = { threadId: "draft-1" };

    await graph.run({}, { ...thread, budget: { tokens: 250 } });
    expect((await graph.getState("draft-1"))?.budget?.remaining).toEqual({ tokens: 150 });
    await graph.run(new Command({ resume: false }), thread);
    expect((await graph.getState("draft-1"))?.budget?.spent.tokens).toBe(200);
    await graph.run(new Command({ resume: false }), thread);
    expect((await graph.getState("draft-1"))?.budget?.spent.tokens).toBe(300);

    // A fresh budget would allow this call; the thread's 300 spent does not.
    const error = await graph.invoke(new Command({ resume: false }), thread).catch((e: unknown) => e);
    expect(isGraphError(error) && isGraphError(error.cause) && error.cause.code).toBe("BUDGET_EXCEEDED");
    expect(server.requests).toHaveLength(3);
  });

  it("concurrent workers racing for the last tokens: with estimates none is overspent, without them by at most the calls in flight", async () => {
    const run = async (maxCompletionTokens: number | undefined) => {
      // The calls open at once, counted by the workers: from before a call's budget check to
      // after its usage is counted (what the server sees open is narrower on a busy machine).
      let open = 0;
      let mostOpen = 0;
      const server = await startServer({
        replies: [{ text: "x", usage: { prompt_tokens: 2, completion_tokens: 8 }, latencyMs: 15, times: Infinity }],
      });
      const client = server.client();
      const State = z.object({ done: appendList(z.number()) });
      const graph = new StateGraph(State)
        .addNode("plan", () => ({}))
        .addNode(
          "work",
          async (_input: { i: number }, ctx) => {
            // Calls until a budget refuses one: the worker only ever ends with BUDGET_EXCEEDED.
            for (;;) {
              mostOpen = Math.max(mostOpen, ++open);
              try {
                await callModel(
                  {
                    client,
                    model: "m",
                    messages: [{ role: "user", content: "go" }],
                    ...(maxCompletionTokens === undefined ? {} : { request: { max_completion_tokens: maxCompletionTokens } }),
                  },
                  ctx,
                );
              } finally {
                open--;
              }
            }
          },
          { input: z.object({ i: z.number() }), onError: "continue" },
        )
        .addEdge(START, "plan")
        .addConditionalEdges("plan", () => Array.from({ length: 12 }, (_, i) => new Send("work", { i })))
        .addEdge("work", END)
        .compile();
      const result = await graph.run({}, { budget: { tokens: 205 } });
      await server.idle();
      return { result, server, mostOpen };
    };

    // "go" is one token of estimate, plus 9 of answer at most: 10, as much as each call uses.
    const covered = await run(9);
    expect(covered.result.failures).toHaveLength(12);
    expect(covered.server.requests).toHaveLength(20);
    expect(covered.result.budget?.spent.tokens).toBe(200);

    const blind = await run(undefined);
    const spent = blind.result.budget!.spent.tokens;
    const calls = blind.server.requests.length;
    expect(spent).toBe(calls * 10);
    expect(spent).toBeGreaterThan(205);
    // Every call started below the limit; the overspend is at most the calls open at once.
    expect(spent).toBeLessThanOrEqual(205 + blind.mostOpen * 10);
  });

  it("usage events and openai.usage events agree", async () => {
    const server = await startServer({ replies: [{ text: "done", usage: HUNDRED }] });
    const graph = new StateGraph(Chat)
      .addNode(
        "ask",
        modelNode({
          client: server.client(),
          model: "gpt-4o-mini",
          messages: () => [{ role: "user", content: "Hi" }],
          output: (a) => ({ turns: a.text }),
        }),
      )
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    const { events } = await collect(graph.stream({}));
    const usage = events.find((e): e is Extract<RunEvent, { type: "task:usage" }> => e.type === "task:usage");
    const openai = events.find((e) => isOpenAIRunEvent(e, "openai.usage"));
    expect(usage?.usage.tokens).toBe(100);
    expect(openai && isOpenAIRunEvent(openai, "openai.usage") && openai.data.totalTokens).toBe(100);
    expect(usage?.taskId).toBe(openai?.type === "custom" ? openai.taskId : undefined);
  });
});
