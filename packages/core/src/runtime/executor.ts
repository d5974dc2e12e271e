import { GraphError } from "../errors.js";
import type { AttemptControl, AttemptRequest, AttemptResult } from "../records/attempt.js";
import type { NodeSpec } from "../graph/ir.js";
import type { NodeContext } from "../graph/types.js";
import { InterruptSignal } from "./interrupt.js";
import { interpret } from "./route.js";
import type { Snapshot } from "../records/write.js";
import type { TaskRef } from "../records/task-ref.js";
import type { Interpreted } from "../records/attempt.js";

/** What a task context needs to know about its task: a {@link TaskRef} and its interrupt answers. */
interface ContextSource extends TaskRef {
  /** Answers to the task's earlier `ctx.interrupt` calls, in call order. */
  readonly resumes?: readonly unknown[] | undefined;
}

/** The answers of a task that has none yet: one shared empty list. */
export const NO_RESUMES: readonly unknown[] = [];

/** The `ctx` a node receives. Built straight from the task in process, from the request in workers. */
export class TaskContext implements NodeContext {
  readonly node: string;
  readonly step: number;
  readonly taskId: string;
  readonly sendIndex: number | undefined;
  readonly attempt: number;
  /** Set when the node called `interrupt` without an answer, even if it caught the signal. */
  pending: InterruptSignal | undefined;
  #interrupts = 0;

  readonly signal: AbortSignal;
  readonly emit: (data: unknown) => void;
  readonly #resumes: readonly unknown[];
  readonly #interruptScope: string | undefined;

  constructor(
    task: ContextSource,
    attempt: number,
    interruptScope: string | undefined,
    signal: AbortSignal,
    emit: (data: unknown) => void,
  ) {
    this.node = task.node;
    this.step = task.step;
    this.taskId = task.taskId;
    this.sendIndex = task.sendIndex;
    this.attempt = attempt;
    this.#resumes = task.resumes ?? NO_RESUMES;
    this.#interruptScope = interruptScope;
    this.signal = signal;
    this.emit = emit;
    this.pending = undefined;
  }

  interrupt<TAnswer = unknown>(value: unknown): TAnswer {
    const index = this.#interrupts++;
    if (index < this.#resumes.length) return this.#resumes[index] as TAnswer;
    const scope = this.#interruptScope;
    if (scope === undefined) {
      throw new GraphError(
        "INVALID_OPTION",
        `Node "${this.node}" called interrupt(), which needs a checkpointer and a threadId to pause and resume the run.`,
        { details: { node: this.node } },
      );
    }
    const { taskId, node, step, sendIndex } = this;
    this.pending = new InterruptSignal({ id: `${scope}:${taskId}:${index}`, value, kind: "node", taskId, node, step, sendIndex });
    throw this.pending;
  }
}

/** The context a node receives, for code (error handlers, executors) that calls nodes itself. */
export function nodeContext(request: AttemptRequest, control: AttemptControl): NodeContext {
  return new TaskContext(request, request.attempt, request.interruptScope, control.signal, control.emit);
}

/**
 * Runs one attempt of `spec` in this process: calls the node and takes its result apart.
 * Executors' workers call this with the request they received. An immer recipe drafts the
 * request's input, which is the state for an edge-triggered task without an input schema; from
 * other tasks a recipe is an `INVALID_UPDATE`, in every executor. Returns synchronously when
 * the node is synchronous.
 */
export function runNodeAttempt(
  spec: NodeSpec,
  request: AttemptRequest,
  control: AttemptControl,
): AttemptResult | Promise<AttemptResult> {
  const ctx = new TaskContext(request, request.attempt, request.interruptScope, control.signal, control.emit);
  let value: unknown;
  try {
    value = callNode(spec, request.input, ctx);
  } catch (error) {
    return readAttempt(spec, request, ctx, error, true);
  }
  return typeof (value as Promise<unknown> | undefined)?.then === "function"
    ? (value as Promise<unknown>).then(
        (resolved) => readAttempt(spec, request, ctx, resolved, false),
        (error: unknown) => readAttempt(spec, request, ctx, error, true),
      )
    : readAttempt(spec, request, ctx, value, false);
}

/** Calls a node's function. */
export function callNode(spec: NodeSpec, input: unknown, ctx: NodeContext): unknown {
  return (spec.fn as (input: unknown, ctx: NodeContext) => unknown)(input, ctx);
}

/**
 * Whether a task's input is the state — an edge-triggered task of a node without an input
 * schema — and so whether an immer recipe it returns has a state to draft.
 */
export function receivesState(spec: NodeSpec, task: { readonly sendIndex: number | undefined }): boolean {
  return task.sendIndex === undefined && spec.input === undefined;
}

/**
 * What one call of a node came to, read alike in this process and in workers: the interrupt,
 * if the node called `ctx.interrupt` without an answer (even if it then returned or threw
 * something else); otherwise its return value taken apart, or — when `threw` — its error,
 * thrown again. A recipe drafts the task's input when that input is the state.
 */
export function readAttempt(
  spec: NodeSpec,
  task: { readonly sendIndex: number | undefined; readonly input: unknown },
  ctx: TaskContext,
  outcome: unknown,
  threw: boolean,
): AttemptResult {
  if (ctx.pending !== undefined) return interrupted(ctx.pending);
  if (threw) throw outcome;
  const snapshot = receivesState(spec, task) ? (task.input as Snapshot) : undefined;
  return { kind: "returned", result: interpret(outcome, snapshot, ctx.node) };
}

function interrupted(signal: InterruptSignal): AttemptResult {
  return { kind: "interrupted", id: signal.interrupt.id, value: signal.interrupt.value };
}
