import { GraphError, isGraphError } from "../errors.js";
import { START } from "../graph/constants.js";
import type { GraphIR, NodeSpec } from "../graph/ir.js";
import type { Snapshot, StateTable, Write } from "../state/table.js";
import type { RunEvent, TaskFailure } from "../stream/events.js";
import { Limiter } from "./limiter.js";
import type { ParsedSend, RoutingTable } from "./route.js";
import { runTask, sendLabel, type StepEnv, type Task, type TaskOutcome } from "./task.js";

/** Options of one run. */
export interface RunOptions {
  /** Cancels the run: running tasks see their `ctx.signal` fire, the run rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** The most supersteps the run may take. Default 25. */
  readonly maxSteps?: number;
  /** At most this many tasks run at once across the whole run; the others wait in order. */
  readonly maxConcurrency?: number;
  /** Cancel the run after this long, rejecting with `RUN_TIMEOUT`. */
  readonly timeoutMs?: number;
  /**
   * After a failure aborts its siblings, how long to wait for them to settle before the run
   * rejects anyway. Default 1000 ms.
   */
  readonly settleTimeoutMs?: number;
}

/** What a finished run returns. */
export interface RunResult<TState = Record<string, unknown>, TNodes extends string = string> {
  readonly state: TState;
  /** Supersteps run. */
  readonly steps: number;
  /** Tasks that failed but did not fail the run (`onError: "continue"` or a handler). */
  readonly failures: readonly TaskFailure<TNodes>[];
}

/** Everything a run needs that does not change between runs. */
export interface Program {
  readonly ir: GraphIR;
  readonly table: StateTable;
  readonly routing: RoutingTable;
}

const DEFAULT_MAX_STEPS = 25;

/**
 * Runs a graph: supersteps of plan → run every ready task concurrently → commit their writes
 * in task order → route. Reports progress through `emit` when given.
 */
export async function runGraph(
  program: Program,
  input: unknown,
  options: RunOptions,
  emit: ((event: RunEvent) => void) | undefined,
): Promise<RunResult> {
  const { ir, table, routing } = program;
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const run = new RunControl(options);
  try {
    emit?.({ type: "run:start", input, at: at() });
    let state = table.initial(input);
    const startRoutes = await routing.route(START, state, undefined, [], table, 0);
    const planner = new Planner(ir, routing);
    let tasks = planner.next(state, 1, [{ status: "start", triggers: startRoutes.triggers, sends: startRoutes.sends }]);
    const nodeLimiters = new Map<string, Limiter>();
    for (const node of ir.nodes.values()) {
      if (node.concurrency !== undefined) nodeLimiters.set(node.name, new Limiter(node.concurrency));
    }
    const runLimiter = options.maxConcurrency === undefined ? undefined : new Limiter(options.maxConcurrency);
    const recent: string[][] = [];
    const failures: TaskFailure[] = [];
    let step = 0;
    while (tasks.length > 0) {
      step++;
      if (step > maxSteps) throw stepLimit(maxSteps, recent, tasks);
      run.throwIfAborted();
      emit?.({ type: "step:start", step, tasks: tasks.map(taskRef), at: at() });
      const outcomes = await runStep(tasks, {
        step,
        snapshot: state,
        table,
        routing,
        nodeLimiters,
        runLimiter,
        emit,
        at,
        settleTimeoutMs: options.settleTimeoutMs ?? 1000,
        runSignal: run.signal,
      });
      run.throwIfAborted();
      const stepFailures = collectFailures(outcomes);
      const fatal = stepFailures.filter((failure) => failure.policy === "fail");
      if (fatal.length > 0) throw taskFailed(fatal, outcomes, state, step);
      const writes: Write[] = [];
      for (const outcome of outcomes) if (outcome.status === "done" && outcome.write !== undefined) writes.push(outcome.write);
      state = table.commit(state, writes, step);
      failures.push(...stepFailures);
      emit?.({ type: "step:end", step, state, failures: stepFailures, at: at() });
      recent.push(tasks.map((task) => task.node));
      if (recent.length > 3) recent.shift();
      tasks = planner.next(state, step + 1, outcomes);
    }
    emit?.({ type: "run:end", state, steps: step, failures, durationMs: at(), at: at() });
    return { state, steps: step, failures };
  } catch (error) {
    const graphError = run.explain(error);
    emit?.({ type: "run:error", error: graphError, at: at() });
    throw graphError;
  } finally {
    run.dispose();
  }
}

interface StepOptions extends Omit<StepEnv, "signal" | "onFatal"> {
  readonly settleTimeoutMs: number;
  readonly runSignal: AbortSignal;
}

/** Runs every task of a step at once; on a fatal failure, aborts the rest and waits (bounded). */
async function runStep(tasks: readonly Task[], options: StepOptions): Promise<TaskOutcome[]> {
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(options.runSignal.reason);
  if (options.runSignal.aborted) onRunAbort();
  else options.runSignal.addEventListener("abort", onRunAbort, { once: true });
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let giveUp: (() => void) | undefined;
  const env: StepEnv = {
    ...options,
    signal: controller.signal,
    onFatal: (failure) => {
      if (controller.signal.aborted) return;
      controller.abort(
        new GraphError("ABORTED", `Cancelled because "${failure.node}"${sendLabel(failure)} failed in step ${failure.step}.`),
      );
    },
  };
  const outcomes: (TaskOutcome | undefined)[] = new Array(tasks.length);
  try {
    const all = Promise.all(tasks.map((task, i) => runTask(task, env).then((outcome) => (outcomes[i] = outcome))));
    const bounded = new Promise<void>((resolve) => {
      giveUp = resolve;
      controller.signal.addEventListener(
        "abort",
        () => {
          settleTimer = setTimeout(resolve, options.settleTimeoutMs);
        },
        { once: true },
      );
    });
    await Promise.race([all, bounded]);
  } finally {
    giveUp?.();
    clearTimeout(settleTimer);
    options.runSignal.removeEventListener("abort", onRunAbort);
  }
  return tasks.map(
    (task, i) => outcomes[i] ?? { status: "cancelled", task, reason: new GraphError("ABORTED", "did not settle in time") },
  );
}

/** Chooses the tasks of the next step from what the last one did. */
class Planner {
  readonly #joinsSeen: Set<string>[];
  readonly #deferredNodes = new Set<string>();
  readonly #deferredSends: ParsedSend[] = [];

  constructor(
    private readonly ir: GraphIR,
    private readonly routing: RoutingTable,
  ) {
    this.#joinsSeen = ir.joins.map(() => new Set());
  }

  /**
   * Triggered nodes run in declaration order, then Sends in emission order. Deferred nodes
   * wait until nothing else is left to run.
   */
  next(
    state: Snapshot,
    step: number,
    outcomes: readonly (TaskOutcome | { status: "start"; triggers: readonly string[]; sends: readonly ParsedSend[] })[],
  ): Task[] {
    const triggered = new Set<string>();
    const sends: ParsedSend[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === "cancelled") continue;
      if (outcome.status === "failed") {
        // A failure kept by `onError: "continue"` still lets the flow go on along static
        // edges and joins, so an aggregator downstream runs with what succeeded.
        for (const target of this.routing.edgesFrom.get(outcome.task.node) ?? []) triggered.add(target);
        this.#markJoins(outcome.task.node, triggered);
        continue;
      }
      for (const target of outcome.triggers) triggered.add(target);
      for (const send of outcome.sends) sends.push(send);
      if (outcome.status === "done") this.#markJoins(outcome.task.node, triggered);
    }
    const nodes: NodeSpec[] = [];
    for (const node of this.ir.nodes.values()) {
      if (!triggered.has(node.name)) continue;
      if (node.defer) this.#deferredNodes.add(node.name);
      else nodes.push(node);
    }
    const ready: ParsedSend[] = [];
    for (const send of sends) (send.node.defer ? this.#deferredSends : ready).push(send);
    if (nodes.length === 0 && ready.length === 0 && (this.#deferredNodes.size > 0 || this.#deferredSends.length > 0)) {
      for (const node of this.ir.nodes.values()) if (this.#deferredNodes.has(node.name)) nodes.push(node);
      ready.push(...this.#deferredSends);
      this.#deferredNodes.clear();
      this.#deferredSends.length = 0;
    }
    const tasks: Task[] = [];
    for (const node of nodes) {
      tasks.push({
        taskId: `${step}:${tasks.length}`,
        node: node.name,
        step,
        sendIndex: undefined,
        spec: node,
        input: this.routing.edgeInput(node, state),
      });
    }
    const sendCounts = new Map<string, number>();
    for (const send of ready) {
      const index = sendCounts.get(send.node.name) ?? 0;
      sendCounts.set(send.node.name, index + 1);
      tasks.push({
        taskId: `${step}:${tasks.length}`,
        node: send.node.name,
        step,
        sendIndex: index,
        spec: send.node,
        input: send.input,
      });
    }
    return tasks;
  }

  #markJoins(node: string, triggered: Set<string>): void {
    this.ir.joins.forEach((join, i) => {
      if (!join.sources.includes(node)) return;
      const seen = this.#joinsSeen[i]!;
      seen.add(node);
      if (seen.size === join.sources.length) {
        seen.clear();
        triggered.add(join.target);
      }
    });
  }
}

/** The run's own cancellation: the caller's signal and the run timeout. */
class RunControl {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onCallerAbort: () => void;

  constructor(private readonly options: RunOptions) {
    const caller = options.signal;
    this.#onCallerAbort = () =>
      this.#controller.abort(new GraphError("ABORTED", "The run was cancelled.", { cause: caller?.reason }));
    if (caller?.aborted === true) this.#onCallerAbort();
    else caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () =>
          this.#controller.abort(
            new GraphError("RUN_TIMEOUT", `The run took longer than its timeoutMs of ${options.timeoutMs} ms.`),
          ),
        options.timeoutMs,
      );
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  throwIfAborted(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  /** The error a failed run rejects with: cancellation wins over what it caused. */
  explain(error: unknown): GraphError {
    if (this.#controller.signal.aborted) return this.#controller.signal.reason as GraphError;
    if (isGraphError(error)) return error;
    return new GraphError("TASK_FAILED", `The run failed: ${String(error)}`, { cause: error });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.options.signal?.removeEventListener("abort", this.#onCallerAbort);
  }
}

function taskRef(task: Task) {
  return { taskId: task.taskId, node: task.node, step: task.step, sendIndex: task.sendIndex };
}

function collectFailures(outcomes: readonly TaskOutcome[]): TaskFailure[] {
  const failures: TaskFailure[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === "failed") failures.push(outcome.failure);
    else if (outcome.status === "done" && outcome.recovered !== undefined) failures.push(outcome.recovered);
  }
  return failures;
}

function taskFailed(fatal: readonly TaskFailure[], outcomes: readonly TaskOutcome[], state: Snapshot, step: number): GraphError {
  const reason = (failure: TaskFailure): string => {
    const how = `attempt ${failure.attempts}${failure.timedOut ? ", timed out" : ""}`;
    const cause = failure.error instanceof Error ? failure.error.message : String(failure.error);
    return `(${how}): ${cause}`;
  };
  const who = (failure: TaskFailure): string => `"${failure.node}"${sendLabel(failure)}`;
  const message =
    fatal.length === 1
      ? `Node ${who(fatal[0]!)} failed in step ${step} ${reason(fatal[0]!)}`
      : `${fatal.length} tasks failed in step ${step}: ${fatal.map((failure) => `${who(failure)} ${reason(failure)}`).join("; ")}`;
  const finished = outcomes.flatMap((outcome) =>
    outcome.status === "done" ? [{ ...taskRef(outcome.task), update: outcome.write?.values }] : [],
  );
  return new GraphError("TASK_FAILED", message, {
    cause: fatal[0]!.error,
    details: { step, failures: fatal, finished, state },
  });
}

function stepLimit(maxSteps: number, recent: readonly string[][], pending: readonly Task[]): GraphError {
  const loop = [...new Set(recent.flat())];
  const next = [...new Set(pending.map((task) => task.node))];
  return new GraphError(
    "STEP_LIMIT",
    `The run reached maxSteps (${maxSteps}) with ${next.map((n) => `"${n}"`).join(", ")} still to run; the last steps ran ${loop
      .map((n) => `"${n}"`)
      .join(", ")}. Is there a loop without an exit? Raise maxSteps if the run is just long.`,
    { details: { maxSteps, loop, next } },
  );
}
