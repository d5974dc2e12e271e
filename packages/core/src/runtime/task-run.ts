import { rateGate } from "../controls/rate-limit.js";
import { isRetryable, retryDelay } from "../controls/retry.js";
import { checkUsage } from "../options/budget-options.js";
import type { Spent, Usage, UsageMeter, UsageReservation } from "../records/budget.js";
import { graphError, isAbortError as isNamedAbortError, isGraphError, type GraphError } from "../errors.js";
import type { AttemptBudget, AttemptControl, AttemptRequest, AttemptResult, TaskSteps, TaskWaits } from "../records/attempt.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import { taskRef, type TaskFailure } from "../records/task-ref.js";
import type { Snapshot, Write } from "../records/write.js";
import { exposeWrite } from "../state/table.js";
import type { RunEvent } from "../stream/events.js";
import { type ContextOptions, NO_RESUMES, TaskContext, type StepSource } from "./context.js";
import { CancelScope } from "./cancel.js";
import { bounded, sleep } from "./deadline.js";
import { callNode, runNodeAttempt } from "./executor.js";
import { isThenable, pipe } from "./maybe.js";
import { interpret, isPlainUpdate, NO_GOTO, readAttempt, receivesState } from "./result.js";
import { isParentSignal, toParent } from "./parent.js";
import { runSubgraphAttempt } from "./subgraph.js";
import { taskWaits } from "./wait.js";
import type { Routes } from "./route.js";
import { idempotencyKey, StepLog } from "./step-log.js";
import type { StepEnv, Task, TaskOutcome } from "./task.js";

/**
 * Runs one task to its outcome (its step has already given it its concurrency slots): runs
 * the node with timeout and retries, validates and routes what it returned, and applies its
 * error policy. Never rejects: every ending is a {@link TaskOutcome}. Synchronous when its node
 * and routers are, so big fan-outs of cheap nodes allocate no promises. Undefined when the
 * task will tell its step itself, through `env.ended` with `position`, once its node's promise
 * settles: a task that waits on its node costs its step no promise of its own.
 */
export function runTask(task: Task, env: StepEnv, position: number): TaskOutcome | Promise<TaskOutcome> | undefined {
  const spec = task.spec;
  // A rate-limited node's ctx.emit counts the tokens it reports, which the plain path's does not.
  if (
    env.emit !== undefined ||
    env.executor !== undefined ||
    spec.timeoutMs !== undefined ||
    spec.rateLimit.length > 0 ||
    spec.subgraph !== undefined ||
    env.aborted
  ) {
    return new TaskRun(task, env).run();
  }
  return runPlain(task, env, position);
}

/**
 * The common task — in this process, no timeout, no rate limit, nobody listening to events — runs straight
 * through while it stays simple: a node returning a plain update (at once, or through a
 * promise), and synchronous routers. It allocates no {@link TaskRun}; at the first thing that is
 * not simple (a Command, an interrupt, an error) it hands the task to one, which goes on from
 * there. Fan-outs of cheap nodes run a million of these.
 */
function runPlain(task: Task, env: StepEnv, position: number): Outcome | undefined {
  const source = new PlainSource(task, env);
  const ctx = new TaskContext(task, source);
  source.ctx = ctx;
  let value: unknown;
  try {
    value = callNode(task.spec, task.input, ctx);
  } catch (error) {
    return source.threw(error);
  }
  if (isThenable(value)) {
    awaitNode(source, value, position);
    return undefined;
  }
  return source.returned(value);
}

/**
 * What the context of a task on the plain path is made from — its first attempt, the step's
 * signal — and where it gets its steps, its idempotency key, its usage meter and its durable
 * sleeps: its {@link TaskRun}, made when the node first asks (or when the task leaves the plain
 * path), so a task that never asks allocates none. One object, the context's options and its
 * sources at once: a fan-out runs a million of these.
 */
class PlainSource implements ContextOptions, StepSource, UsageMeter {
  readonly task: Task;
  readonly env: StepEnv;
  ctx: TaskContext | undefined;
  private run: TaskRun | undefined;

  constructor(task: Task, env: StepEnv) {
    this.task = task;
    this.env = env;
    this.ctx = undefined;
    this.run = undefined;
  }

  // The context's options, read from the step when asked rather than copied into each task's
  // source: the same for every task of the step.
  get attempt(): number {
    return 1;
  }

  get interruptScope(): string | undefined {
    return this.env.interruptScope;
  }

  get signal(): AbortSignal {
    return this.env.signal;
  }

  get emit(): (data: unknown) => void {
    return ignore;
  }

  get steps(): StepSource {
    return this;
  }

  get usage(): UsageMeter {
    return this;
  }

  taskRun(): TaskRun {
    return (this.run ??= new TaskRun(this.task, this.env, this.ctx));
  }

  /** Goes on from what the node returned: straight to the outcome while it stays simple, else through the task's {@link TaskRun}. */
  returned(value: unknown): Outcome {
    const { task, env } = this;
    if (this.ctx!.pending !== undefined || !isPlainUpdate(value) || env.aborted) return this.taskRun().returned(value);
    let write: Write;
    let view: Snapshot | undefined;
    let routes: Routes | Promise<Routes>;
    try {
      write = env.table.parseUpdate(value, task, undefined);
      // The common case of a fan-out worker: static edges only, one shared answer per node.
      const fixed = env.routing.fixedRoutes(task.node);
      if (fixed !== undefined) return { status: "done", task, write, triggers: fixed.triggers, sends: fixed.sends, view: undefined };
      view = routersView(task, env, write);
      routes = env.routing.route(task.node, NO_GOTO, view ?? env.snapshot);
    } catch (error) {
      return this.taskRun().afterError(error);
    }
    if (isThenable(routes)) return this.taskRun().routed(write, view, routes);
    return { status: "done", task, write, triggers: routes.triggers, sends: routes.sends, view };
  }

  threw(error: unknown): Outcome {
    return this.taskRun().threw(error);
  }

  idempotencyKey(): string {
    return this.taskRun().idempotencyKey();
  }

  taskSteps(): TaskSteps {
    return this.taskRun().taskSteps();
  }

  taskWaits(): TaskWaits | undefined {
    return this.taskRun().taskWaits();
  }

  report(usage: Usage): void {
    this.taskRun().report(usage);
  }

  reserve(estimate: Usage): UsageReservation {
    return this.taskRun().reserve(estimate);
  }
}

/**
 * Waits for a node's promise and tells the step how its task ended: at once when the rest of
 * the task is synchronous (the common case), else when its outcome resolves. The task stays on
 * the plain path meanwhile. (A function of its own: the closures' context is allocated only for
 * tasks that wait.)
 */
function awaitNode(source: PlainSource, value: PromiseLike<unknown>, position: number): void {
  // Promise.resolve returns a native promise as it is, and adopts any other thenable.
  Promise.resolve(value).then(
    (resolved) => settleNode(source, resolved, false, position),
    (error: unknown) => settleNode(source, error, true, position),
  );
}

/**
 * Tells the step how the task ended once its node's promise settled. Reading the result never
 * throws but for a value that throws when read (a revoked Proxy): the step then fails with that
 * error, as it does when a task breaks its promise never to reject, rather than waiting for a
 * task that will not end.
 */
function settleNode(source: PlainSource, settled: unknown, threw: boolean, position: number): void {
  let outcome: Outcome;
  try {
    outcome = threw ? source.threw(settled) : source.returned(settled);
  } catch (error) {
    outcome = Promise.reject(error);
  }
  source.env.ended(outcome, position);
}

/** What a task's routers see: the step snapshot with the task's own write applied; undefined when it has no routers. */
function routersView(task: Task, env: StepEnv, write: Write | undefined): Snapshot | undefined {
  if (!env.routing.hasRouters(task.node)) return undefined;
  return write === undefined ? env.snapshot : env.table.commit(env.snapshot, [write], env.step);
}

/**
 * Fails a task that could not pass one of its gates (a shared limit's store failed or
 * stalled) without running it, under its node's `onError`.
 */
export function refuseTask(task: Task, env: StepEnv, error: unknown): Promise<TaskOutcome> {
  return new TaskRun(task, env).refused(error);
}

type Outcome = TaskOutcome | Promise<TaskOutcome>;

/**
 * One task on its way to an outcome: the task, its step's environment, the attempt running
 * now and when it started. Its methods are the stages a task goes through; where a stage may
 * end later, the next one is chained with {@link pipe}, which stays synchronous when it can.
 * (TypeScript's `private` rather than `#` members: one of these is made per task, and its
 * methods run on every task's path, where `#` members add a brand check to each access.)
 */
class TaskRun implements StepSource, UsageMeter {
  readonly task: Task;
  readonly env: StepEnv;
  /** The attempt running now, from 1. */
  attempt = 1;
  /** When the task started, in the run's milliseconds; only kept when someone listens to events. */
  started = 0;
  /** The context of the attempt running in this process. */
  private ctx: TaskContext | undefined;
  /** The task's validated write and the routers' view of the state, once it has them. */
  private write: Write | undefined;
  private view: Snapshot | undefined;
  /** Set when the node failed and its `onError` handler produced the write. */
  private recovered: TaskFailure | undefined;
  /** The task's idempotency key and steps, made when a node first asks; kept across attempts. */
  private key: string | undefined;
  private steps: StepLog | undefined;
  /** The task's durable sleeps, made when its node first sleeps. */
  private sleeps: TaskWaits | undefined;

  /** `ctx` when the task's first attempt has already called its node (see `runPlain`). */
  constructor(task: Task, env: StepEnv, ctx?: TaskContext) {
    this.task = task;
    this.env = env;
    this.ctx = ctx;
  }

  run(): Outcome {
    return this.runAttempt();
  }

  refused(error: unknown): Promise<TaskOutcome> {
    if (this.env.emit !== undefined) this.started = this.env.at();
    return this.fail(error, false);
  }

  /** Runs attempt number `this.attempt`, and goes on to the outcome. */
  private runAttempt(): Outcome {
    const { task, env } = this;
    if (env.aborted) return this.cancelled(env.signal.reason);
    if (env.emit !== undefined) {
      if (this.attempt === 1) this.started = env.at();
      const payload = task.sendIndex === undefined ? {} : { input: task.input };
      env.emit({ type: "task:start", attempt: this.attempt, ...taskRef(task), ...payload, at: env.at() });
    }
    if (env.executor === undefined && task.spec.timeoutMs === undefined && task.spec.subgraph === undefined) return this.attemptHere();
    let result: AttemptResult | Promise<AttemptResult>;
    try {
      result = this.attemptElsewhere();
    } catch (error) {
      return this.afterError(error);
    }
    return pipe(result, this, this.settle, this.afterError);
  }

  /**
   * The common attempt: in this process, without a timeout. Calls the node with a context
   * built straight from the task, and reads its result without the executor's wrappers.
   */
  private attemptHere(): Outcome {
    const { task, env } = this;
    const ctx = new TaskContext(task, {
      attempt: this.attempt,
      interruptScope: env.interruptScope,
      signal: env.signal,
      emit: this.customEvents(),
      steps: this,
      usage: this,
    });
    this.ctx = ctx;
    let value: unknown;
    try {
      value = callNode(task.spec, task.input, ctx);
    } catch (error) {
      return this.threw(error);
    }
    return pipe(value, this, this.returned, this.threw);
  }

  returned(value: unknown): Outcome {
    // The common ending, a plain update object, goes on as it is: no need to take it apart.
    if (this.ctx!.pending === undefined && isPlainUpdate(value)) return this.finish(value, undefined, NO_GOTO);
    return this.read(value, false);
  }

  threw(error: unknown): Outcome {
    return this.read(error, true);
  }

  /** Reads what the node's call came to (see `readAttempt`) and settles it, or handles its error. */
  private read(outcome: unknown, threw: boolean): Outcome {
    let result: AttemptResult;
    try {
      result = readAttempt({ spec: this.task.spec, task: this.task, ctx: this.ctx! }, outcome, threw);
    } catch (error) {
      return this.afterError(error);
    }
    return this.settle(result);
  }

  /** Runs one attempt where the executor says, bounded by the node's timeout. */
  private attemptElsewhere(): AttemptResult | Promise<AttemptResult> {
    const { task, env } = this;
    const timeoutMs = task.spec.timeoutMs;
    // A subgraph runs here, whatever the executor: its inner tasks go to the inner graph's own.
    if (task.spec.subgraph !== undefined) return this.attemptSubgraph(timeoutMs);
    if (timeoutMs === undefined) return this.callExecutor(env.signal);
    const controller = new AbortController();
    const result = this.callExecutor(AbortSignal.any([env.signal, controller.signal]));
    if (!isThenable(result)) return result;
    return bounded(result, {
      timeoutMs,
      timeout: () => {
        const error = this.timedOut(timeoutMs);
        controller.abort(error);
        return error;
      },
    });
  }

  /**
   * Runs the inner run of a subgraph task, linked to the step's cancellation, or with a timeout,
   * to a scope of its own that the timeout cancels too. The key that names a durable inner
   * thread is derived only when there is one.
   */
  private attemptSubgraph(timeoutMs: number | undefined): Promise<AttemptResult> {
    const { task, env } = this;
    const request = this.request(env.steps.threadId !== undefined && task.spec.subgraph!.runner!.durable);
    if (timeoutMs === undefined) return runSubgraphAttempt(task, request, { outer: env, env });
    const scope = new CancelScope();
    env.link(scope);
    const result = runSubgraphAttempt(task, request, { outer: scope, env });
    return bounded(result, {
      timeoutMs,
      timeout: () => {
        const error = this.timedOut(timeoutMs);
        scope.cancel(error);
        return error;
      },
    }).finally(() => env.unlink(scope));
  }

  private timedOut(timeoutMs: number): GraphError {
    return graphError("TIMEOUT", "timeout", { ...taskRef(this.task), attempt: this.attempt, timeoutMs });
  }

  private callExecutor(signal: AbortSignal): AttemptResult | Promise<AttemptResult> {
    const { env } = this;
    const control: AttemptControl = { signal, emit: this.customEvents(), steps: this.taskSteps(), usage: this };
    if (env.executor !== undefined) return env.executor.runAttempt(this.request(true), control);
    return runNodeAttempt(this.task.spec, this.request(true), { ...control, waits: taskWaits(this.task, env) });
  }

  /** The attempt as plain data; `withKey`: with the task's idempotency key, which costs a hash to derive. */
  private request(withKey: boolean): AttemptRequest {
    const { task, env } = this;
    return {
      taskId: task.taskId,
      node: task.node,
      step: task.step,
      sendIndex: task.sendIndex,
      graph: env.graph,
      attempt: this.attempt,
      input: task.input,
      resumes: task.resumes ?? NO_RESUMES,
      interruptScope: env.interruptScope,
      idempotencyKey: withKey ? this.idempotencyKey() : undefined,
      ...(env.steps.threadId === undefined ? {} : { threadId: env.steps.threadId }),
      ...(env.executor === undefined ? undefined : budgetOf(task, env)),
    };
  }

  idempotencyKey(): string {
    return (this.key ??= idempotencyKey(this.env.steps.identity(this.task)));
  }

  taskSteps(): TaskSteps {
    return (this.steps ??= new StepLog(this.env.steps.journal(this.task)));
  }

  /** Where the task's short durable sleeps are saved before they wait; undefined for a run without a thread. */
  taskWaits(): TaskWaits | undefined {
    return this.env.waits === undefined ? undefined : (this.sleeps ??= taskWaits(this.task, this.env));
  }

  /** Turns an attempt's result into the task's outcome. */
  private settle(result: AttemptResult): Outcome {
    const { env } = this;
    if (result.kind === "interrupted") {
      // A result that arrives after the step was cancelled may be partial: it is not committed.
      return env.aborted ? this.cancelled(env.signal.reason) : this.interrupted(result);
    }
    const { update, overwrite, goto } = result.result;
    return this.finish(update, overwrite, goto);
  }

  /** Validates and routes what an attempt returned; a validation or routing error fails the attempt. */
  private finish(update: unknown, overwrite: ReadonlySet<string> | undefined, goto: readonly unknown[]): Outcome {
    const { env } = this;
    // A result that arrives after the step was cancelled may be partial: it is not committed.
    if (env.aborted) return this.cancelled(env.signal.reason);
    let outcome: Outcome;
    try {
      outcome = this.route(update, overwrite, goto);
    } catch (error) {
      return this.afterError(error);
    }
    return pipe(outcome, this, same, this.afterError);
  }

  /** Validates an update and routes it. Throws (or rejects with) validation and routing errors. */
  private route(update: unknown, overwrite: ReadonlySet<string> | undefined, goto: readonly unknown[]): Outcome {
    const { task, env } = this;
    const write = update === undefined ? undefined : env.table.parseUpdate(update, task, overwrite);
    const view = routersView(task, env, write);
    return this.routed(write, view, env.routing.route(task.node, goto, view ?? env.snapshot));
  }

  /** Goes on once the task's write is validated and its routes are chosen (or being chosen). */
  routed(write: Write | undefined, view: Snapshot | undefined, routes: Routes | Promise<Routes>): Outcome {
    this.write = write;
    this.view = view;
    return isThenable(routes) ? this.routesLater(routes) : this.done(routes);
  }

  /**
   * Waits for asynchronous routers, no longer than the node's `timeoutMs` and not past the
   * step's cancellation: a router has no signal to obey, so waiting on it is what stops.
   */
  private routesLater(routes: Promise<Routes>): Promise<TaskOutcome> {
    const { task, env } = this;
    const timeoutMs = task.spec.timeoutMs;
    const waited = bounded(routes, {
      timeoutMs,
      signal: env.signal,
      // Called only when there is a timeoutMs to run out.
      timeout: () => graphError("TIMEOUT", "router", { ...taskRef(task), attempt: this.attempt, timeoutMs: timeoutMs! }),
    });
    return waited.then((done) => this.done(done));
  }

  private done(routes: Routes): TaskOutcome {
    const { task, env } = this;
    const write = this.write;
    if (env.emit !== undefined) {
      env.emit({
        type: "task:end",
        update: exposeWrite(write),
        attempts: this.attempt,
        durationMs: env.at() - this.started,
        ...taskRef(task),
        at: env.at(),
      });
    }
    const { triggers, sends } = routes;
    const recovered = this.recovered;
    const view = this.view;
    return recovered === undefined
      ? { status: "done", task, write, triggers, sends, view }
      : { status: "done", task, write, triggers, sends, view, recovered };
  }

  /** After a failed attempt: cancel, retry after the backoff, or apply the node's error policy. */
  async afterError(error: unknown): Promise<TaskOutcome> {
    const { task, env, attempt } = this;
    const retry = task.spec.retry;
    const timedOut = isGraphError(error) && error.code === "TIMEOUT";
    if (isParentSignal(error)) return Promise.resolve(toParent(this, env, error));
    // After a cancellation, an abort error is the node obeying its signal; any other error
    // is a failure of its own and is reported with the rest.
    if (env.aborted && isAbortError(error, env.signal)) return this.cancelled(env.signal.reason);
    if (env.aborted || attempt >= (retry?.maxAttempts ?? 1)) return this.fail(error, timedOut);
    let retryable: boolean;
    try {
      retryable = (retry?.retryOn ?? isRetryable)(error);
    } catch (retryOnError) {
      // A retryOn that throws fails the task with its own error, like a node that throws.
      return this.fail(retryOnError, false);
    }
    if (!retryable) return this.fail(error, timedOut);
    const delayMs = retryDelay({ backoff: retry?.backoff, attempt, error });
    env.emit?.({ type: "task:retry", attempt, error, timedOut, delayMs, ...taskRef(task), at: env.at() });
    if (task.spec.rateLimit.length > 0) {
      // The failed attempt has its answer: its turns count from now; a 429 pauses the keys.
      env.meter!.settle(task);
      await this.pauseKeys(error, delayMs);
    }
    if (!(await sleep(delayMs, env.signal))) return this.cancelled(env.signal.reason);
    if (task.spec.rateLimit.length > 0) {
      try {
        await this.passRateLimits();
      } catch (gateError) {
        if (env.aborted) return this.cancelled(env.signal.reason);
        return this.fail(gateError, false);
      }
    }
    this.attempt = attempt + 1;
    return this.runAttempt();
  }

  /** A 429 pauses every key the node is limited by, for its `retry-after` (else the backoff), for every task that shares it. */
  private async pauseKeys(error: unknown, delayMs: number): Promise<void> {
    await Promise.all(this.task.spec.rateLimit.map((limit) => limit.pauseAfter(error, delayMs)));
  }

  /** A retry is one more request: it waits its turn at each rate limit again, reported as queued when it must wait. */
  private async passRateLimits(): Promise<void> {
    const { task, env } = this;
    const cost = task.spec.estimateTokens?.(task.input);
    // A step with a rate-limited node always has a meter: it settles these passes when the attempt ends.
    const meter = env.meter!;
    for (const limit of task.spec.rateLimit) {
      const gate = rateGate(limit);
      let pass = gate.tryAcquire(cost);
      if (pass === undefined) {
        env.emit?.({ type: "task:queued", waitsFor: "rate", limit: gate.name, ...taskRef(task), at: env.at() });
        pass = await gate.passFor(cost, env.signal);
      }
      meter.hold(task, gate, pass);
    }
  }

  /** The task failed for good: its node's `onError` decides what that means for the step. */
  private async fail(error: unknown, timedOut: boolean): Promise<TaskOutcome> {
    const { task, env } = this;
    const onError = task.spec.onError;
    const policy = onError === "fail" || onError === "continue" ? onError : "handler";
    const failure: TaskFailure = { ...taskRef(task), error, attempts: this.attempt, timedOut, policy };
    env.emit?.({ type: "task:error", ...failure, durationMs: env.at() - this.started, at: env.at() });
    if (typeof onError !== "function") {
      if (policy === "fail") env.onFatal(failure);
      return { status: "failed", task, failure };
    }
    try {
      // The handler's steps are the task's, not its durable sleeps: a sleep in a handler is not the task's pause.
      const steps: StepSource = { idempotencyKey: () => this.idempotencyKey(), taskSteps: () => this.taskSteps() };
      const ctx = new TaskContext(task, {
        attempt: this.attempt,
        interruptScope: env.interruptScope,
        signal: env.signal,
        emit: this.customEvents(),
        steps,
        usage: this,
      });
      const update = await onError(error, task.input, ctx);
      const handled = interpret(update, receivesState(task.spec, task) ? env.snapshot : undefined, task.node);
      this.recovered = failure;
      return await this.route(handled.update, handled.overwrite, handled.goto);
    } catch (handlerError) {
      const failed: TaskFailure = { ...failure, error: handlerError, policy: "fail" };
      env.onFatal(failed);
      return { status: "failed", task, failure: failed };
    }
  }

  /** The task paused on an interrupt or a sleep; a timed one is given its wake-up time by the store's clock. */
  private interrupted(outcome: AttemptResult & { readonly kind: "interrupted" }): Outcome {
    const waits = this.env.waits;
    const wait = outcome.wait;
    if (wait === undefined || waits === undefined) return this.paused(outcome, undefined);
    return waits.now().then((now) => this.paused(outcome, Math.ceil(now + wait.ms)));
  }

  private paused(outcome: AttemptResult & { readonly kind: "interrupted" }, wakeAt: number | undefined): TaskOutcome {
    const { task, env } = this;
    const base: PendingInterrupt = {
      id: outcome.id,
      value: outcome.value,
      kind: outcome.sleep === true ? "sleep" : "node",
      ...taskRef(task),
      ...(outcome.path === undefined ? undefined : { path: outcome.path }),
    };
    const interrupt: PendingInterrupt =
      wakeAt === undefined ? base : outcome.sleep === true ? { ...base, wakeAt } : { ...base, wakeAt, default: outcome.wait!.default };
    env.emit?.({ type: "interrupt", interrupt, ...taskRef(task), at: env.at() });
    return { status: "interrupted", task, interrupt, resumes: outcome.resumes ?? task.resumes ?? NO_RESUMES };
  }

  private cancelled(reason: unknown): TaskOutcome {
    const { task, env } = this;
    env.emit?.({ type: "task:cancelled", ...taskRef(task), durationMs: env.at() - this.started, at: env.at() });
    return { status: "cancelled", task, reason };
  }

  /** Counts what the task used against the budgets over it, and reports it. */
  report(usage: Usage): void {
    const { task, env } = this;
    const spent = env.budget.charge(task, usage);
    if (env.emit === undefined) return;
    const budgets = env.budget.statusOf(task);
    env.emit({ type: "task:usage", usage: { ...usage, ...spent }, budgets, ...taskRef(task), at: env.at() });
  }

  /** Holds back a call's estimate until the call settles; see `BudgetLedger.reserve`. */
  reserve(estimate: Usage): UsageReservation {
    return new Reservation(this, this.env.budget.reserve(this.task, estimate));
  }

  /** What `ctx.emit` does for this task: a custom event on the run's stream, or nothing; a rate-limited task's tokens are counted. */
  private customEvents(): (data: unknown) => void {
    const { task, env } = this;
    const emit = env.emit;
    if (env.meter !== undefined && task.spec.rateLimit.length > 0) return meteredEvents(task, env, emit);
    return emit === undefined ? ignore : customEvents(task, env, emit);
  }
}

const ignore = (): void => {};

/** A call's hold on its task's budgets, until it settles (once). */
class Reservation implements UsageReservation {
  readonly #run: TaskRun;
  #held: Spent | undefined;

  constructor(run: TaskRun, held: Spent) {
    this.#run = run;
    this.#held = held;
  }

  settle(usage?: Usage): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    const run = this.#run;
    run.env.budget.release(run.task, held);
    if (usage === undefined) return;
    checkUsage(usage, run.task.node);
    run.report(usage);
  }
}

// A function of its own: the closure's context is allocated only for runs that listen to events.
function customEvents(task: Task, env: StepEnv, emit: (event: RunEvent) => void): (data: unknown) => void {
  return (data) => emit({ type: "custom", data, ...taskRef(task), at: env.at() });
}

/** The budgets over a task for an executor that may run it elsewhere; nothing when none is over it. */
function budgetOf(task: Task, env: StepEnv): { budget: AttemptBudget } | undefined {
  const budget = env.budget.snapshot(task);
  return budget === undefined ? undefined : { budget };
}

function meteredEvents(task: Task, env: StepEnv, emit: ((event: RunEvent) => void) | undefined): (data: unknown) => void {
  const meter = env.meter!;
  return (data) => {
    meter.count(task, data);
    emit?.({ type: "custom", data, ...taskRef(task), at: env.at() });
  };
}

function same(outcome: TaskOutcome): TaskOutcome {
  return outcome;
}

function isAbortError(error: unknown, signal: AbortSignal): boolean {
  return (
    error === signal.reason ||
    isNamedAbortError(error) ||
    (isGraphError(error) && (error.code === "ABORTED" || error.code === "RUN_TIMEOUT"))
  );
}
