import { END, START, StateGraph } from "@weft/core";
import { z } from "zod";

export const BriefingState = z.object({
  query: z.string(),
  weatherResult: z.string().optional(),
  newsResult: z.string().optional(),
  calendarResult: z.string().optional(),
  finalResponse: z.string().optional(),
});

/** The three services the briefing asks; each gets the run's signal to stop on timeout. */
export interface Sources {
  weather(query: string, signal: AbortSignal): Promise<string>;
  news(query: string, signal: AbortSignal): Promise<string>;
  calendar(query: string, signal: AbortSignal): Promise<string>;
}

/**
 * Sectioning: three edges out of START fan out to three fetchers that run at once; a join
 * fans in to `aggregate`, which runs once all three have written their key.
 */
export function briefingGraph(sources: Sources) {
  const fetcher = { timeoutMs: 5_000, retry: { maxAttempts: 2 } };
  return new StateGraph(BriefingState, { name: "briefing" })
    .addNode("weather", async (s, ctx) => ({ weatherResult: await sources.weather(s.query, ctx.signal) }), fetcher)
    .addNode("news", async (s, ctx) => ({ newsResult: await sources.news(s.query, ctx.signal) }), fetcher)
    .addNode("calendar", async (s, ctx) => ({ calendarResult: await sources.calendar(s.query, ctx.signal) }), fetcher)
    .addNode("aggregate", (s) => ({
      finalResponse: `Here's your briefing:\n🌤 ${s.weatherResult}\n📰 ${s.newsResult}\n📅 ${s.calendarResult}`,
    }))
    .addEdge(START, "weather")
    .addEdge(START, "news")
    .addEdge(START, "calendar")
    .addEdge(["weather", "news", "calendar"], "aggregate")
    .addEdge("aggregate", END)
    .compile();
}
