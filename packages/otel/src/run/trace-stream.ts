import { context, diag, trace, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import { GraphError, type RunEvent, type RunOptions } from "@weft/core";
import { isTracingExecutor, tracingExecutor } from "../executor/tracing-executor.js";
import { currentRun } from "./current-run.js";
import { RunTrace } from "./run-trace.js";

/**
 * The instrumentation scope of the spans this package makes when no tracer is given.
 *
 * @example
 * ```ts
 * const weftSpans = spans.filter((span) => span.instrumentationScope.name === TRACER_NAME);
 * ```
 */
export const TRACER_NAME = "@weft/otel";

/**
 * What {@link traceStream} and {@link traceInvoke} need of a compiled graph: its name and
 * `stream`. A `CompiledGraph` is one.
 *
 * @example
 * ```ts
 * const traced: TraceableGraph<{ topic: string }, RunEvent> = graph;
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: any graph's events, whatever its state and nodes.
export interface TraceableGraph<TInput, TEvent extends RunEvent<any, any>> {
  readonly name: string;
  stream(input: TInput, options?: RunOptions): AsyncIterableIterator<TEvent>;
}

/**
 * Options of {@link traceStream} and {@link traceInvoke}: the run's own options, and where the
 * spans go.
 *
 * @example
 * ```ts
 * const options: TraceOptions = { tracer: trace.getTracer("reports"), threadId: "t-1", attributes: { "app.user": "u-7" } };
 * ```
 */
export interface TraceOptions extends RunOptions {
  /** Makes the spans. Default: `trace.getTracer("@weft/otel")` from the global provider. */
  readonly tracer?: Tracer;
  /** The run span's parent. Default: the active context (the span you are in, if any). */
  readonly parent?: Context;
  /** Extra attributes for the run span. */
  readonly attributes?: Attributes;
}

/**
 * Runs a graph like `graph.stream` and yields the same events, while it records the run as
 * OpenTelemetry spans: `run <graph>` → `step <n>` → `task <node>` (one per attempt) →
 * `chat <model>` and `execute_tool <name>` (from `@weft/openai`'s events). Span times come from
 * the events, so they are right however slowly you read the stream. Breaking out of the loop
 * cancels the run, as with `graph.stream`, and ends its spans.
 *
 * An `executor` given here is wrapped with {@link tracingExecutor}, so node code (on this
 * process or a BullMQ worker) runs inside its attempt's span. Recording never fails the run: a
 * tracer that throws is reported through OpenTelemetry's `diag` logger and the run goes on.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { traceStream } from "@weft/otel";
 *
 * for await (const event of traceStream(graph, { topic: "AI" }, { tracer: trace.getTracer("reports") })) {
 *   if (event.type === "task:end") console.log(event.node);
 * }
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
// biome-ignore lint/suspicious/noExplicitAny: any graph's events, whatever its state and nodes.
export function traceStream<TInput, TEvent extends RunEvent<any, any>>(
  graph: TraceableGraph<TInput, TEvent>,
  input: TInput,
  options: TraceOptions = {},
): AsyncIterableIterator<TEvent> {
  const { tracer, parent, attributes, ...runOptions } = checkOptions(options);
  let run: RunTrace;
  try {
    run = new RunTrace({
      tracer: tracer ?? trace.getTracer(TRACER_NAME),
      graph: graph.name,
      parent: parent ?? context.active(),
      threadId: runOptions.threadId,
      attributes,
    });
  } catch (error) {
    diag.error(`@weft/otel could not start the run span of graph "${graph.name}"; the run goes on untraced`, error);
    return graph.stream(input, runOptions);
  }
  const executor = runOptions.executor;
  const traced: RunOptions =
    executor === undefined || isTracingExecutor(executor) ? runOptions : { ...runOptions, executor: tracingExecutor(executor) };
  let events: AsyncIterableIterator<TEvent>;
  try {
    events = currentRun.run(run, () => context.with(run.run.ctx, () => graph.stream(input, traced)));
  } catch (error) {
    run.close(undefined, error);
    throw error;
  }
  return recorded(events, run);
}

/**
 * Runs a graph like `graph.invoke`, recorded as spans as {@link traceStream} does, and returns
 * the final state. Rejects as `invoke` would.
 *
 * @example
 * ```ts
 * import { traceInvoke } from "@weft/otel";
 *
 * const state = await traceInvoke(graph, { topic: "AI" });
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
// biome-ignore lint/suspicious/noExplicitAny: any graph's events, whatever its state and nodes.
export async function traceInvoke<TInput, TEvent extends RunEvent<any, any>>(
  graph: TraceableGraph<TInput, TEvent>,
  input: TInput,
  options: TraceOptions = {},
): Promise<Extract<TEvent, { type: "run:end" }>["state"]> {
  for await (const event of traceStream(graph, input, options)) {
    if (event.type === "run:end") return (event as Extract<TEvent, { type: "run:end" }>).state;
  }
  throw new GraphError("ABORTED", `The run of graph "${graph.name}" ended without a result.`);
}

// biome-ignore lint/suspicious/noExplicitAny: any graph's events, whatever its state and nodes.
async function* recorded<TEvent extends RunEvent<any, any>>(events: AsyncIterableIterator<TEvent>, run: RunTrace): AsyncGenerator<TEvent> {
  try {
    for await (const event of events) {
      try {
        run.record(event as RunEvent);
      } catch (error) {
        diag.error(`@weft/otel could not record a "${event.type}" event of graph "${run.graph}"`, error);
      }
      yield event;
    }
  } catch (error) {
    safely(run, () => run.close(undefined, error));
    throw error;
  } finally {
    safely(run, () =>
      run.close(undefined, run.ended ? undefined : new GraphError("ABORTED", "The run's stream was closed before the run ended.")),
    );
  }
}

function safely(run: RunTrace, close: () => void): void {
  try {
    close();
  } catch (error) {
    diag.error(`@weft/otel could not end the spans of a run of graph "${run.graph}"`, error);
  }
}

function checkOptions(options: TraceOptions): TraceOptions {
  if (typeof options !== "object" || options === null) {
    throw new GraphError("INVALID_OPTION", `traceStream options must be an object, got ${options === null ? "null" : typeof options}.`);
  }
  const { tracer, attributes } = options;
  if (tracer !== undefined && (typeof tracer !== "object" || tracer === null || typeof tracer.startSpan !== "function")) {
    throw new GraphError("INVALID_OPTION", "traceStream option tracer must be an OpenTelemetry Tracer (an object with startSpan).");
  }
  if (attributes !== undefined && (typeof attributes !== "object" || attributes === null || Array.isArray(attributes))) {
    throw new GraphError("INVALID_OPTION", "traceStream option attributes must be an object of span attributes.");
  }
  return options;
}
