import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { OpenAIEvent, UsageEvent } from "../events/events.js";
import { startTestServer, type TestServer } from "../testing/index.js";
import { tool } from "../tools/tool.js";
import { callModel } from "./call-model.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const user = (content: string) => [{ role: "user" as const, content }];

describe("callModel", () => {
  it("works outside a graph, passes extra request parameters, and returns a message ready to append", async () => {
    server = await startTestServer({ replies: [{ text: "Hi!", usage: { prompt_tokens: 3, completion_tokens: 1 } }] });

    const answer = await callModel({
      client: server.client(),
      model: "gpt-4o-mini",
      messages: user("Hello"),
      request: { temperature: 0, max_completion_tokens: 5 },
    });

    expect(answer).toMatchObject({
      text: "Hi!",
      parsed: undefined,
      message: { role: "assistant", content: "Hi!" },
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 },
      model: "gpt-4o-mini",
    });
    expect(server.requests[0]!.body).toMatchObject({ temperature: 0, max_completion_tokens: 5 });
    expect(server.requests[0]!.body.stream).toBeUndefined();
  });

  it("emits deltas and usage through the context, tagged with the attempt", async () => {
    server = await startTestServer({ replies: [{ text: "a b c", latencyMs: 40 }] });
    const events: OpenAIEvent[] = [];

    const answer = await callModel(
      { client: server.client(), model: "m", messages: user("x"), stream: true },
      { emit: (e) => events.push(e as OpenAIEvent), attempt: 3 },
    );

    expect(answer.text).toBe("a b c");
    expect(events).toEqual([
      { type: "openai.delta", text: "a ", model: "m", attempt: 3 },
      { type: "openai.delta", text: "b ", model: "m", attempt: 3 },
      { type: "openai.delta", text: "c", model: "m", attempt: 3 },
      {
        type: "openai.usage",
        model: "m",
        attempt: 3,
        promptTokens: 1,
        completionTokens: 3,
        totalTokens: 4,
        durationMs: expect.any(Number),
      },
    ]);
    // The server waited 40 ms before answering: the call's duration covers that wait.
    expect((events[3] as UsageEvent).durationMs).toBeGreaterThanOrEqual(35);
  });

  it("a refusal to a structured request is a REFUSAL error; without a schema it stays on the message", async () => {
    server = await startTestServer({ replies: [{ refusal: "I can't help with that." }, { refusal: "No." }] });
    const client = server.client();

    const error = await callModel({ client, model: "m", messages: user("x"), schema: z.object({ a: z.string() }) }).catch(
      (e: unknown) => e,
    );
    const answer = await callModel({ client, model: "m", messages: user("x") });

    expect(error).toMatchObject({ name: "ModelError", code: "REFUSAL", raw: "I can't help with that." });
    expect(answer.message).toEqual({ role: "assistant", content: null, refusal: "No." });
  });

  it("an empty structured answer is EMPTY_ANSWER", async () => {
    server = await startTestServer({ replies: [{ text: "" }] });

    const error = await callModel({
      client: server.client(),
      model: "m",
      messages: user("x"),
      schema: z.object({ a: z.string() }),
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "EMPTY_ANSWER", raw: "" });
  });

  it("with tools, a tool-calling answer has no parsed output and content null", async () => {
    server = await startTestServer({ replies: [{ toolCalls: [{ name: "lookup", arguments: { q: "x" } }] }] });
    const lookup = tool({ name: "lookup", parameters: z.object({ q: z.string() }), execute: ({ q }) => q });

    const answer = await callModel({
      client: server.client(),
      model: "m",
      messages: user("x"),
      tools: [lookup],
      schema: z.object({ a: z.string() }),
    });

    expect(answer.parsed).toBeUndefined();
    expect(answer.message).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_0", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } }],
    });
  });
});
