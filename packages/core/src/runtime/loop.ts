import { graphError, type GraphError } from "../errors.js";
import { isCommand } from "../graph/command.js";
import type { GraphIR } from "../graph/ir.js";
import { graphOutput } from "../state/io.js";
import { exposeWrite, type StateTable } from "../state/table.js";
import type { RunEvent } from "../stream/events.js";
import { type Planner, toFrontier } from "./planner.js";
import type { RoutingTable } from "./route.js";
import { runStepScope, type StepScope } from "./step-log.js";
import { RunControl } from "./run-control.js";
import { checkRunOptions } from "../options/run-options.js";
import { runStep } from "./step.js";
import { plan, planner as newPlanner } from "./begin.js";
import type { RunWaits, Task, TaskOutcome } from "./task.js";
import type { Snapshot, Write } from "../records/write.js";
import { orphanedParent } from "./parent.js";
import { sendLabel, taskRef, type TaskFailure } from "../records/task-ref.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { FrontierTask, PlannerState } from "../records/frontier.js";
import type { RunOptions, RunResult } from "../records/run.js";
import type { Executor } from "../records/attempt.js";
import { sharedLimiter } from "../controls/concurrency-limit.js";
import type { Gate } from "../controls/gate.js";
import { Limiter } from "../controls/limiter.js";
import type { OuterBudget, SavedBudget, Spent } from "../records/budget.js";
import type { CancelSource } from "../records/cancel.js";
import { BudgetLedger } from "./budget-ledger.js";
import { rateGate } from "../controls/rate-limit.js";
import type { Slots } from "./admission.js";

/** Everything a run needs that does not change between runs. */
export interface Program {
  readonly ir: GraphIR;
  readonly table: StateTable;
  readonly routing: RoutingTable;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly executor: Executor | undefined;
}

const DEFAULT_MAX_STEPS = 25;
const DEFAULT_IN_PROCESS_SLEEP_MS = 60_000;

/** What is known of a step's tasks before it runs, for every step after a run's first: nothing. */
const NOTHING_KNOWN: ReadonlyMap<string, TaskOutcome> = new Map();

/** Where a run starts: the state, the first step's tasks and what is known of them. */
export interface Start {
  readonly state: Snapshot;
  readonly tasks: Task[];
  readonly planner: Planner;
  readonly known: ReadonlyMap<string, TaskOutcome>;
  /** The checkpoint the first step starts from; undefined without a thread. */
  readonly checkpointId: string | undefined;
  /** True when resuming past an `interruptBefore` breakpoint. */
  readonly skipBreakpoint: boolean;
  /** What the run spent before, when it goes on from a checkpoint. */
  readonly budget?: SavedBudget | undefined;
  /** What tasks of the first step spent in an earlier attempt at it (their saved results). */
  readonly carried?: readonly { readonly task: Task; readonly spent: Spent }[];
}

/** A committed step, as the run saves it. */
export interface StepEntry {
  readonly step: number;
  readonly writes: readonly Write[];
  readonly state: Snapshot;
  readonly next: readonly FrontierTask[];
  readonly planner: PlannerState;
  /** What the run spent so far, and its limit; undefined when it has neither. */
  readonly budget: SavedBudget | undefined;
}

/** Where a durable run keeps its progress: the thread it runs on. */
export interface StepStore {
  /** Saves a settled task's result, with what it spent, under the checkpoint its step starts from. */
  saveTaskResult(outcome: TaskOutcome, checkpointId: string, spent: Spent | undefined): Promise<void>;
  /** Where the tasks of the step after `checkpointId` keep their `ctx.step` results. */
  stepScope(checkpointId: string): StepScope;
  /** Saves a committed step and returns its checkpoint id. */
  saveStep(entry: StepEntry): Promise<string>;
  /** True when another run asked this one to stop at its next step boundary. */
  readonly stopRequested: boolean;
  /** The store's clock, in epoch milliseconds: what wake-up times are counted by. */
  now(): Promise<number>;
  /** The run is returning, paused on `interrupts` (none when it finished): records when the thread wakes by itself. */
  pausedOn(interrupts: readonly PendingInterrupt[]): Promise<void>;
}

/** What a run starts from, and what it opens and closes around its steps (a thread's lease). */
export interface RunSession {
  /** Prepares the start under the run's control (its timeout and signal bound the waiting). */
  open(run: RunControl): Promise<{ readonly start: Start; readonly store: StepStore | undefined }>;
  /** Called once when the run ends, however it ends, after `open` was called. */
  close(run: RunControl): Promise<void>;
}

/** One run: the program, its input and options, where it reports to and what it runs on. */
export interface RunRequest {
  readonly input: unknown;
  readonly options: RunOptions;
  readonly emit: ((event: RunEvent) => void) | undefined;
  /** Makes the session once the options are checked; default: a fresh run of the input, without a thread. */
  readonly session: (() => RunSession) | undefined;
  /** True for the inner run of a subgraph node, which may end with a Command to its parent. */
  readonly nested?: boolean;
  /** For the inner run of a subgraph node: the outer task's cancellation, which cancels it too. */
  readonly outer?: CancelSource | undefined;
  /** For the inner run of a subgraph node: the budgets over the outer task, which its usage also counts against. */
  readonly outerBudget?: OuterBudget | undefined;
  /** For a run without a thread: the state its input makes, when the caller has made it already. */
  readonly initial?: Snapshot | undefined;
}

/**
 * Runs a graph: supersteps of plan → run every ready task concurrently → commit their writes
 * in task order → route. Saves each step when the run has a thread. Reports progress through
 * `emit` when given.
 */
export async function runGraph(program: Program, request: RunRequest): Promise<RunResult> {
  const { input, options, emit } = request;
  // An inner run's options are its graph's defaults, checked by `compile()`, and the engine's own.
  if (request.nested !== true) checkRunOptions(options);
  const { ir, table, routing } = program;
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const session = request.session === undefined ? freshSession(program, input, request.initial) : request.session();
  const run = new RunControl(options, request.outer);
  try {
    emit?.({ type: "run:start", input, at: at() });
    const { start, store } = await session.open(run);
    let { state, tasks, checkpointId, skipBreakpoint } = start;
    let known: ReadonlyMap<string, TaskOutcome> = start.known;
    const planner = start.planner;
    const budget = new BudgetLedger(options.budget, start.budget, request.outerBudget);
    for (const { task, spent } of start.carried ?? []) budget.carry(task, spent);
    const slots = gatesOf(ir, options.maxConcurrency);
    /** The tasks of the last three steps, to name the loop when maxSteps is reached. */
    const recent: (readonly Task[])[] = [];
    const runSteps = store === undefined ? runStepScope() : undefined;
    const failures: TaskFailure[] = [];
    const finish = async (status: RunResult["status"], interrupts: readonly PendingInterrupt[], steps: number): Promise<RunResult> => {
      await store?.pausedOn(interrupts);
      const spent = budget.runStatus();
      const shown = graphOutput(ir.output, state);
      const result: RunResult =
        spent === undefined
          ? { status, state: shown, steps, failures, interrupts, checkpointId }
          : { status, state: shown, steps, failures, interrupts, checkpointId, budget: spent };
      emit?.({ type: "run:end", ...result, durationMs: at(), at: at() });
      return result;
    };
    let steps = 0;
    while (tasks.length > 0) {
      if (store?.stopRequested === true) return await finish("interrupted", [], steps);
      const step = tasks[0]!.step;
      if (!skipBreakpoint && hasBreakpoint(tasks, program.interruptBefore)) {
        const interrupts = breakpoints(tasks, program.interruptBefore, "before", checkpointId);
        for (const interrupt of interrupts) emit?.({ type: "interrupt", interrupt, ...taskRef(interrupt), at: at() });
        return await finish("interrupted", interrupts, steps);
      }
      skipBreakpoint = false;
      if (steps >= maxSteps) throw stepLimit(maxSteps, recent, tasks);
      steps++;
      run.throwIfAborted();
      emit?.({ type: "step:start", step, tasks: tasks.map(taskRef), at: at() });
      const scope = checkpointId;
      const outcomes = await runStep(tasks, {
        step,
        snapshot: state,
        table,
        routing,
        nodeGates: slots.nodeGates,
        runGates: slots.runGates,
        metered: slots.metered,
        emit,
        at,
        settleTimeoutMs: options.settleTimeoutMs ?? 1000,
        cancellation: run,
        interruptScope: scope,
        executor: options.executor ?? program.executor,
        graph: ir.name,
        waits: store === undefined || scope === undefined ? undefined : runWaits({ store, scope, budget }, options),
        budget,
        inner: options,
        known,
        steps: store === undefined || scope === undefined ? (runSteps ?? runStepScope()) : store.stepScope(scope),
        onSettled:
          store === undefined || scope === undefined
            ? undefined
            : (outcome) => store.saveTaskResult(outcome, scope, budget.spentBy(outcome.task.taskId)),
      });
      run.throwIfAborted();
      const { failures: stepFailures, interrupts, writes, view } = sortOutcomes(outcomes);
      if (stepFailures.some(isFatal)) {
        throw taskFailed({ step, state, outcomes, failures: stepFailures });
      }
      if (interrupts.length > 0) return await finish(waitsOnly(interrupts) ? "waiting" : "interrupted", interrupts, steps);
      // A lone writer's routers already saw the committed state: reuse it rather than commit twice.
      state = writes.length === 1 && view !== undefined ? view : table.commit(state, writes, step);
      failures.push(...stepFailures);
      budget.stepCommitted();
      emit?.({ type: "step:end", step, state, failures: stepFailures, at: at() });
      recent.push(tasks);
      if (recent.length > 3) recent.shift();
      const ran = tasks;
      tasks = planner.next(state, step + 1, outcomes);
      // Only a run's first step can have outcomes known before it runs.
      known = NOTHING_KNOWN;
      if (store !== undefined) {
        const saved = planner.save();
        const pending = [...tasks.map((task) => task.budget), ...saved.deferredSends.map((send) => send.budget)];
        checkpointId = await store.saveStep({
          step,
          writes,
          state,
          next: tasks.map(toFrontier),
          planner: saved,
          budget: budget.save(pending),
        });
      }
      if (tasks.length > 0 && hasBreakpoint(ran, program.interruptAfter)) {
        const interrupts = breakpoints(ran, program.interruptAfter, "after", checkpointId);
        for (const interrupt of interrupts) emit?.({ type: "interrupt", interrupt, ...taskRef(interrupt), at: at() });
        return await finish("interrupted", interrupts, steps);
      }
    }
    return await finish("done", [], steps);
  } catch (error) {
    const graphError = request.nested === true ? run.explain(error) : orphanedParent(run.explain(error), ir.name);
    emit?.({ type: "run:error", error: graphError, at: at() });
    throw graphError;
  } finally {
    try {
      await session.close(run);
    } finally {
      run.dispose();
    }
  }
}

/** True when every pending interrupt is a sleep: nothing to answer, the thread wakes by itself. */
function waitsOnly(interrupts: readonly PendingInterrupt[]): boolean {
  return interrupts.every((interrupt) => interrupt.kind === "sleep");
}

/** What a durable step's tasks use to make their sleeps durable. */
function runWaits(at: { store: StepStore; scope: string; budget: BudgetLedger }, options: RunOptions): RunWaits {
  const { store, scope, budget } = at;
  return {
    inProcessMs: options.inProcessSleepMs ?? DEFAULT_IN_PROCESS_SLEEP_MS,
    now: () => store.now(),
    save: (outcome) => store.saveTaskResult(outcome, scope, budget.spentBy(outcome.task.taskId)),
  };
}

/** A run without a thread: it starts from its input and saves nothing. */
function freshSession(program: Program, input: unknown, initial: Snapshot | undefined): RunSession {
  return {
    open: async () => ({ start: await freshStart(program, input, initial), store: undefined }),
    close: async () => {},
  };
}

/**
 * A run without a thread starts from its input, or from a `Command`'s `update` at its `goto`
 * targets (START's edges when it has none). Nothing can be resumed without a thread.
 */
async function freshStart(program: Program, input: unknown, initial: Snapshot | undefined): Promise<Start> {
  const command = isCommand(input) ? input : undefined;
  if (
    input === null ||
    input === undefined ||
    command?.resume !== undefined ||
    (command !== undefined && command.update === undefined && command.goto.length === 0)
  ) {
    throw graphError("INVALID_INPUT", "resumeWithoutThread", {});
  }
  const state = command === undefined ? (initial ?? program.table.initial(input)) : program.table.initial(command.update ?? {});
  const fresh = newPlanner(program, undefined);
  const after =
    command !== undefined && command.goto.length > 0 ? { from: "goto" as const, goto: command.goto } : { from: "start" as const };
  const tasks = await plan(program, { state, step: 0, planner: fresh, after });
  return { state, tasks, planner: fresh, known: NOTHING_KNOWN, checkpointId: undefined, skipBreakpoint: false };
}

/** Whether a task of the step runs a node with a breakpoint (none to look for in most graphs). */
function hasBreakpoint(tasks: readonly Task[], nodes: ReadonlySet<string>): boolean {
  return nodes.size > 0 && tasks.some((task) => nodes.has(task.node));
}

function breakpoints(
  tasks: readonly Task[],
  nodes: ReadonlySet<string>,
  kind: "before" | "after",
  checkpointId: string | undefined,
): PendingInterrupt[] {
  return tasks
    .filter((task) => nodes.has(task.node))
    .map((task) => ({
      ...taskRef(task),
      id: `${checkpointId ?? "run"}:${kind}:${task.taskId}`,
      value: `${kind} "${task.node}"${sendLabel(task)}`,
      kind,
    }));
}

/** What a step's outcomes hold, in task order. */
interface SortedOutcomes {
  /** Failures, also those an `onError` handler recovered from. */
  readonly failures: readonly TaskFailure[];
  readonly interrupts: readonly PendingInterrupt[];
  readonly writes: Write[];
  /** The last writer's view of the state with its write applied, if its routers made one. */
  readonly view: Snapshot | undefined;
}

function sortOutcomes(outcomes: readonly TaskOutcome[]): SortedOutcomes {
  // Lists are made by their first item: most steps have no failure and no interrupt.
  let failures: TaskFailure[] | undefined;
  let interrupts: PendingInterrupt[] | undefined;
  // Made at the most it can hold and cut to what it got: grown by push from empty, a fan-out's
  // list would be copied a dozen times on its way to a thousand writes.
  const writes: Write[] = new Array(outcomes.length);
  let count = 0;
  let view: Snapshot | undefined;
  // An indexed loop: this runs once per step over every task, often before V8 optimizes it.
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome.status === "failed") (failures ??= []).push(outcome.failure);
    else if (outcome.status === "interrupted") (interrupts ??= []).push(outcome.interrupt);
    else if (outcome.status === "done") {
      if (outcome.recovered !== undefined) (failures ??= []).push(outcome.recovered);
      if (outcome.write === undefined) continue;
      writes[count++] = outcome.write;
      view = outcome.view;
    }
  }
  writes.length = count;
  return { failures: failures ?? NONE, interrupts: interrupts ?? NONE, writes, view };
}

/** The empty list of a step's failures or interrupts, shared by the steps that have none. */
const NONE: readonly never[] = [];

function isFatal(failure: TaskFailure): boolean {
  return failure.policy === "fail";
}

/** A step that failed: its number, the state it started from, its outcomes and its failures. */
interface FailedStep {
  readonly step: number;
  readonly state: Snapshot;
  readonly outcomes: readonly TaskOutcome[];
  readonly failures: readonly TaskFailure[];
}

/** The error of a step with fatal failures; `details.failures` lists every failure of the step, fatal first. */
function taskFailed({ step, state, outcomes, failures }: FailedStep): GraphError {
  const fatal = failures.filter((failure) => failure.policy === "fail");
  const finished = outcomes.flatMap((outcome) =>
    outcome.status === "done" ? [{ ...taskRef(outcome.task), update: exposeWrite(outcome.write) }] : [],
  );
  const all = [...fatal, ...failures.filter((failure) => failure.policy !== "fail")];
  return graphError("TASK_FAILED", "step", { step, failures: all, finished, state }, fatal[0]!.error);
}

function stepLimit(maxSteps: number, recent: readonly (readonly Task[])[], pending: readonly Task[]): GraphError {
  const loop = [...new Set(recent.flat().map((task) => task.node))];
  const next = [...new Set(pending.map((task) => task.node))];
  return graphError("STEP_LIMIT", "stepLimit", { maxSteps, loop, next });
}

/**
 * The gates each node's tasks pass before they run, in order: the node's concurrency slot,
 * the run's `maxConcurrency` slot, then the node's rate limits — a task takes its turn at a
 * rate limit only once it could run at once, so the turn is spent on a request that goes.
 */
function gatesOf(ir: GraphIR, maxConcurrency: number | undefined): Slots & { readonly metered: boolean } {
  const runLimiter = maxConcurrency === undefined ? undefined : new Limiter(maxConcurrency);
  const runGates: readonly Gate[] = runLimiter === undefined ? [] : [runLimiter];
  const nodeGates = new Map<string, readonly Gate[]>();
  let metered = false;
  for (const node of ir.nodes.values()) {
    const cap = node.concurrency;
    if (cap === undefined && node.rateLimit.length === 0) continue;
    const gates: Gate[] = [];
    if (cap !== undefined) gates.push(typeof cap === "number" ? new Limiter(cap) : sharedLimiter(cap));
    gates.push(...runGates);
    for (const limit of node.rateLimit) {
      gates.push(rateGate(limit));
      metered = true;
    }
    nodeGates.set(node.name, gates);
  }
  return { nodeGates, runGates, metered };
}
