import { AsyncLocalStorage } from "node:async_hooks";
import type { RunTrace } from "./run-trace.js";

/**
 * The traced run whose code is running: set by `traceStream` around the run, read by the
 * tracing executor. Node's own async context, so it works whether or not an OpenTelemetry
 * context manager is registered.
 */
export const currentRun = new AsyncLocalStorage<RunTrace>();
