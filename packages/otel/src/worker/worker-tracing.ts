import { context, diag, SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { GraphError } from "@weft/core";
import type { AttemptRequest, AttemptResult } from "@weft/core/adapter";
import { extractTrace } from "../propagation/carrier.js";
import { WeftAttributes as A } from "../run/attributes.js";
import { recordError } from "../run/errors.js";
import { TRACER_NAME } from "../run/trace-stream.js";

/**
 * Options of {@link workerTracing}.
 *
 * @example
 * ```ts
 * const options: WorkerTracingOptions = { tracer: trace.getTracer("report-workers"), attributes: { "service.instance.id": "w-3" } };
 * ```
 */
export interface WorkerTracingOptions {
  /** Makes the worker's spans. Default: `trace.getTracer("@weft/otel")` from the global provider. */
  readonly tracer?: Tracer;
  /** Extra attributes for every `node <name>` span this worker makes. */
  readonly attributes?: Attributes;
}

/**
 * Continues the driver's trace on a BullMQ worker: give it to `startWorker` as
 * `aroundAttempt`. Each attempt the worker runs gets a `node <name>` span whose parent is the
 * driver's `task <node>` span (read from the attempt's `trace` headers), and the node runs
 * inside it, so spans your node code makes — by hand or through instrumented libraries —
 * belong to the same trace. An attempt without trace headers gets a span of its own trace.
 *
 * @example
 * ```ts
 * import { startWorker } from "@weft/bullmq";
 * import { workerTracing } from "@weft/otel";
 *
 * const worker = await startWorker({ graph, concurrency: 4, aroundAttempt: workerTracing() });
 * ```
 * @see ../../../../docs/guides/tracing.md
 */
export function workerTracing(
  options: WorkerTracingOptions = {},
): (request: AttemptRequest, run: () => Promise<AttemptResult>) => Promise<AttemptResult> {
  if (typeof options !== "object" || options === null) {
    throw new GraphError("INVALID_OPTION", `workerTracing options must be an object, got ${options === null ? "null" : typeof options}.`);
  }
  const { tracer: given, attributes: extra } = options;
  if (given !== undefined && (typeof given !== "object" || given === null || typeof given.startSpan !== "function")) {
    throw new GraphError("INVALID_OPTION", "workerTracing option tracer must be an OpenTelemetry Tracer (an object with startSpan).");
  }
  return async (request, run) => {
    let parent: Context;
    let span: Span;
    try {
      parent = extractTrace(request.trace);
      span = startNodeSpan(given ?? trace.getTracer(TRACER_NAME), request, parent, extra);
    } catch (error) {
      // Tracing never fails the work: the node runs untraced.
      diag.error(`@weft/otel could not start the span of node "${request.node}" on a worker`, error);
      return run();
    }
    try {
      const result = await context.with(trace.setSpan(parent, span), run);
      if (result.kind === "interrupted") span.setAttribute(A.INTERRUPT_ID, result.id);
      return result;
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

function startNodeSpan(tracer: Tracer, request: AttemptRequest, parent: Context, extra: Attributes | undefined): Span {
  const attributes: Attributes = {
    ...extra,
    [A.GRAPH]: request.graph,
    [A.NODE]: request.node,
    [A.TASK_ID]: request.taskId,
    [A.STEP]: request.step,
    [A.ATTEMPT]: request.attempt,
  };
  if (request.sendIndex !== undefined) attributes[A.SEND_INDEX] = request.sendIndex;
  return tracer.startSpan(`node ${request.node}`, { kind: SpanKind.CONSUMER, attributes }, parent);
}
