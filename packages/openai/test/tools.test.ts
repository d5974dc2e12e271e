import { appendList, END, START, StateGraph } from "@weft/core";
import type { ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AgentState, isOpenAIRunEvent, modelNode, runToolCalls, tool, toolCallsOf, toolNode } from "../src/index.js";
import { collect, finalState, useTestServer } from "./helpers.js";

const startServer = useTestServer();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seed's get_weather, recording when each call starts and ends. */
function weatherTool(log: { city: string; phase: "start" | "end"; at: number }[], delayMs = 30) {
  const temps: Record<string, number> = { london: 12, tokyo: 24, paris: 15 };
  return tool({
    name: "get_weather",
    description: "Current temperature of a city",
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      log.push({ city, phase: "start", at: performance.now() });
      await sleep(delayMs);
      log.push({ city, phase: "end", at: performance.now() });
      return { city, temp_c: temps[city.toLowerCase()] ?? 20 };
    },
  });
}

function call(id: string, name: string, args: string): ChatCompletionMessageToolCall {
  return { id, type: "function", function: { name, arguments: args } };
}

describe("tool node", () => {
  it("runs the three tool calls of one assistant message concurrently and answers in call order", async () => {
    const server = await startServer({
      replies: [
        {
          toolCalls: [
            { name: "get_weather", arguments: { city: "London" }, id: "call_london" },
            { name: "get_weather", arguments: { city: "Tokyo" }, id: "call_tokyo" },
            { name: "get_weather", arguments: { city: "Paris" }, id: "call_paris" },
          ],
        },
      ],
    });
    const log: { city: string; phase: "start" | "end"; at: number }[] = [];
    const getWeather = weatherTool(log);
    const graph = new StateGraph(AgentState)
      .addNode(
        "model",
        modelNode({
          client: server.client(),
          model: "gpt-4o-mini",
          tools: [getWeather],
          messages: (s: z.output<typeof AgentState>) => s.messages,
          output: (answer) => ({ messages: answer.message }),
        }),
      )
      .addNode("tools", toolNode({ tools: [getWeather] }))
      .addEdge(START, "model")
      .addEdge("model", "tools")
      .addEdge("tools", END)
      .compile();

    const { messages } = await graph.invoke({ messages: [{ role: "user", content: "Weather in London, Tokyo, Paris?" }] });

    // Concurrency, from recorded times: every call started before the first one ended.
    const firstEnd = Math.min(...log.filter((e) => e.phase === "end").map((e) => e.at));
    const starts = log.filter((e) => e.phase === "start");
    expect(starts).toHaveLength(3);
    for (const start of starts) expect(start.at).toBeLessThan(firstEnd);
    expect(messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "call_london", content: '{"city":"London","temp_c":12}' },
      { role: "tool", tool_call_id: "call_tokyo", content: '{"city":"Tokyo","temp_c":24}' },
      { role: "tool", tool_call_id: "call_paris", content: '{"city":"Paris","temp_c":15}' },
    ]);
    expect(server.requests[0]!.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Current temperature of a city",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
            additionalProperties: false,
          },
          strict: true,
        },
      },
    ]);
  });

  it("answers in call order even when later calls finish first", async () => {
    const delays: Record<string, number> = { a: 40, b: 20, c: 1 };
    const slow = tool({
      name: "echo",
      parameters: z.object({ id: z.string() }),
      execute: async ({ id }) => {
        await sleep(delays[id]!);
        return `done ${id}`;
      },
    });
    const results = await runToolCalls(
      ["a", "b", "c"].map((id) => call(`call_${id}`, "echo", JSON.stringify({ id }))),
      [slow],
    );
    expect(results.map((r) => r.message.content)).toEqual(["done a", "done b", "done c"]);
  });

  it("turns bad JSON, zod failures, unknown tools, throwing and timed-out tools into messages the model can read", async () => {
    const add = tool({
      name: "add",
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => a + b,
    });
    const boom = tool({
      name: "boom",
      parameters: z.object({}),
      execute: () => {
        throw new Error("database is down");
      },
    });
    let sawAbort = false;
    const hang = tool({
      name: "hang",
      parameters: z.object({}),
      timeoutMs: 20,
      execute: (_args, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            sawAbort = true;
            resolve("too late");
          });
        }),
    });

    const results = await runToolCalls(
      [
        call("c1", "add", '{"a": 1, "b": 2}'),
        call("c2", "add", '{"a": 1, "b": '),
        call("c3", "add", '{"a": "one", "b": 2}'),
        call("c4", "subtract", "{}"),
        call("c5", "boom", "{}"),
        call("c6", "hang", "{}"),
      ],
      [add, boom, hang],
    );

    expect(results.map((r) => [r.callId, r.failure])).toEqual([
      ["c1", undefined],
      ["c2", "INVALID_ARGUMENTS"],
      ["c3", "INVALID_ARGUMENTS"],
      ["c4", "UNKNOWN_TOOL"],
      ["c5", "TOOL_FAILED"],
      ["c6", "TOOL_TIMEOUT"],
    ]);
    const content = results.map((r) => r.message.content as string);
    expect(content[0]).toBe("3");
    expect(content[1]).toMatch(/^Error: the arguments of "add" are not valid JSON/);
    expect(content[2]).toContain('Error: invalid arguments for "add":');
    expect(content[2]).toContain("→ at a");
    expect(content[3]).toBe('Error: there is no tool named "subtract". Available tools: "add", "boom", "hang".');
    expect(content[4]).toBe('Error: the tool "boom" failed: database is down');
    expect(content[5]).toBe('Error: the tool "hang" timed out after 20 ms and was cancelled. Try again or do without it.');
    expect(sawAbort).toBe(true);
  });

  it("a node-level timeout applies to tools without their own, and a concurrency cap queues the rest", async () => {
    let running = 0;
    let peak = 0;
    const work = tool({
      name: "work",
      parameters: z.object({ ms: z.number() }),
      execute: async ({ ms }, { signal }) => {
        running++;
        peak = Math.max(peak, running);
        try {
          await new Promise((resolve, reject) => {
            const timer = setTimeout(resolve, ms);
            signal.addEventListener("abort", () => {
              clearTimeout(timer);
              reject(signal.reason);
            });
          });
          return "ok";
        } finally {
          running--;
        }
      },
    });
    const results = await runToolCalls(
      [5, 5, 5, 5, 5_000].map((ms, i) => call(`c${i}`, "work", JSON.stringify({ ms }))),
      [work],
      { timeoutMs: 100, concurrency: 2 },
    );
    expect(results.map((r) => r.failure)).toEqual([undefined, undefined, undefined, undefined, "TOOL_TIMEOUT"]);
    expect(peak).toBe(2);
  });

  it("a tool called with invalid arguments becomes a readable tool message and the run goes on", async () => {
    const server = await startServer({
      replies: [
        { toolCalls: [{ name: "get_weather", arguments: { town: "Paris" }, id: "call_1" }] },
        { match: (r) => r.body.messages.length === 3, toolCalls: [{ name: "get_weather", arguments: { city: "Paris" }, id: "call_2" }] },
        { text: "It is 15°C in Paris." },
      ],
    });
    const log: { city: string; phase: "start" | "end"; at: number }[] = [];
    const getWeather = weatherTool(log, 1);
    const State = z.object({ messages: AgentState.shape.messages, toolFailures: appendList(z.string()) });
    const model = modelNode({
      client: server.client(),
      model: "gpt-4o-mini",
      tools: [getWeather],
      messages: (s: z.output<typeof State>) => s.messages,
      output: (answer) => ({ messages: answer.message }),
    });
    const graph = new StateGraph(State)
      .addNode("model", model)
      .addNode(
        "tools",
        toolNode({
          tools: [getWeather],
          calls: (s: z.output<typeof State>) => toolCallsOf(s.messages.at(-1)),
          output: (results) => ({
            messages: results.map((r) => r.message),
            toolFailures: results.flatMap((r) => (r.failure ? [r.failure] : [])),
          }),
        }),
      )
      .addEdge(START, "model")
      .addConditionalEdges("model", (s) => (toolCallsOf(s.messages.at(-1)).length > 0 ? "tools" : END), ["tools", END])
      .addEdge("tools", "model")
      .compile();
    const { events } = await collect(graph.stream({ messages: [{ role: "user", content: "Weather in Paris?" }] }));

    const state = finalState<z.output<typeof State>>(events);
    expect(state.toolFailures).toEqual(["INVALID_ARGUMENTS"]);
    expect(state.messages[2]).toMatchObject({ role: "tool", tool_call_id: "call_1" });
    expect(state.messages[2]!.content).toContain('Error: invalid arguments for "get_weather"');
    // The model saw the error message and called again, correctly this time.
    expect(server.requests[1]!.body.messages.at(-1)).toEqual(state.messages[2]);
    expect(state.messages.at(-1)).toEqual({ role: "assistant", content: "It is 15°C in Paris." });
    expect(log.map((e) => e.city)).toEqual(["Paris", "Paris"]);
    const toolEvents = events.filter((e) => isOpenAIRunEvent(e, "openai.tool"));
    expect(toolEvents.map((e) => [e.data.phase, e.data.callId, e.data.ok])).toEqual([
      ["start", "call_1", undefined],
      ["end", "call_1", false],
      ["start", "call_2", undefined],
      ["end", "call_2", true],
    ]);
  });

  it("refuses a tool name the API would reject", () => {
    expect(() => tool({ name: "get weather", parameters: z.object({}), execute: () => "" })).toThrow(
      /Tool name "get weather" is not valid/,
    );
  });
});
