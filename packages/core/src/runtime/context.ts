import { graphError } from "../errors.js";
import type { InterruptOptions, NodeContext, StepContext } from "../graph/types.js";
import { checkUsage } from "../options/budget-options.js";
import type { AttemptControl, AttemptRequest, TaskSteps, TaskWaits } from "../records/attempt.js";
import type { Usage, UsageMeter, UsageReservation } from "../records/budget.js";
import type { TaskRef } from "../records/task-ref.js";
import { InterruptSignal } from "./interrupt.js";
import { checkStepCall, runNodeStep } from "./node-step.js";
import { idempotencyKey, StepLog } from "./step-log.js";
import { answersBefore, interruptWait, sleepMs, waitFor } from "./wait.js";

/** What a task context needs to know about its task: a {@link TaskRef} and its interrupt answers. */
export interface ContextSource extends TaskRef {
  /** Answers to the task's earlier `ctx.interrupt` calls, in call order. */
  readonly resumes?: readonly unknown[] | undefined;
}

/** Everything a task context is built from besides its task. */
export interface ContextOptions {
  readonly attempt: number;
  /** Prefix of interrupt ids; undefined when the run has no thread. */
  readonly interruptScope: string | undefined;
  readonly signal: AbortSignal;
  readonly emit: (data: unknown) => void;
  /** Where `ctx.step` and `ctx.idempotencyKey` come from; asked only when the node uses them. */
  readonly steps: StepSource;
  /** Where the task's short sleeps are saved before they wait; undefined when every durable sleep pauses. */
  readonly waits?: TaskWaits | undefined;
  /** Where `reportUsage` and `reserveUsage` go; undefined where usage is not counted. */
  readonly usage: UsageMeter | undefined;
}

/** A task's idempotency key and its steps, made when a node first asks for them. */
export interface StepSource {
  /** The task's `ctx.idempotencyKey`. */
  idempotencyKey(): string;
  /** The task's steps, shared by its attempts where the source can keep them. */
  taskSteps(): TaskSteps;
  /** The task's short durable sleeps, when the context was given no `waits`: made on its first sleep. */
  taskWaits?(): TaskWaits | undefined;
}

/** The answers of a task that has none yet: one shared empty list. */
export const NO_RESUMES: readonly unknown[] = [];

/**
 * The `ctx` a node receives. Built straight from the task in process, from the request in workers.
 * It keeps its task and its options and reads its fields from them when asked: one is made per
 * task, and a fan-out's nodes seldom read more than one or two of them.
 */
export class TaskContext implements NodeContext {
  /** Set when the node called `interrupt` without an answer, even if it caught the signal. */
  pending: InterruptSignal | undefined;
  /** Calls of `interrupt` and `sleep` so far: they share one numbering, which their answers follow. */
  #interrupts = 0;
  readonly #task: ContextSource;
  readonly #options: ContextOptions;
  /** How many steps of each name this attempt has called so far. */
  #stepCalls: Map<string, number> | undefined;

  constructor(task: ContextSource, options: ContextOptions) {
    this.#task = task;
    this.#options = options;
    this.pending = undefined;
  }

  get node(): string {
    return this.#task.node;
  }

  get superstep(): number {
    return this.#task.step;
  }

  get taskId(): string {
    return this.#task.taskId;
  }

  get sendIndex(): number | undefined {
    return this.#task.sendIndex;
  }

  get attempt(): number {
    return this.#options.attempt;
  }

  get signal(): AbortSignal {
    return this.#options.signal;
  }

  /** The task's custom-event function itself, not a method: `const { emit } = ctx` keeps working. */
  get emit(): (data: unknown) => void {
    return this.#options.emit;
  }

  // The answers and the pause are static members: an instance member that is a private method
  // or accessor costs every context a brand field, and one is made per task.
  static #resumes(ctx: TaskContext): readonly unknown[] {
    return ctx.#task.resumes ?? NO_RESUMES;
  }

  get idempotencyKey(): string {
    return this.#options.steps.idempotencyKey();
  }

  step<T>(name: string, fn: (step: StepContext) => T | PromiseLike<T>): Promise<Awaited<T>> {
    try {
      checkStepCall(this.node, name, fn);
    } catch (error) {
      return Promise.reject(error);
    }
    // Counted when called, before any await: concurrent steps get their place in call order.
    const calls = (this.#stepCalls ??= new Map());
    const occurrence = calls.get(name) ?? 0;
    calls.set(name, occurrence + 1);
    const source = this.#options.steps;
    const owner = { node: this.node, signal: this.signal, taskKey: source.idempotencyKey(), steps: source.taskSteps() };
    return runNodeStep(owner, { name, occurrence }, fn);
  }

  reportUsage(usage: Usage): void {
    checkUsage(usage, this.node);
    this.#options.usage?.report(usage);
  }

  reserveUsage(estimate: Usage = {}): UsageReservation {
    checkUsage(estimate, this.node);
    return this.#options.usage?.reserve(estimate) ?? NO_RESERVATION;
  }

  interrupt<TAnswer = unknown>(value: unknown, options?: InterruptOptions<TAnswer>): TAnswer {
    const wait = options === undefined ? undefined : interruptWait(this.node, options);
    const index = this.#interrupts++;
    const resumes = TaskContext.#resumes(this);
    if (index < resumes.length) return resumes[index] as TAnswer;
    if (this.#options.interruptScope === undefined) {
      throw graphError("INVALID_OPTION", "interruptWithoutCheckpointer", { node: this.node });
    }
    throw TaskContext.#pause(this, index, { value, kind: "node", wait });
  }

  sleep(ms: number): Promise<void> {
    let checked: number;
    try {
      checked = sleepMs(this.node, ms);
    } catch (error) {
      return Promise.reject(error);
    }
    // Numbered even when it does not wait, so that the calls after it keep their numbers.
    const index = this.#interrupts++;
    const resumes = TaskContext.#resumes(this);
    if (index < resumes.length || checked === 0) return Promise.resolve();
    const options = this.#options;
    if (options.interruptScope === undefined) return waitFor(checked, this.signal);
    const waits = options.waits ?? options.steps.taskWaits?.();
    if (waits !== undefined && checked <= waits.inProcessMs) {
      const signal = this.signal;
      return waits.begin({ index, ms: checked, resumes: answersBefore(resumes, index) }).then(() => waitFor(checked, signal));
    }
    return Promise.reject(TaskContext.#pause(this, index, { value: checked, kind: "sleep", wait: { ms: checked, default: null } }));
  }

  /** Stops the task of `ctx` at call `index`: the interrupt or sleep it now waits on. */
  static #pause(
    ctx: TaskContext,
    index: number,
    call: { value: unknown; kind: "node" | "sleep"; wait: InterruptSignal["wait"] },
  ): InterruptSignal {
    const { taskId, node, superstep: step, sendIndex } = ctx;
    const id = `${ctx.#options.interruptScope}:${taskId}:${index}`;
    ctx.pending = new InterruptSignal(
      { id, value: call.value, kind: call.kind, taskId, node, step, sendIndex },
      { wait: call.wait, resumes: answersBefore(TaskContext.#resumes(ctx), index) },
    );
    return ctx.pending;
  }
}

/** The context a node receives, for code (error handlers, executors) that calls nodes itself. */
export function nodeContext(request: AttemptRequest, control: AttemptControl): NodeContext {
  return new TaskContext(request, {
    attempt: request.attempt,
    interruptScope: request.interruptScope,
    signal: control.signal,
    emit: control.emit,
    steps: new RequestSteps(request, control.steps),
    waits: control.waits,
    usage: control.usage,
  });
}

/**
 * The steps of an attempt that arrived as a request: the key the driver sent, and the steps the
 * executor passed on (in the driver's process), or steps kept for this attempt alone (a worker's).
 */
export class RequestSteps implements StepSource {
  readonly #request: AttemptRequest;
  #steps: TaskSteps | undefined;
  #key: string | undefined;

  constructor(request: AttemptRequest, steps: TaskSteps | undefined) {
    this.#request = request;
    this.#steps = steps;
  }

  idempotencyKey(): string {
    const request = this.#request;
    return (this.#key ??= request.idempotencyKey ?? idempotencyKey(`request:${request.interruptScope ?? ""}:${request.taskId}`));
  }

  taskSteps(): TaskSteps {
    return (this.#steps ??= new StepLog(undefined));
  }
}

/** The reservation where usage is not counted: settling it does nothing. */
const NO_RESERVATION: UsageReservation = Object.freeze({ settle: (): void => {} });
