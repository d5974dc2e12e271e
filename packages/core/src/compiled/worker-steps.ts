import type { AttemptRequest, TaskSteps } from "../records/attempt.js";
import { type CompiledDef, type CompiledGraph, graphThreads } from "./compiled-graph.js";
// Loaded with this module: a worker reads a task's steps before, or without, any run.
import * as loadedDurable from "./durable.js";

/**
 * Where a worker that runs a task's attempt away from its run keeps the task's `ctx.step`
 * results: the thread's store of `graph` (compiled with the same checkpointer as the run's),
 * for a request of a run on a thread. Undefined when the graph has no checkpointer or the run
 * no thread; the steps then last for the attempt. Pass it as `steps` to `runNodeAttempt`.
 *
 * @example
 * ```ts
 * const result = await runNodeAttempt(spec, request, { signal, emit, steps: workerSteps(graph, request) });
 * ```
 * @see ../../../../docs/concepts/steps.md
 */
export function workerSteps(graph: CompiledGraph<CompiledDef>, request: AttemptRequest): TaskSteps | undefined {
  const threads = graphThreads(graph, loadedDurable);
  const { threadId, interruptScope, taskId } = request;
  if (threads === undefined || threadId === undefined || interruptScope === undefined) return undefined;
  return threads.taskSteps({ threadId, checkpointId: interruptScope, taskId });
}
