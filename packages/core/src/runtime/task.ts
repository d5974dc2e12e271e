import { sendLabel } from "../records/task-ref.js";
import { GraphError, isGraphError } from "../errors.js";
import type { NodeSpec } from "../graph/ir.js";
import { exposeWrite, type StateTable } from "../state/table.js";
import { type RunEvent } from "../stream/events.js";
import { callNode, NO_RESUMES, readAttempt, receivesState, runNodeAttempt, TaskContext } from "./executor.js";
import { interpret, isPlainUpdate, NO_GOTO, type ParsedSend, type Routes, type RoutingTable } from "./route.js";
import type { Snapshot, Write } from "../records/write.js";
import { type TaskFailure, type TaskRef, taskRef } from "../records/task-ref.js";
import type { AttemptControl, AttemptRequest, AttemptResult, Executor } from "../records/attempt.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { Limiter } from "../controls/limiter.js";
import { backoffDelay, isRetryable } from "../controls/retry.js";

/** One unit of work of a superstep: a node with its input. */
export interface Task extends TaskRef {
  readonly spec: NodeSpec;
  readonly input: unknown;
  /** Answers to this task's earlier `ctx.interrupt` calls, in call order, when resuming. */
  readonly resumes?: readonly unknown[];
}

/** How a task ended. */
export type TaskOutcome =
  | {
      readonly status: "done";
      readonly task: Task;
      readonly write: Write | undefined;
      readonly triggers: readonly string[];
      readonly sends: readonly ParsedSend[];
      /** Set when the node failed and its `onError` handler produced the write. */
      readonly recovered?: TaskFailure;
      /** The step snapshot with this task's write applied, when its routers needed it. */
      readonly view?: Snapshot | undefined;
    }
  | { readonly status: "failed"; readonly task: Task; readonly failure: TaskFailure }
  | {
      readonly status: "interrupted";
      readonly task: Task;
      readonly interrupt: PendingInterrupt;
      /** The answers the task had already received: kept for its next run. */
      readonly resumes: readonly unknown[];
    }
  | { readonly status: "cancelled"; readonly task: Task; readonly reason: unknown };

/** What every task of one step shares. */
export interface StepEnv {
  readonly step: number;
  readonly snapshot: Snapshot;
  readonly table: StateTable;
  readonly routing: RoutingTable;
  /** Fires when the run is cancelled or a sibling fails the step. */
  readonly signal: AbortSignal;
  readonly nodeLimiters: ReadonlyMap<string, Limiter>;
  readonly runLimiter: Limiter | undefined;
  readonly emit: ((event: RunEvent) => void) | undefined;
  readonly at: () => number;
  /** Called once a task fails with the "fail" policy, to abort its siblings. */
  readonly onFatal: (failure: TaskFailure) => void;
  /** Prefix of interrupt ids (the checkpoint the step starts from); undefined without a thread. */
  readonly interruptScope: string | undefined;
  /** Where attempts run; undefined runs them in this process. */
  readonly executor: Executor | undefined;
  /** The graph's name, for executors. */
  readonly graph: string;
}

/**
 * Runs one task to its outcome: waits for its concurrency slots, runs the node with timeout
 * and retries, validates and routes what it returned, and applies its error policy.
 * Never rejects: every ending is a {@link TaskOutcome}. Synchronous when the task needs no
 * slot and its node and routers are synchronous, so big fan-outs of cheap nodes allocate no
 * promises.
 */
export function runTask(task: Task, env: StepEnv): TaskOutcome | Promise<TaskOutcome> {
  const nodeLimiter = env.nodeLimiters.get(task.node);
  if (nodeLimiter === undefined && env.runLimiter === undefined) {
    return attemptFrom(task, env, 1, env.emit === undefined ? 0 : env.at());
  }
  return limited(task, env, nodeLimiter);
}

async function limited(task: Task, env: StepEnv, nodeLimiter: Limiter | undefined): Promise<TaskOutcome> {
  const held: Limiter[] = [];
  const started = env.emit === undefined ? 0 : env.at();
  try {
    for (const limiter of [nodeLimiter, env.runLimiter]) {
      if (limiter === undefined) continue;
      const waiting = limiter.acquire(env.signal);
      if (waiting !== undefined) {
        env.emit?.({ type: "task:queued", ...taskRef(task), at: env.at() });
        await waiting;
      }
      held.push(limiter);
    }
  } catch (reason) {
    for (const limiter of held) limiter.release();
    return cancelled(task, env, reason, started);
  }
  try {
    return await attemptFrom(task, env, 1, started);
  } finally {
    for (const limiter of held) limiter.release();
  }
}

/** Runs the task's attempts from `attempt` on, until one succeeds or the policy gives up. */
function attemptFrom(task: Task, env: StepEnv, attempt: number, started: number): TaskOutcome | Promise<TaskOutcome> {
  if (env.signal.aborted) return cancelled(task, env, env.signal.reason, started);
  if (env.emit !== undefined) {
    if (attempt === 1) started = env.at();
    env.emit({ type: "task:start", attempt, ...taskRef(task), at: env.at() });
  }
  if (env.executor === undefined && task.spec.timeoutMs === undefined) return attemptHere(task, env, attempt, started);
  let result: AttemptResult | Promise<AttemptResult>;
  try {
    result = runAttempt(task, env, attempt);
  } catch (error) {
    return afterError(task, env, error, attempt, started);
  }
  return isThenable(result) ? settleLater(result, task, env, attempt, started) : settle(task, env, result, attempt, started);
}

// The promise callbacks live in functions of their own: a function that creates closures
// allocates their shared context on every call, even on the paths that create none.

function settleLater(
  result: Promise<AttemptResult>,
  task: Task,
  env: StepEnv,
  attempt: number,
  started: number,
): Promise<TaskOutcome> {
  return result.then(
    (value) => settle(task, env, value, attempt, started),
    (error: unknown) => afterError(task, env, error, attempt, started),
  );
}

/**
 * The common attempt: in this process, without a timeout. Calls the node with a context built
 * straight from the task, and goes from its result to the outcome in one promise hop.
 */
function attemptHere(task: Task, env: StepEnv, attempt: number, started: number): TaskOutcome | Promise<TaskOutcome> {
  const ctx = new TaskContext(task, attempt, env.interruptScope, env.signal, customEmitter(task, env));
  let value: unknown;
  try {
    value = callNode(task.spec, task.input, ctx);
  } catch (error) {
    return attempted(task, env, ctx, error, true, attempt, started);
  }
  return isThenable(value)
    ? attemptedLater(value, task, env, ctx, attempt, started)
    : attempted(task, env, ctx, value, false, attempt, started);
}

function attemptedLater(
  value: PromiseLike<unknown>,
  task: Task,
  env: StepEnv,
  ctx: TaskContext,
  attempt: number,
  started: number,
): Promise<TaskOutcome> {
  // Promise.resolve returns a native promise as it is, and adopts any other thenable.
  return Promise.resolve(value).then(
    (resolved) => attempted(task, env, ctx, resolved, false, attempt, started),
    (error: unknown) => attempted(task, env, ctx, error, true, attempt, started),
  );
}

/** Reads what the node's call came to (see `readAttempt`) and settles it, or handles its error. */
function attempted(
  task: Task,
  env: StepEnv,
  ctx: TaskContext,
  outcome: unknown,
  threw: boolean,
  attempt: number,
  started: number,
): TaskOutcome | Promise<TaskOutcome> {
  // The common ending, a plain update object, goes on as it is: no need to take it apart.
  if (!threw && ctx.pending === undefined && isPlainUpdate(outcome)) {
    return settleUpdate(task, env, outcome, undefined, NO_GOTO, attempt, started);
  }
  let result: AttemptResult;
  try {
    result = readAttempt(task.spec, task, ctx, outcome, threw);
  } catch (error) {
    return afterError(task, env, error, attempt, started);
  }
  return settle(task, env, result, attempt, started);
}

/** Turns an attempt's result into the task's outcome; a validation or routing error fails the attempt. */
function settle(
  task: Task,
  env: StepEnv,
  result: AttemptResult,
  attempt: number,
  started: number,
): TaskOutcome | Promise<TaskOutcome> {
  if (result.kind === "interrupted") {
    // A result that arrives after the step was cancelled may be partial: it is not committed.
    return env.signal.aborted ? cancelled(task, env, env.signal.reason, started) : interrupted(task, env, result);
  }
  const { update, overwrite, goto } = result.result;
  return settleUpdate(task, env, update, overwrite, goto, attempt, started);
}

/** Validates and routes what a node returned; a validation or routing error fails the attempt. */
function settleUpdate(
  task: Task,
  env: StepEnv,
  update: unknown,
  overwrite: ReadonlySet<string> | undefined,
  goto: readonly unknown[],
  attempt: number,
  started: number,
): TaskOutcome | Promise<TaskOutcome> {
  // A result that arrives after the step was cancelled may be partial: it is not committed.
  if (env.signal.aborted) return cancelled(task, env, env.signal.reason, started);
  try {
    const outcome = finish(task, env, update, overwrite, goto, attempt, started);
    return isThenable(outcome) ? failLater(outcome, task, env, attempt, started) : outcome;
  } catch (error) {
    return afterError(task, env, error, attempt, started);
  }
}

function failLater(outcome: Promise<TaskOutcome>, task: Task, env: StepEnv, attempt: number, started: number): Promise<TaskOutcome> {
  return outcome.catch((error: unknown) => afterError(task, env, error, attempt, started));
}

/** After a failed attempt: cancel, retry after the backoff, or apply the node's error policy. */
async function afterError(task: Task, env: StepEnv, error: unknown, attempt: number, started: number): Promise<TaskOutcome> {
  const retry = task.spec.retry;
  const timedOut = isGraphError(error) && error.code === "TIMEOUT";
  // After a cancellation, an abort error is the node obeying its signal; any other error
  // is a failure of its own and is reported with the rest.
  if (env.signal.aborted && isAbortError(error, env.signal)) return cancelled(task, env, env.signal.reason, started);
  if (!env.signal.aborted && attempt < (retry?.maxAttempts ?? 1)) {
    let retryable: boolean;
    try {
      retryable = (retry?.retryOn ?? isRetryable)(error);
    } catch (retryOnError) {
      // A retryOn that throws fails the task with its own error, like a node that throws.
      return fail(task, env, retryOnError, attempt, false, started);
    }
    if (!retryable) return fail(task, env, error, attempt, timedOut, started);
    const delayMs = backoffDelay(retry?.backoff, attempt);
    env.emit?.({ type: "task:retry", attempt, error, timedOut, delayMs, ...taskRef(task), at: env.at() });
    const slept = await sleep(delayMs, env.signal);
    if (!slept) return cancelled(task, env, env.signal.reason, started);
    return attemptFrom(task, env, attempt + 1, started);
  }
  return fail(task, env, error, attempt, timedOut, started);
}

const ignore = (): void => {};

/** What `ctx.emit` does for a task: a custom event on the run's stream, or nothing. */
function customEmitter(task: Task, env: StepEnv): (data: unknown) => void {
  return env.emit === undefined ? ignore : customEvents(task, env, env.emit);
}

function customEvents(task: Task, env: StepEnv, emit: (event: RunEvent) => void): (data: unknown) => void {
  return (data) => emit({ type: "custom", data, ...taskRef(task), at: env.at() });
}

function request(task: Task, env: StepEnv, attempt: number): AttemptRequest {
  return {
    taskId: task.taskId,
    node: task.node,
    step: task.step,
    sendIndex: task.sendIndex,
    graph: env.graph,
    attempt,
    input: task.input,
    resumes: task.resumes ?? NO_RESUMES,
    interruptScope: env.interruptScope,
  };
}

function control(task: Task, env: StepEnv, signal: AbortSignal): AttemptControl {
  return { signal, emit: customEmitter(task, env) };
}

/** Runs one attempt where the executor says, racing the node's timeout. */
function runAttempt(task: Task, env: StepEnv, attempt: number): AttemptResult | Promise<AttemptResult> {
  const timeoutMs = task.spec.timeoutMs;
  const call = (signal: AbortSignal): AttemptResult | Promise<AttemptResult> =>
    env.executor === undefined
      ? runNodeAttempt(task.spec, request(task, env, attempt), control(task, env, signal))
      : env.executor.runAttempt(request(task, env, attempt), control(task, env, signal));
  if (timeoutMs === undefined) return call(env.signal);
  const controller = new AbortController();
  const signal = AbortSignal.any([env.signal, controller.signal]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new GraphError(
        "TIMEOUT",
        `Node "${task.node}" timed out after ${timeoutMs} ms in step ${task.step}${sendLabel(task)} (attempt ${attempt}).`,
        { details: { ...taskRef(task), attempt, timeoutMs } },
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    const done = (value: AttemptResult): void => {
      clearTimeout(timer);
      resolve(value);
    };
    const failed = (error: unknown): void => {
      clearTimeout(timer);
      reject(error);
    };
    try {
      const result = call(signal);
      if (isThenable(result)) result.then(done, failed);
      else done(result);
    } catch (error) {
      failed(error);
    }
  });
}

/** Validates and routes a node's result. Throws validation and routing errors. */
function finish(
  task: Task,
  env: StepEnv,
  update: unknown,
  overwrite: ReadonlySet<string> | undefined,
  goto: readonly unknown[],
  attempts: number,
  started: number,
  recovered?: TaskFailure,
): TaskOutcome | Promise<TaskOutcome> {
  const write = update === undefined ? undefined : env.table.parseUpdate(update, task, overwrite);
  const routes = env.routing.route(task.node, env.snapshot, write, goto, env.table, env.step);
  return isThenable(routes)
    ? doneLater(routes, task, env, write, attempts, started, recovered)
    : done(task, env, write, routes, attempts, started, recovered);
}

function doneLater(
  routes: Promise<Routes>,
  task: Task,
  env: StepEnv,
  write: Write | undefined,
  attempts: number,
  started: number,
  recovered: TaskFailure | undefined,
): Promise<TaskOutcome> {
  return routes.then((r) => done(task, env, write, r, attempts, started, recovered));
}

function done(
  task: Task,
  env: StepEnv,
  write: Write | undefined,
  { triggers, sends, view }: Routes,
  attempts: number,
  started: number,
  recovered: TaskFailure | undefined,
): TaskOutcome {
  if (env.emit !== undefined) {
    env.emit({
      type: "task:end",
      update: exposeWrite(write),
      attempts,
      durationMs: env.at() - started,
      ...taskRef(task),
      at: env.at(),
    });
  }
  return recovered === undefined
    ? { status: "done", task, write, triggers, sends, view }
    : { status: "done", task, write, triggers, sends, view, recovered };
}

async function fail(
  task: Task,
  env: StepEnv,
  error: unknown,
  attempts: number,
  timedOut: boolean,
  started: number,
): Promise<TaskOutcome> {
  const onError = task.spec.onError;
  const policy = onError === "fail" || onError === "continue" ? onError : "handler";
  const failure: TaskFailure = { ...taskRef(task), error, attempts, timedOut, policy };
  env.emit?.({ type: "task:error", ...failure, durationMs: env.at() - started, at: env.at() });
  if (typeof onError === "function") {
    try {
      const ctx = new TaskContext(task, attempts, env.interruptScope, env.signal, customEmitter(task, env));
      const update = await onError(error, task.input, ctx);
      const drafts = receivesState(task.spec, task) ? env.snapshot : undefined;
      const handled = interpret(update, drafts, task.node);
      return await finish(task, env, handled.update, handled.overwrite, handled.goto, attempts, started, failure);
    } catch (handlerError) {
      const failed: TaskFailure = { ...failure, error: handlerError, policy: "fail" };
      env.onFatal(failed);
      return { status: "failed", task, failure: failed };
    }
  }
  if (policy === "fail") env.onFatal(failure);
  return { status: "failed", task, failure };
}

function interrupted(task: Task, env: StepEnv, outcome: { id: string; value: unknown }): TaskOutcome {
  const interrupt: PendingInterrupt = { id: outcome.id, value: outcome.value, kind: "node", ...taskRef(task) };
  env.emit?.({ type: "interrupt", interrupt, ...taskRef(task), at: env.at() });
  return { status: "interrupted", task, interrupt, resumes: task.resumes ?? [] };
}

function cancelled(task: Task, env: StepEnv, reason: unknown, started: number): TaskOutcome {
  env.emit?.({ type: "task:cancelled", ...taskRef(task), durationMs: env.at() - started, at: env.at() });
  return { status: "cancelled", task, reason };
}

function isAbortError(error: unknown, signal: AbortSignal): boolean {
  return (
    error === signal.reason ||
    (error instanceof Error && error.name === "AbortError") ||
    (isGraphError(error) && (error.code === "ABORTED" || error.code === "RUN_TIMEOUT"))
  );
}

/** True for a promise or any other thenable. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> & Promise<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === "function";
}

/** Waits `ms`; resolves false at once if `signal` fires first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
