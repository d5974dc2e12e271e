import { exampleClient, output, runWithProgress, seconds, startExample, stateOf, type ExampleOptions } from "@weft/example-shared";
import { isOpenAIRunEvent, lastAssistant, runToolCalls, textOf, toolCallsOf, type ChatMessage } from "@weft/openai";
import type { RunEvent } from "@weft/core";
import type { RecordedRequest, Reply, ScriptedReply } from "@weft/openai/testing";
import type { z } from "zod";
import { weatherAgent, weatherTool } from "./graph.js";

export const QUESTION = "What's the weather in London, Tokyo and Paris?";
/** The simulated network latency of one weather call. */
export const TOOL_LATENCY_MS = 500;

/** Offline, the model's first turn asks for the three cities in one message. */
const REPLIES: readonly ScriptedReply[] = [
  {
    match: (r) => r.body.messages.at(-1)?.role === "user",
    toolCalls: ["London", "Tokyo", "Paris"].map((city) => ({ name: "get_weather", arguments: { city } })),
    latencyMs: 700,
    times: Infinity,
  },
];

/** …and its second turn answers from the tool results it was sent. */
function answerFromToolResults(request: RecordedRequest): Reply {
  const results = request.body.messages
    .filter((m) => m.role === "tool")
    .map((m) => JSON.parse(String(m.content)) as { city: string; temp_c: number });
  const list = results.map((r) => `${r.temp_c}°C in ${r.city}`);
  const text = `Right now it's ${list.slice(0, -1).join(", ")} and ${list.at(-1)}.`;
  return { text, latencyMs: 600 };
}

type Message = z.output<typeof ChatMessage>;

/** The city a tool call asks for, from the assistant message in the state. */
function cityOf(callId: string, state: { messages: readonly Message[] } | undefined): string | undefined {
  const call = toolCallsOf(lastAssistant(state?.messages ?? [])).find((c) => c.id === callId);
  return call === undefined ? undefined : `get_weather(${(JSON.parse(call.function.arguments) as { city: string }).city})`;
}

/**
 * Asks the agent for the weather in three cities, shows the three tool calls running at once,
 * then runs the same calls one after another to compare.
 */
export async function runParallelTools(options: ExampleOptions = {}) {
  const { print, progress } = output(options);
  const llm = await exampleClient({
    replies: REPLIES,
    handler: answerFromToolResults,
    mode: options.mode,
    latencyScale: options.latencyScale,
  });
  try {
    const getWeather = weatherTool(TOOL_LATENCY_MS * llm.latencyScale);
    const graph = weatherAgent({ client: llm.client, model: llm.model, getWeather });
    print("Weft parallel tools: one model turn asks for three cities; the tool node runs the three calls at once.");
    print(`(${llm.description})`);
    print();
    print(`> ${QUESTION}`);
    const outcome = await runWithProgress(
      graph,
      { messages: [{ role: "user", content: QUESTION }] },
      {
        progress: { ...progress, toolLabel: (call, state) => cityOf(call.callId, state as { messages: Message[] }) },
        label: (task, state) =>
          task.node === "model" ? `model · turn ${state.messages.filter((m) => m.role === "assistant").length + 1}` : undefined,
      },
    );
    const state = stateOf(outcome);
    print();
    print(textOf(state.messages.at(-1)));

    // The tool calls of the turn, as the recorded events saw them.
    const calls = outcome.events.flatMap((event) => (isOpenAIRunEvent(event, "openai.tool") ? [{ ...event.data, at: event.at }] : []));
    const spans = calls
      .filter((call) => call.phase === "start")
      .map((start) => ({
        callId: start.callId,
        start: start.at,
        end: calls.find((c) => c.phase === "end" && c.callId === start.callId)!.at,
      }));
    const parallelMs = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));

    // The same calls again, one after another, for comparison.
    const asked = toolCallsOf(state.messages.find((m) => toolCallsOf(m).length > 0));
    const t0 = performance.now();
    await runToolCalls(asked, [getWeather], { concurrency: 1 });
    const sequentialMs = performance.now() - t0;

    print();
    print(`Sequential: ${seconds(sequentialMs)}`);
    print(`Parallel: ${seconds(parallelMs)}`);
    print();
    print(`${spans.length} tool calls of ${seconds(TOOL_LATENCY_MS * llm.latencyScale)} each: one after another they add up;`);
    print("side by side they take as long as the slowest one.");
    return { state, outcome, graph, spans, sequentialMs, parallelMs, requests: llm.server?.requests ?? [] };
  } finally {
    await llm.close();
  }
}

/**
 * The run's events with each tool call added as a task of its own, under the tool node's step,
 * so that the timeline draws the three calls as three bars.
 */
export function withToolCalls(events: readonly RunEvent<unknown, string>[]): RunEvent<unknown, string>[] {
  return events.flatMap((event): RunEvent<unknown, string>[] => {
    if (!isOpenAIRunEvent(event, "openai.tool")) return [event];
    const { step, at } = event;
    const ref = {
      taskId: `${event.taskId}/${event.data.callId}`,
      node: `${event.node} → ${event.data.name}`,
      step,
      sendIndex: event.data.index,
    };
    return event.data.phase === "start"
      ? [event, { type: "task:start", attempt: 1, ...ref, at }]
      : [event, { type: "task:end", update: undefined, attempts: 1, durationMs: event.data.durationMs ?? 0, ...ref, at }];
  });
}

startExample(import.meta.url, {}, async () => {
  const { graph, outcome } = await runParallelTools();
  return [
    {
      name: "parallel-tools",
      graph,
      events: withToolCalls(outcome.events),
      labels: outcome.progress.views(),
      title: "parallel tool calls",
    },
  ];
});
