// OpenTelemetry spans for a run with @weft/otel: the run, each step, each task (a Send's too).
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { appendList, END, Send, START, StateGraph } from "@weft/core";
import { traceInvoke } from "@weft/otel";
import { z } from "zod";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);

const State = z.object({ topics: z.array(z.string()), notes: appendList(z.string()) });
const graph = new StateGraph(State, { name: "notes" })
  .addNode("plan", () => ({}))
  .addNode("note", ({ topic }) => ({ notes: `about ${topic}` }), { input: z.object({ topic: z.string() }) })
  .addEdge(START, "plan")
  .addConditionalEdges("plan", (s) => s.topics.map((topic) => new Send("note", { topic })), ["note"])
  .addEdge("note", END)
  .compile();

const state = await traceInvoke(graph, { topics: ["a", "b"], notes: [] }, { tracer: provider.getTracer("consumer") });
console.log(`notes: ${state.notes.join(", ")}`);
console.log(
  `spans: ${exporter
    .getFinishedSpans()
    .map((span) => span.name)
    .sort()
    .join(", ")}`,
);
