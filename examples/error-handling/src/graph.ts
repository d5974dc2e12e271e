import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { z } from "zod";

export const WeatherState = z.object({
  cities: z.array(z.string()),
  results: appendList(z.string()),
  summary: z.string().optional(),
});

/** A weather API: answers for a city, or stops when `signal` fires. */
export type WeatherApi = (city: string, signal: AbortSignal) => Promise<string>;

export interface WeatherGraphOptions {
  readonly api: WeatherApi;
  /** `"fail"`: one failure cancels the rest and fails the run. `"continue"`: keep what succeeds. */
  readonly onError: "fail" | "continue";
  /** Give up on one lookup after this long. */
  readonly timeoutMs: number;
  /** The API allows this many requests at once. */
  readonly concurrency: number;
}

/** One `task` per city, all at once (within the API's limit), then `aggregate`. */
export function weatherGraph({ api, onError, timeoutMs, concurrency }: WeatherGraphOptions) {
  return new StateGraph(WeatherState, { name: onError === "fail" ? "fail-fast" : "best-effort" })
    .addNode("task", async ({ city }, ctx) => ({ results: await api(city, ctx.signal) }), {
      input: z.object({ city: z.string() }),
      timeoutMs,
      concurrency,
      onError,
    })
    .addNode("aggregate", (s) => ({ summary: `Got ${s.results.length} successful results` }))
    .addConditionalEdges(START, (s) => s.cities.map((city) => new Send("task", { city })), ["task"])
    .addEdge("task", "aggregate")
    .addEdge("aggregate", END)
    .compile();
}
