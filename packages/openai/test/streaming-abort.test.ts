import { END, isGraphError, START, StateGraph } from "@weft/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isOpenAIRunEvent, modelNode } from "../src/index.js";
import type { TestServer } from "../src/testing/index.js";
import { collect, finalState, useTestServer } from "./helpers.js";

const startServer = useTestServer();

/** One node, "ask", that sends `prompt` and stores the answer's text and tool calls. */
function askGraph(server: TestServer, prompt: string, stream = false) {
  return new StateGraph(z.object({ answer: z.string().optional(), calls: z.array(z.string()).default([]) }))
    .addNode(
      "ask",
      modelNode({
        client: server.client(),
        model: "gpt-4o-mini",
        stream,
        messages: () => [{ role: "user", content: prompt }],
        output: (answer) => ({
          answer: answer.text,
          calls: answer.toolCalls.map((c) => `${c.id} ${c.function.name} ${c.function.arguments}`),
        }),
      }),
    )
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile();
}

describe("token streaming", () => {
  it("two model nodes stream in parallel; each task's deltas concatenate to its own answer", async () => {
    const poem = "Roses are red, graphs run in steps, tokens arrive one by one.";
    const haiku = "Parallel branches / meet again at the join / the state stays the same";
    const server = await startServer({
      replies: [
        { match: "poem", text: poem, chunkDelayMs: 2 },
        { match: "haiku", text: haiku, chunkDelayMs: 3 },
      ],
    });
    const State = z.object({ topic: z.string(), poem: z.string().optional(), haiku: z.string().optional() });
    type S = z.output<typeof State>;
    const writer = (kind: "poem" | "haiku") =>
      modelNode({
        client: server.client(),
        model: "gpt-4o-mini",
        stream: true,
        messages: (s: S) => [{ role: "user", content: `Write a ${kind} about ${s.topic}` }],
        output: (answer) => ({ [kind]: answer.text }),
      });
    const graph = new StateGraph(State)
      .addNode("poet", writer("poem"))
      .addNode("haikuist", writer("haiku"))
      .addEdge(START, "poet")
      .addEdge(START, "haikuist")
      .addEdge(["poet", "haikuist"], END)
      .compile();

    const { events } = await collect(graph.stream({ topic: "Weft" }));

    const deltas = events.filter((e) => isOpenAIRunEvent(e, "openai.delta"));
    const byTask = new Map<string, { node: string; text: string }>();
    for (const e of deltas) {
      const entry = byTask.get(e.taskId) ?? { node: e.node, text: "" };
      entry.text += e.data.text;
      byTask.set(e.taskId, entry);
    }
    expect([...byTask.values()].sort((a, b) => a.node.localeCompare(b.node))).toEqual([
      { node: "haikuist", text: haiku },
      { node: "poet", text: poem },
    ]);
    expect(deltas.length).toBeGreaterThan(10);
    expect(finalState(events)).toEqual({ topic: "Weft", poem, haiku });
    // Both requests asked for the final usage chunk, and usage was reported per task.
    expect(server.requests.map((r) => r.body.stream_options)).toEqual([{ include_usage: true }, { include_usage: true }]);
    const usage = events.filter((e) => isOpenAIRunEvent(e, "openai.usage"));
    expect(new Set(usage.map((e) => e.taskId))).toEqual(new Set(byTask.keys()));
  });

  it("streams tool calls too: their pieces are joined into whole calls", async () => {
    const server = await startServer({
      replies: [
        {
          text: "Checking.",
          toolCalls: [
            { name: "get_weather", arguments: { city: "London" } },
            { name: "get_weather", arguments: { city: "Tokyo" } },
          ],
        },
      ],
    });

    const result = await askGraph(server, "Weather?", true).invoke({});

    expect(result).toEqual({
      answer: "Checking.",
      calls: ['call_0 get_weather {"city":"London"}', 'call_1 get_weather {"city":"Tokyo"}'],
    });
  });
});

describe("cancellation", () => {
  it("aborting the run aborts the HTTP request and the run rejects with ABORTED", async () => {
    const server = await startServer({ replies: [{ text: "too late", latencyMs: 30_000 }] });
    const controller = new AbortController();

    const run = askGraph(server, "Take your time.")
      .invoke({}, { signal: controller.signal })
      .catch((e: unknown) => e);
    await server.waitForRequests(1);
    controller.abort();
    const error = await run;

    expect(isGraphError(error) && error.code).toBe("ABORTED");
    await server.idle();
    expect(server.requests[0]).toMatchObject({ aborted: true, respondedAt: undefined });
  });

  it("aborting mid-stream stops reading and aborts the request", async () => {
    const server = await startServer({
      replies: [{ text: "one two three four", chunkDelayMs: (chunk) => (chunk <= 1 ? 0 : 30_000) }],
    });
    const controller = new AbortController();
    const seen: string[] = [];

    const { error } = await collect(
      (async function* () {
        for await (const event of askGraph(server, "Count slowly.", true).stream({}, { signal: controller.signal })) {
          if (isOpenAIRunEvent(event, "openai.delta")) {
            seen.push(event.data.text);
            controller.abort();
          }
          yield event;
        }
      })(),
    );

    expect(isGraphError(error) && error.code).toBe("ABORTED");
    expect(seen).toEqual(["one "]);
    await server.idle();
    expect(server.requests[0]!.aborted).toBe(true);
  });
});
