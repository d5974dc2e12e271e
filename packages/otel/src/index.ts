/**
 * OpenTelemetry traces for Weft runs. `traceStream` and `traceInvoke` record a run as spans —
 * run → step → task attempt → model call and tool call — from its events; `tracingExecutor`
 * carries each attempt's trace context to where it runs, and `workerTracing` continues it on
 * BullMQ workers. Only `@opentelemetry/api` is needed at run time: bring your own SDK and
 * exporter.
 */
export { traceInvoke, traceStream, TRACER_NAME, type TraceableGraph, type TraceOptions } from "./run/trace-stream.js";
export { isTracingExecutor, tracingExecutor, type TracingExecutorOptions } from "./executor/tracing-executor.js";
export { workerTracing, type WorkerTracingOptions } from "./worker/worker-tracing.js";
export { WeftAttributes } from "./run/attributes.js";
export { extractTrace, injectTrace } from "./propagation/carrier.js";
