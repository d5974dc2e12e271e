import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { agentGraph, callModel, tool } from "../src/index.js";

// Runs only with OPENAI_API_KEY set (and OPENAI_BASE_URL for another compatible service):
// the same helpers, the real client, no test server.
const live = process.env.OPENAI_API_KEY ? describe : describe.skip;
const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";

live("against the real service", () => {
  // Created in the tests: the collector runs this body even when the suite is skipped.
  const client = () => new OpenAI({ maxRetries: 2 });

  it("returns structured output that matches the schema", { timeout: 60_000 }, async () => {
    const answer = await callModel({
      client: client(),
      model,
      messages: [{ role: "user", content: "Classify the sentiment of: I love this library" }],
      schema: z.object({ label: z.enum(["positive", "negative"]) }),
    });
    expect(answer.parsed.label).toBe("positive");
    expect(answer.usage?.totalTokens).toBeGreaterThan(0);
  });

  it("runs the agent loop with parallel tool calls", { timeout: 120_000 }, async () => {
    const temps: Record<string, number> = { london: 12, tokyo: 24, paris: 15 };
    const getWeather = tool({
      name: "get_weather",
      description: "Current temperature of a city in °C",
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => ({ city, temp_c: temps[city.toLowerCase()] ?? 20 }),
    });
    const agent = agentGraph({ client: client(), model, tools: [getWeather], maxTurns: 4 }).compile();
    const { messages } = await agent.invoke({
      messages: [{ role: "user", content: "What is the temperature in London, Tokyo and Paris? Use the tool." }],
    });
    expect(messages.filter((m) => m.role === "tool").length).toBeGreaterThanOrEqual(3);
    expect(String(messages.at(-1)?.content)).toMatch(/12/);
  });
});
