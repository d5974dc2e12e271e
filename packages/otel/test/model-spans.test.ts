import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { END, START, StateGraph } from "@weft/core";
import { agentGraph, isOpenAIRunEvent, modelNode, tool, type UsageEvent } from "@weft/openai";
import { startTestServer, type TestServer } from "@weft/openai/testing";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { traceInvoke, traceStream, WeftAttributes as A } from "../src/index.js";
import { ms, named, only, parentOf, setupTracing, tree } from "./spans.js";

const tracing = setupTracing();
const { tracer } = tracing;
let server: TestServer | undefined;
afterEach(async () => {
  tracing.exporter.reset();
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("model and tool calls", () => {
  it("are spans under their attempt, with the model, tokens and tool outcomes", async () => {
    server = await startTestServer({
      replies: [
        {
          toolCalls: [
            { name: "get_weather", arguments: { city: "Paris" }, id: "call_paris" },
            { name: "get_weather", arguments: { city: "Atlantis" }, id: "call_atlantis" },
          ],
          usage: { prompt_tokens: 20, completion_tokens: 8 },
          latencyMs: 40,
        },
        { text: "Paris is 15 °C.", usage: { prompt_tokens: 35, completion_tokens: 6 } },
      ],
    });
    const getWeather = tool({
      name: "get_weather",
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        await sleep(20);
        if (city === "Atlantis") throw new Error("no such city");
        return { city, temp_c: 15 };
      },
    });
    const agent = agentGraph({ client: server.client({ maxRetries: 0 }), model: "gpt-test", tools: [getWeather] }).compile();
    const events = [];
    for await (const event of traceStream(agent, { messages: [{ role: "user", content: "Weather in Paris and Atlantis?" }] }, { tracer })) {
      events.push(event);
    }
    const spans = tracing.spans();
    expect(tree(spans, only(spans, "run agent"))).toEqual([
      "run agent",
      "  step 1",
      "    task model",
      "      chat gpt-test",
      "  step 2",
      "    task tools",
      "      execute_tool get_weather",
      "      execute_tool get_weather",
      "  step 3",
      "    task model",
      "      chat gpt-test",
    ]);

    const [first, second] = named(spans, "chat gpt-test").sort((a, b) => ms(a.startTime) - ms(b.startTime));
    expect(first!.kind).toBe(SpanKind.CLIENT);
    expect(first!.attributes).toMatchObject({
      [A.OPERATION]: "chat",
      [A.RESPONSE_MODEL]: "gpt-test",
      [A.INPUT_TOKENS]: 20,
      [A.OUTPUT_TOKENS]: 8,
      [A.TOTAL_TOKENS]: 28,
      [A.NODE]: "model",
    });
    // The server took 40 ms to answer: the model call span covers it and ends when usage came.
    expect(ms(first!.duration)).toBeGreaterThanOrEqual(35);
    const usage = events.filter((e) => isOpenAIRunEvent(e, "openai.usage"));
    expect((usage[0]!.data as UsageEvent).durationMs).toBeCloseTo(ms(first!.duration), 0);
    expect(second!.attributes).toMatchObject({ [A.INPUT_TOKENS]: 35, [A.OUTPUT_TOKENS]: 6 });
    // The attempt span sums the tokens of its model calls.
    expect(parentOf(spans, first!)!.attributes).toMatchObject({ [A.INPUT_TOKENS]: 20, [A.OUTPUT_TOKENS]: 8, [A.TOTAL_TOKENS]: 28 });

    const tools = named(spans, "execute_tool get_weather");
    const paris = tools.find((s) => s.attributes[A.TOOL_CALL_ID] === "call_paris")!;
    const atlantis = tools.find((s) => s.attributes[A.TOOL_CALL_ID] === "call_atlantis")!;
    expect(paris.attributes).toMatchObject({ [A.OPERATION]: "execute_tool", [A.TOOL_NAME]: "get_weather", [A.TOOL_INDEX]: 0 });
    expect(paris.status.code).toBe(SpanStatusCode.UNSET);
    expect(atlantis.attributes).toMatchObject({ [A.TOOL_INDEX]: 1, [A.ERROR_TYPE]: "tool_error" });
    expect(atlantis.status.code).toBe(SpanStatusCode.ERROR);
    for (const span of tools) expect(ms(span.duration)).toBeGreaterThanOrEqual(15);
  });

  it("put a failed model call's error on its attempt, and the retry's tokens on the retry", async () => {
    server = await startTestServer({
      replies: [
        { status: 500, error: "upstream down" },
        { json: { label: "positive" }, usage: { prompt_tokens: 9, completion_tokens: 2 } },
      ],
    });
    const State = z.object({ text: z.string(), label: z.string().optional() });
    const graph = new StateGraph(State, { name: "classify" })
      .addNode(
        "classify",
        modelNode({
          client: server.client({ maxRetries: 0 }),
          model: "gpt-test",
          schema: z.object({ label: z.string() }),
          messages: (s: { text: string }) => [{ role: "user" as const, content: s.text }],
          output: (answer) => ({ label: answer.parsed.label }),
        }),
        { retry: { maxAttempts: 2, backoff: { initialMs: 1 } } },
      )
      .addEdge(START, "classify")
      .addEdge("classify", END)
      .compile();
    const state = await traceInvoke(graph, { text: "great" }, { tracer });
    expect(state.label).toBe("positive");
    const spans = tracing.spans();
    const [failed, retried] = named(spans, "task classify").sort(
      (a, b) => Number(a.attributes[A.ATTEMPT]) - Number(b.attributes[A.ATTEMPT]),
    );
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes).toMatchObject({ [A.RETRIED]: true });
    expect(String(failed!.attributes[A.ERROR_MESSAGE])).toContain("upstream down");
    expect(failed!.attributes[A.INPUT_TOKENS]).toBeUndefined();
    expect(retried!.attributes).toMatchObject({ [A.ATTEMPT]: 2, [A.INPUT_TOKENS]: 9, [A.OUTPUT_TOKENS]: 2 });
    expect(parentOf(spans, only(spans, "chat gpt-test"))).toBe(retried);
  });
});
