import type { NodeSpec } from "../graph/ir.js";
import type { NodeContext } from "../graph/types.js";
import type { AttemptControl, AttemptRequest, AttemptResult } from "../records/attempt.js";
import { RequestSteps, TaskContext } from "./context.js";
import { pipe } from "./maybe.js";
import { readAttempt, type NodeCall } from "./result.js";

/**
 * Runs one attempt of `spec` in this process: calls the node and takes its result apart.
 * Executors' workers call this with the request they received. An immer recipe drafts the
 * request's input, which is the state for an edge-triggered task without an input schema; from
 * other tasks a recipe is an `INVALID_UPDATE`, in every executor. Returns synchronously when
 * the node is synchronous.
 */
export function runNodeAttempt(spec: NodeSpec, request: AttemptRequest, control: AttemptControl): AttemptResult | Promise<AttemptResult> {
  const ctx = new TaskContext(request, {
    attempt: request.attempt,
    interruptScope: request.interruptScope,
    signal: control.signal,
    emit: control.emit,
    steps: new RequestSteps(request, control.steps),
    waits: control.waits,
    usage: control.usage,
  });
  const call: NodeCall = { spec, task: request, ctx };
  let value: unknown;
  try {
    value = callNode(spec, request.input, ctx);
  } catch (error) {
    return readAttempt(call, error, true);
  }
  return pipe(value, call, returned, threw);
}

function returned(this: NodeCall, value: unknown): AttemptResult {
  return readAttempt(this, value, false);
}

function threw(this: NodeCall, error: unknown): AttemptResult {
  return readAttempt(this, error, true);
}

/** Calls a node's function. */
export function callNode(spec: NodeSpec, input: unknown, ctx: NodeContext): unknown {
  return (spec.fn as (input: unknown, ctx: NodeContext) => unknown)(input, ctx);
}
