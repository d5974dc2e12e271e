import { setTimeout as delay } from "node:timers/promises";
import { agentGraph, tool, type ChatClient } from "@weft/openai";
import { z } from "zod";

const TEMPS: Readonly<Record<string, number>> = { london: 12, tokyo: 24, paris: 15 };

/** `get_weather`: a simulated weather API that answers after `latencyMs`. */
export function weatherTool(latencyMs: number) {
  return tool({
    name: "get_weather",
    description: "Current temperature of a city in °C",
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }, { signal }) => {
      await delay(latencyMs, undefined, { signal }); // network latency; stops on timeout
      return { city, temp_c: TEMPS[city.toLowerCase()] ?? 20 };
    },
  });
}

/**
 * The agent loop — `model` → `tools` → `model` … — whose tool node runs every tool call of
 * one model turn concurrently and answers them in call order.
 */
export function weatherAgent(options: { client: ChatClient; model: string; getWeather: ReturnType<typeof weatherTool> }) {
  return agentGraph({
    client: options.client,
    model: options.model,
    tools: [options.getWeather],
    system: "You are a weather assistant. Look up every city you are asked about, all at once.",
    toolTimeoutMs: 10_000,
    name: "weather-agent",
  }).compile();
}
