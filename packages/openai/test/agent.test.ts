import { END, isGraphError, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { agentGraph, agentNodes, AgentState, isModelError, tool } from "../src/index.js";
import type { RecordedRequest } from "../src/testing/index.js";
import { useTestServer } from "./helpers.js";

const startServer = useTestServer();

const temps: Record<string, number> = { london: 12, tokyo: 24, paris: 15 };
const getWeather = tool({
  name: "get_weather",
  description: "Current temperature of a city in °C",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { city, temp_c: temps[city.toLowerCase()] ?? 20 };
  },
});

const afterTools = (request: RecordedRequest) => request.body.messages.at(-1)?.role === "tool";

describe("agent loop", () => {
  it("model → tools → model until the model answers without tool calls", async () => {
    const server = await startServer({
      replies: [
        { match: afterTools, text: "London 12°C, Tokyo 24°C, Paris 15°C." },
        {
          toolCalls: [
            { name: "get_weather", arguments: { city: "London" } },
            { name: "get_weather", arguments: { city: "Tokyo" } },
            { name: "get_weather", arguments: { city: "Paris" } },
          ],
        },
      ],
    });
    const agent = agentGraph({
      client: server.client(),
      model: "gpt-4o-mini",
      tools: [getWeather],
      system: "You are a weather assistant.",
    }).compile();

    const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Weather in London, Tokyo and Paris?" }] });

    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool", "tool", "assistant"]);
    expect(messages.slice(2).map((m) => m.content)).toEqual([
      '{"city":"London","temp_c":12}',
      '{"city":"Tokyo","temp_c":24}',
      '{"city":"Paris","temp_c":15}',
      "London 12°C, Tokyo 24°C, Paris 15°C.",
    ]);
    expect(server.requests).toHaveLength(2);
    // The system prompt goes with every request but is not stored in the state.
    expect(server.requests.map((r) => r.body.messages[0])).toEqual([
      { role: "system", content: "You are a weather assistant." },
      { role: "system", content: "You are a weather assistant." },
    ]);
    expect(server.requests[1]!.body.messages.slice(1)).toEqual(messages.slice(0, 5));
    expect(server.pending()).toEqual([]);
  });

  it("is an ordinary builder: its IR shows the loop, and it takes more nodes and a wider state", async () => {
    const server = await startServer({ replies: [{ text: "Hello, Ada." }] });
    const State = AgentState.extend({ user: z.string(), greeted: z.boolean().default(false) });
    const builder = agentGraph({ client: server.client(), model: "gpt-4o-mini", tools: [getWeather], state: State });

    const ir = builder.toIR();
    expect([...ir.nodes.keys()]).toEqual(["model", "tools"]);
    expect(ir.edges).toEqual([
      { from: START, to: "model" },
      { from: "tools", to: "model" },
    ]);
    expect(ir.branches.map((b) => [b.source, b.targets])).toEqual([["model", ["tools", END]]]);

    const graph = builder
      .addNode("greet", (s) => ({ greeted: s.user.length > 0 }))
      .addEdge(START, "greet")
      .addEdge("greet", END)
      .compile();
    const result = await graph.invoke({ user: "Ada", messages: [{ role: "user", content: "Hi" }] });

    expect(result.greeted).toBe(true);
    expect(result.messages.at(-1)).toEqual({ role: "assistant", content: "Hello, Ada." });
  });

  it("maxTurns: the last turn forbids tools, so the model has to answer", async () => {
    const server = await startServer({
      replies: [
        { match: (r) => r.body.tool_choice === "none", text: "I could not finish, here is what I know." },
        { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }], times: Infinity },
      ],
    });
    const agent = agentGraph({ client: server.client(), model: "gpt-4o-mini", tools: [getWeather], maxTurns: 3 }).compile();

    const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Loop forever" }] });

    expect(server.requests.map((r) => r.body.tool_choice)).toEqual([undefined, undefined, "none"]);
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "I could not finish, here is what I know." });
  });

  it("maxTurns: a model that still calls tools on the last turn fails with MAX_TURNS", async () => {
    const server = await startServer({
      replies: [{ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }], times: Infinity }],
    });
    const agent = agentGraph({ client: server.client(), model: "gpt-4o-mini", tools: [getWeather], maxTurns: 2 }).compile();

    const error = await agent.invoke({ messages: [{ role: "user", content: "Loop forever" }] }).catch((e: unknown) => e);

    expect(isGraphError(error) && error.code).toBe("TASK_FAILED");
    const cause = (error as Error).cause;
    expect(isModelError(cause) && cause.code).toBe("MAX_TURNS");
    expect(server.requests).toHaveLength(2);
  });

  it("its pieces assemble into a loop of your own", async () => {
    const server = await startServer({
      replies: [{ match: afterTools, text: "Paris is at 15°C." }, { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] }],
    });
    const { model, tools, route } = agentNodes({ client: server.client(), model: "gpt-4o-mini", tools: [getWeather] });
    const State = AgentState.extend({ reviewed: z.string().optional() });
    const graph = new StateGraph(State)
      .addNode("model", model)
      .addNode("tools", tools)
      .addNode("review", (s) => ({ reviewed: `reviewed ${s.messages.length} messages` }))
      .addEdge(START, "model")
      .addConditionalEdges("model", (s) => (route(s) === "tools" ? "tools" : "review"), ["tools", "review"])
      .addEdge("tools", "model")
      .addEdge("review", END)
      .compile();

    const result = await graph.invoke({ messages: [{ role: "user", content: "Paris?" }] });

    expect(result.reviewed).toBe("reviewed 4 messages");
  });

  it("refuses a maxTurns that is not a positive integer", () => {
    expect(() => agentGraph({ client: {} as never, model: "m", tools: [], maxTurns: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
