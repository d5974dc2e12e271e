import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { RunEvent, TaskRef } from "@weft/core";
import { WeftAttributes as A } from "./attributes.js";
import { recordError } from "./errors.js";
import { isTool, isUsage, type ToolData, type UsageData } from "./model-events.js";

/** A span and the context that has it as the active span. */
interface Open {
  readonly span: Span;
  readonly ctx: Context;
}

/** An attempt's span and the tokens of its model calls so far. */
interface Attempt extends Open {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** What {@link RunTrace} needs to start. */
export interface RunTraceOptions {
  readonly tracer: Tracer;
  readonly graph: string;
  /** The context the run span is a child of. */
  readonly parent: Context;
  readonly threadId?: string | undefined;
  /** Extra attributes for the run span. */
  readonly attributes?: Attributes | undefined;
}

/**
 * The spans of one run, built from its events: a run span, a span per step under it, a span per
 * task attempt under its step, and model and tool call spans under their attempt. Times come
 * from the events' `at`, so the spans line up with the run even when its events are read late.
 * An executor may ask for an attempt's span before its `task:start` event is read
 * ({@link RunTrace.attemptContext}); the event then finds the span already there.
 */
export class RunTrace {
  readonly graph: string;
  readonly run: Open;
  readonly #tracer: Tracer;
  readonly #perf0: number;
  readonly #origin: number;
  readonly #steps = new Map<number, Open>();
  /** Open attempt spans by `"<taskId>#<attempt>"`. */
  readonly #attempts = new Map<string, Attempt>();
  /** The latest attempt of each task. */
  readonly #current = new Map<string, number>();
  /** When each waiting task was queued (`at`). */
  readonly #queued = new Map<string, number>();
  /** Open tool call spans by `"<taskId>#<callId>"`. */
  readonly #tools = new Map<string, Open>();
  #ended = false;

  constructor(options: RunTraceOptions) {
    this.#tracer = options.tracer;
    this.graph = options.graph;
    this.#perf0 = performance.now();
    this.#origin = performance.timeOrigin + this.#perf0;
    const attributes: Attributes = { ...options.attributes, [A.GRAPH]: options.graph };
    if (options.threadId !== undefined) attributes[A.THREAD_ID] = options.threadId;
    const span = this.#tracer.startSpan(
      `run ${options.graph}`,
      { kind: SpanKind.INTERNAL, startTime: this.#origin, attributes },
      options.parent,
    );
    this.run = { span, ctx: trace.setSpan(options.parent, span) };
  }

  /** Whether the run span has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The context of an attempt's span, for the executor that runs it: the span is made now if
   * its `task:start` event has not been read yet.
   */
  attemptContext(request: TaskRef & { readonly attempt: number }): Context {
    if (this.#ended) return this.run.ctx;
    return this.#attempt(request, request.attempt, this.#now()).ctx;
  }

  /** Turns one event into spans. */
  record(event: RunEvent): void {
    if (this.#ended) return;
    const time = this.#origin + event.at;
    switch (event.type) {
      case "run:start":
        return;
      case "step:start":
        this.#step(event.step, time).span.setAttribute(A.STEP_TASKS, event.tasks.length);
        return;
      case "task:queued":
        this.#queued.set(event.taskId, event.at);
        return;
      case "task:start": {
        const { span } = this.#attempt(event, event.attempt, time);
        const queuedAt = this.#queued.get(event.taskId);
        if (queuedAt !== undefined) {
          this.#queued.delete(event.taskId);
          span.setAttribute(A.QUEUED_MS, Math.max(0, event.at - queuedAt));
        }
        return;
      }
      case "task:retry": {
        const span = this.#ending(event, event.attempt, time);
        if (span === undefined) return;
        span.setAttributes({ [A.RETRIED]: true, [A.RETRY_DELAY_MS]: event.delayMs, [A.TIMED_OUT]: event.timedOut });
        recordError(span, event.error, time);
        this.#endAttempt(event.taskId, event.attempt, time);
        return;
      }
      case "task:end":
        // After an onError handler recovered, the attempt's span already ended with its error.
        if (this.#ending(event, event.attempts, time) !== undefined) this.#endAttempt(event.taskId, event.attempts, time);
        return;
      case "task:error": {
        const span = this.#ending(event, event.attempts, time);
        if (span === undefined) return;
        span.setAttributes({ [A.TIMED_OUT]: event.timedOut, [A.ERROR_POLICY]: event.policy });
        recordError(span, event.error, time);
        this.#endAttempt(event.taskId, event.attempts, time);
        return;
      }
      case "task:cancelled":
        this.#cancelled(event, time);
        return;
      case "task:usage": {
        const open = this.#open(event.taskId);
        if (open === undefined) return;
        const tokens = tightest(event.budgets.map((budget) => budget.remaining.tokens));
        const costUsd = tightest(event.budgets.map((budget) => budget.remaining.costUsd));
        if (tokens !== undefined) open.span.setAttribute(A.BUDGET_REMAINING_TOKENS, tokens);
        if (costUsd !== undefined) open.span.setAttribute(A.BUDGET_REMAINING_COST_USD, costUsd);
        return;
      }
      case "custom":
        if (isUsage(event.data)) this.#modelCall(event, event.data, time);
        else if (isTool(event.data)) this.#toolCall(event, event.data, time);
        return;
      case "interrupt": {
        const open = this.#open(event.taskId);
        if (open === undefined) return;
        open.span.setAttribute(A.INTERRUPT_ID, event.interrupt.id);
        this.#endAttempt(event.taskId, this.#current.get(event.taskId)!, time);
        return;
      }
      case "step:end": {
        const step = this.#step(event.step, time);
        step.span.setAttribute(A.FAILURES, event.failures.length);
        step.span.end(time);
        this.#steps.delete(event.step);
        return;
      }
      case "run:end":
        this.run.span.setAttributes({ [A.RUN_STATUS]: event.status, [A.RUN_STEPS]: event.steps, [A.FAILURES]: event.failures.length });
        this.close(time);
        return;
      case "run:error":
        recordError(this.run.span, event.error, time);
        this.close(time);
        return;
    }
  }

  /**
   * Ends every span still open, the run span last. With `error`, the run span is marked
   * failed with it (a stream closed early, a run that threw before its `run:error`).
   */
  close(time: number = this.#now(), error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const open of this.#tools.values()) open.span.end(time);
    for (const open of this.#attempts.values()) open.span.end(time);
    for (const open of this.#steps.values()) open.span.end(time);
    this.#tools.clear();
    this.#attempts.clear();
    this.#steps.clear();
    if (error !== undefined) recordError(this.run.span, error, time);
    this.run.span.end(time);
  }

  #now(): number {
    return this.#origin + performance.now() - this.#perf0;
  }

  #step(step: number, time: number): Open {
    let open = this.#steps.get(step);
    if (open === undefined) {
      const attributes = { [A.GRAPH]: this.graph, [A.STEP]: step };
      const span = this.#tracer.startSpan(`step ${step}`, { kind: SpanKind.INTERNAL, startTime: time, attributes }, this.run.ctx);
      open = { span, ctx: trace.setSpan(this.run.ctx, span) };
      this.#steps.set(step, open);
    }
    return open;
  }

  #attempt(task: TaskRef, attempt: number, time: number): Attempt {
    const key = `${task.taskId}#${attempt}`;
    let open = this.#attempts.get(key);
    if (open === undefined) {
      const parent = this.#step(task.step, time).ctx;
      const attributes: Attributes = {
        [A.GRAPH]: this.graph,
        [A.NODE]: task.node,
        [A.TASK_ID]: task.taskId,
        [A.STEP]: task.step,
        [A.ATTEMPT]: attempt,
      };
      if (task.sendIndex !== undefined) attributes[A.SEND_INDEX] = task.sendIndex;
      const span = this.#tracer.startSpan(`task ${task.node}`, { kind: SpanKind.INTERNAL, startTime: time, attributes }, parent);
      open = { span, ctx: trace.setSpan(parent, span), inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      this.#attempts.set(key, open);
      this.#current.set(task.taskId, attempt);
    }
    return open;
  }

  /**
   * The span of an attempt that ends now: the open one, or one made now when the attempt's
   * start was not seen; undefined when that attempt's span has already ended.
   */
  #ending(task: TaskRef, attempt: number, time: number): Span | undefined {
    const open = this.#attempts.get(`${task.taskId}#${attempt}`);
    if (open !== undefined) return open.span;
    const latest = this.#current.get(task.taskId);
    return latest !== undefined && latest >= attempt ? undefined : this.#attempt(task, attempt, time).span;
  }

  /** The open span of a task's latest attempt. */
  #open(taskId: string): Attempt | undefined {
    const attempt = this.#current.get(taskId);
    return attempt === undefined ? undefined : this.#attempts.get(`${taskId}#${attempt}`);
  }

  #endAttempt(taskId: string, attempt: number, time: number): void {
    const key = `${taskId}#${attempt}`;
    const open = this.#attempts.get(key);
    if (open === undefined) return;
    for (const [toolKey, tool] of this.#tools) {
      if (!toolKey.startsWith(`${taskId}#`)) continue;
      tool.span.end(time);
      this.#tools.delete(toolKey);
    }
    open.span.end(time);
    this.#attempts.delete(key);
  }

  #cancelled(task: TaskRef, time: number): void {
    this.#queued.delete(task.taskId);
    const open = this.#open(task.taskId);
    if (open === undefined) {
      // Cancelled while waiting for a slot: it never ran, so it has no attempt span.
      this.#steps
        .get(task.step)
        ?.span.addEvent("task cancelled before it started", { [A.NODE]: task.node, [A.TASK_ID]: task.taskId }, time);
      return;
    }
    open.span.setAttribute(A.CANCELLED, true);
    this.#endAttempt(task.taskId, this.#current.get(task.taskId)!, time);
  }

  /** The span a task's model or tool call belongs under: its attempt's, else its step's, else the run's. */
  #parentOf(task: TaskRef, attempt?: number): { ctx: Context; attempt: Attempt | undefined } {
    const open =
      attempt === undefined ? this.#open(task.taskId) : (this.#attempts.get(`${task.taskId}#${attempt}`) ?? this.#open(task.taskId));
    return { ctx: open?.ctx ?? this.#steps.get(task.step)?.ctx ?? this.run.ctx, attempt: open };
  }

  #modelCall(task: TaskRef, usage: UsageData, time: number): void {
    const { ctx, attempt } = this.#parentOf(task, usage.attempt);
    const tokens = {
      [A.INPUT_TOKENS]: usage.promptTokens,
      [A.OUTPUT_TOKENS]: usage.completionTokens,
      [A.TOTAL_TOKENS]: usage.totalTokens,
    };
    const attributes: Attributes = {
      [A.GRAPH]: this.graph,
      [A.NODE]: task.node,
      [A.OPERATION]: "chat",
      [A.RESPONSE_MODEL]: usage.model,
      ...tokens,
    };
    const startTime = time - (usage.durationMs ?? 0);
    this.#tracer.startSpan(`chat ${usage.model}`, { kind: SpanKind.CLIENT, startTime, attributes }, ctx).end(time);
    if (attempt !== undefined) {
      attempt.inputTokens += usage.promptTokens;
      attempt.outputTokens += usage.completionTokens;
      attempt.totalTokens += usage.totalTokens;
      attempt.span.setAttributes({
        [A.INPUT_TOKENS]: attempt.inputTokens,
        [A.OUTPUT_TOKENS]: attempt.outputTokens,
        [A.TOTAL_TOKENS]: attempt.totalTokens,
      });
    }
  }

  #toolCall(task: TaskRef, tool: ToolData, time: number): void {
    const key = `${task.taskId}#${tool.callId}`;
    let open = this.#tools.get(key);
    if (open === undefined) {
      const { ctx } = this.#parentOf(task);
      const attributes: Attributes = {
        [A.GRAPH]: this.graph,
        [A.NODE]: task.node,
        [A.OPERATION]: "execute_tool",
        [A.TOOL_NAME]: tool.name,
        [A.TOOL_CALL_ID]: tool.callId,
      };
      if (typeof tool.index === "number") attributes[A.TOOL_INDEX] = tool.index;
      const startTime = tool.phase === "end" ? time - (tool.durationMs ?? 0) : time;
      const span = this.#tracer.startSpan(`execute_tool ${tool.name}`, { kind: SpanKind.INTERNAL, startTime, attributes }, ctx);
      open = { span, ctx: trace.setSpan(ctx, span) };
      this.#tools.set(key, open);
    }
    if (tool.phase === "start") return;
    if (tool.ok === false) {
      open.span.setAttribute(A.ERROR_TYPE, "tool_error");
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: `Tool "${tool.name}" failed; its error went back to the model.` });
    }
    open.span.end(time);
    this.#tools.delete(key);
  }
}

/** The least of the values that are set; undefined when none is. */
function tightest(values: readonly (number | undefined)[]): number | undefined {
  let least: number | undefined;
  for (const value of values) if (value !== undefined && (least === undefined || value < least)) least = value;
  return least;
}
