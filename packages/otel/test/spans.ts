import { context, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** The SDK wired for tests: spans kept in memory, async context on, this provider global. */
export interface TestTracing {
  readonly tracer: Tracer;
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
}

/** Sets up the SDK once per test file (each file runs in its own module graph). */
export function setupTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return { tracer: provider.getTracer("test"), exporter, spans: () => exporter.getFinishedSpans() };
}

/** The spans whose name is `name`. */
export const named = (spans: readonly ReadableSpan[], name: string): ReadableSpan[] => spans.filter((span) => span.name === name);

/** The one span named `name`; throws when there is not exactly one. */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`Expected one span "${name}", found ${found.length}: ${spans.map((s) => s.name).join(", ")}`);
  return found[0]!;
}

/** The span's parent among `spans`, if any. */
export function parentOf(spans: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan | undefined {
  const id = span.parentSpanContext?.spanId;
  return id === undefined ? undefined : spans.find((s) => s.spanContext().spanId === id);
}

/** The children of `span`, in start order (ties by name, then Send index). */
export function childrenOf(spans: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan[] {
  return spans
    .filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId)
    .sort((a, b) => ms(a.startTime) - ms(b.startTime) || a.name.localeCompare(b.name) || order(a) - order(b));
}

/** The tree under `root` as indented lines: `name` and, for Send tasks, `#index`. */
export function tree(spans: readonly ReadableSpan[], root: ReadableSpan, depth = 0): string[] {
  const send = root.attributes["weft.task.send_index"];
  const line = `${"  ".repeat(depth)}${root.name}${send === undefined ? "" : ` #${String(send)}`}`;
  return [line, ...childrenOf(spans, root).flatMap((child) => tree(spans, child, depth + 1))];
}

/** A span time in milliseconds. */
export const ms = (time: readonly [number, number]): number => time[0] * 1000 + time[1] / 1e6;

const order = (span: ReadableSpan): number => Number(span.attributes["weft.task.send_index"] ?? -1);
