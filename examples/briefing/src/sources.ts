import { latencyScale, sleep } from "@weft/example-shared";
import type { Sources } from "./graph.js";

/** How long each simulated service takes to answer, at latency scale 1. */
export const LATENCY_MS = { weather: 400, news: 600, calendar: 250 } as const;

/** The three services, answering after a realistic delay (scaled by `WEFT_LATENCY_SCALE`). */
export function demoSources(scale = latencyScale()): Sources {
  return {
    weather: async (query, signal) => {
      await sleep(LATENCY_MS.weather * scale, signal);
      return `Weather for query: ${query} — 18°C, Sunny`;
    },
    news: async (query, signal) => {
      await sleep(LATENCY_MS.news * scale, signal);
      return `News for query: ${query} — 3 articles found`;
    },
    calendar: async (query, signal) => {
      await sleep(LATENCY_MS.calendar * scale, signal);
      return `Calendar for query: ${query} — 2 events today`;
    },
  };
}
