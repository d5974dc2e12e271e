import { context, diag, type Context } from "@opentelemetry/api";
import { GraphError } from "@weft/core";
import {
  runNodeAttempt,
  type AttemptControl,
  type AttemptRequest,
  type AttemptResult,
  type Executor,
  type GraphIR,
} from "@weft/core/adapter";
import { injectTrace } from "../propagation/carrier.js";
import { currentRun } from "../run/current-run.js";

const TRACING = Symbol.for("@weft/otel.tracingExecutor");

/**
 * Where a tracing executor sends attempts: another executor (a `BullMQExecutor`, say), or this
 * process, running the nodes of `graph`.
 *
 * @example
 * ```ts
 * const options: TracingExecutorOptions = { executor: new BullMQExecutor() };
 * const local: TracingExecutorOptions = { graph };
 * ```
 */
export type TracingExecutorOptions =
  | { readonly executor: Executor; readonly graph?: undefined }
  | { readonly graph: { toIR(): GraphIR }; readonly executor?: undefined };

/**
 * Wraps an executor so that each attempt carries its span's trace context: the attempt runs
 * inside that context here, and its `trace` headers (W3C `traceparent`) tell a BullMQ worker
 * which span to continue (see {@link workerTracing}). In a run started by `traceStream` or
 * `traceInvoke` the context is the attempt's `task <node>` span; elsewhere it is the active
 * context, so a span around `graph.invoke` still becomes the workers' parent.
 *
 * With `{ graph }` it runs attempts in this process, as a graph without an executor does, so
 * that spans made inside nodes are children of their attempt's span.
 *
 * @example
 * ```ts
 * import { BullMQExecutor } from "@weft/bullmq";
 * import { tracingExecutor } from "@weft/otel";
 *
 * const graph = builder.compile({ executor: tracingExecutor({ executor: new BullMQExecutor() }) });
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
export function tracingExecutor(options: TracingExecutorOptions | Executor): Executor {
  const inner = innerExecutor(options);
  const executor: Executor & { [TRACING]: true } = {
    [TRACING]: true,
    runAttempt(request: AttemptRequest, control: AttemptControl): Promise<AttemptResult> {
      const ctx = attemptContext(request);
      const headers = safeHeaders(ctx);
      const traced: AttemptRequest = headers === undefined ? request : { ...request, trace: headers };
      return context.with(ctx, () => inner.runAttempt(traced, control));
    },
  };
  return executor;
}

/**
 * True for an executor made by {@link tracingExecutor}; `traceStream` does not wrap those again.
 *
 * @example
 * ```ts
 * isTracingExecutor(tracingExecutor({ graph })); // true
 * isTracingExecutor(new BullMQExecutor()); // false
 * ```
 */
export function isTracingExecutor(executor: Executor): boolean {
  return (executor as { [TRACING]?: unknown })[TRACING] === true;
}

function innerExecutor(options: TracingExecutorOptions | Executor): Executor {
  if (typeof options !== "object" || options === null) {
    throw new GraphError(
      "INVALID_OPTION",
      `tracingExecutor takes { executor } or { graph }, got ${options === null ? "null" : typeof options}.`,
    );
  }
  if (typeof (options as Executor).runAttempt === "function") return options as Executor;
  const { executor, graph } = options as TracingExecutorOptions;
  if (executor !== undefined && graph !== undefined) {
    throw new GraphError("INVALID_OPTION", "tracingExecutor takes { executor } or { graph }, not both.");
  }
  if (executor !== undefined) {
    if (typeof executor !== "object" || executor === null || typeof executor.runAttempt !== "function") {
      throw new GraphError("INVALID_OPTION", "tracingExecutor option executor must be an Executor (an object with a runAttempt method).");
    }
    return executor;
  }
  if (graph === undefined || graph === null || typeof graph.toIR !== "function") {
    throw new GraphError(
      "INVALID_OPTION",
      "tracingExecutor needs { executor } or { graph } (a builder or compiled graph, to run nodes in this process).",
    );
  }
  return localExecutor(graph.toIR());
}

/** Runs attempts in this process, on the nodes of one graph. */
function localExecutor(ir: GraphIR): Executor {
  return {
    async runAttempt(request, control) {
      const spec = ir.nodes.get(request.node);
      if (spec === undefined || request.graph !== ir.name) {
        throw new GraphError(
          "UNKNOWN_NODE",
          `tracingExecutor({ graph }) runs graph "${ir.name}" but got node "${request.node}" of graph "${request.graph}": give each graph its own executor.`,
          { details: { node: request.node } },
        );
      }
      return runNodeAttempt(spec, request, control);
    },
  };
}

function attemptContext(request: AttemptRequest): Context {
  const run = currentRun.getStore();
  // A run of another graph started inside a traced run's node shares its async context: only
  // attempts of the traced graph belong to its spans.
  if (run === undefined || run.graph !== request.graph) return context.active();
  try {
    return run.attemptContext(request);
  } catch (error) {
    diag.error(`@weft/otel could not start the span of task ${request.taskId} of graph "${request.graph}"`, error);
    return context.active();
  }
}

function safeHeaders(ctx: Context): Record<string, string> | undefined {
  try {
    const headers = injectTrace(ctx);
    return Object.keys(headers).length === 0 ? undefined : headers;
  } catch (error) {
    diag.error("@weft/otel could not write the trace headers of an attempt", error);
    return undefined;
  }
}
