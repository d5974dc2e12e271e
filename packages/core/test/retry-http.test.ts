import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { END, START, StateGraph, type RunEvent } from "../src/index.js";

const State = z.object({ answer: z.string().optional() });

/** An error like the openai client's APIError: an HTTP status and the response's headers. */
const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`${status} status code (no body)`), { status, headers: new Headers(headers) });

function callsModel(fail: () => Error | undefined) {
  let attempts = 0;
  const graph = new StateGraph(State)
    .addNode(
      "model",
      async () => {
        attempts++;
        const error = fail();
        if (error) throw error;
        return { answer: "ok" };
      },
      { retry: { maxAttempts: 3, backoff: { initialMs: 10, jitter: false } }, onError: "continue" },
    )
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
  return { graph, attempts: () => attempts };
}

describe("the default retry policy and HTTP errors", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not retry a 401: a bad key stays bad", async () => {
    const { graph, attempts } = callsModel(() => httpError(401));
    const events: RunEvent[] = [];
    const done = (async () => {
      for await (const event of graph.stream({})) events.push(event as RunEvent);
    })();
    await vi.runAllTimersAsync();
    await done;
    expect(attempts()).toBe(1);
    expect(events.filter((event) => event.type === "task:retry")).toEqual([]);
    expect(events.find((event) => event.type === "task:error")).toMatchObject({ attempts: 1 });
  });

  it("retries a 429 no sooner than its retry-after says", async () => {
    let calls = 0;
    const { graph, attempts } = callsModel(() => (++calls === 1 ? httpError(429, { "retry-after": "3" }) : undefined));
    const events: RunEvent[] = [];
    const done = (async () => {
      for await (const event of graph.stream({})) events.push(event as RunEvent);
    })();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(attempts()).toBe(1);
    expect(events.find((event) => event.type === "task:retry")).toMatchObject({ attempt: 1, delayMs: 3000 });
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts()).toBe(2);
    await vi.runAllTimersAsync();
    await done;
    expect(events.at(-1)).toMatchObject({ type: "run:end" });
  });
});
