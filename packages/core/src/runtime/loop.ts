import { headOf, type LoadedCheckpoint, type ThreadHead, type ThreadStore } from "../checkpoint/thread.js";
import { graphError, type GraphError } from "../errors.js";
import { isCommand } from "../graph/command.js";
import { START } from "../graph/constants.js";
import type { GraphIR } from "../graph/ir.js";
import { exposeWrite, type StateTable } from "../state/table.js";
import type { RunEvent } from "../stream/events.js";
import { Planner, toFrontier } from "./planner.js";
import type { RoutingTable } from "./route.js";
import { RunControl } from "./run-control.js";
import { checkRunOptions } from "../options/run-options.js";
import { NO_GOTO } from "./result.js";
import { runStep } from "./step.js";
import type { Task, TaskOutcome } from "./task.js";
import type { Snapshot, Write } from "../records/write.js";
import { sendLabel, taskRef, type TaskFailure } from "../records/task-ref.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { RunOptions, RunResult } from "../records/run.js";
import type { Executor } from "../records/attempt.js";
import { sharedLimiter } from "../controls/concurrency-limit.js";
import { Limiter } from "../controls/limiter.js";

/** Everything a run needs that does not change between runs. */
export interface Program {
  readonly ir: GraphIR;
  readonly table: StateTable;
  readonly routing: RoutingTable;
  readonly threads: ThreadStore | undefined;
  readonly interruptBefore: ReadonlySet<string>;
  readonly interruptAfter: ReadonlySet<string>;
  readonly executor: Executor | undefined;
}

const DEFAULT_MAX_STEPS = 25;

/** Where a run starts: the state, the first step's tasks and what is known of them. */
interface Start {
  state: Snapshot;
  tasks: Task[];
  planner: Planner;
  known: Map<string, TaskOutcome>;
  checkpoint: LoadedCheckpoint | undefined;
  /** The thread's latest checkpoint, which the next save writes on top of. */
  head: ThreadHead | null;
  /** True when resuming past an `interruptBefore` breakpoint. */
  skipBreakpoint: boolean;
}

/**
 * Runs a graph: supersteps of plan → run every ready task concurrently → commit their writes
 * in task order → route. Saves each step when the run has a thread. Reports progress through
 * `emit` when given.
 */
export async function runGraph(
  program: Program,
  input: unknown,
  options: RunOptions,
  emit: ((event: RunEvent) => void) | undefined,
): Promise<RunResult> {
  checkRunOptions(options);
  const { ir, table, routing } = program;
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const threadId = options.threadId;
  const threads = threadId === undefined ? undefined : requireThreads(program, ir);
  const run = new RunControl(options);
  try {
    emit?.({ type: "run:start", input, at: at() });
    const start =
      threads === undefined || threadId === undefined
        ? await freshStart(program, input)
        : await threadStart(program, threads, { threadId, input, checkpointId: options.checkpointId });
    let { state, tasks, known, checkpoint, head, skipBreakpoint } = start;
    const planner = start.planner;
    const nodeLimiters = new Map<string, Limiter>();
    for (const node of ir.nodes.values()) {
      const cap = node.concurrency;
      if (cap !== undefined) nodeLimiters.set(node.name, typeof cap === "number" ? new Limiter(cap) : sharedLimiter(cap));
    }
    const runLimiter = options.maxConcurrency === undefined ? undefined : new Limiter(options.maxConcurrency);
    /** The tasks of the last three steps, to name the loop when maxSteps is reached. */
    const recent: (readonly Task[])[] = [];
    const failures: TaskFailure[] = [];
    const finish = (status: RunResult["status"], interrupts: PendingInterrupt[], steps: number): RunResult => {
      const result = { status, state, steps, failures, interrupts, checkpointId: checkpoint?.row.checkpointId };
      emit?.({ type: "run:end", ...result, durationMs: at(), at: at() });
      return result;
    };
    let steps = 0;
    while (tasks.length > 0) {
      const step = tasks[0]!.step;
      if (!skipBreakpoint && hasBreakpoint(tasks, program.interruptBefore)) {
        const interrupts = breakpoints(tasks, program.interruptBefore, "before", checkpoint);
        for (const interrupt of interrupts) emit?.({ type: "interrupt", interrupt, ...taskRef(interrupt), at: at() });
        return finish("interrupted", interrupts, steps);
      }
      skipBreakpoint = false;
      if (steps >= maxSteps) throw stepLimit(maxSteps, recent, tasks);
      steps++;
      run.throwIfAborted();
      emit?.({ type: "step:start", step, tasks: tasks.map(taskRef), at: at() });
      const scope = checkpoint?.row.checkpointId;
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
        cancellation: run,
        interruptScope: scope,
        executor: options.executor ?? program.executor,
        graph: ir.name,
        known,
        onSettled:
          threads === undefined || scope === undefined
            ? undefined
            : (outcome) => threads.saveTaskResult(threadId!, scope, outcome),
      });
      run.throwIfAborted();
      const { failures: stepFailures, interrupts, writes, view } = sortOutcomes(outcomes);
      if (stepFailures.some((failure) => failure.policy === "fail")) {
        throw taskFailed({ step, state, outcomes, failures: stepFailures });
      }
      if (interrupts.length > 0) return finish("interrupted", interrupts, steps);
      // A lone writer's routers already saw the committed state: reuse it rather than commit twice.
      state = writes.length === 1 && view !== undefined ? view : table.commit(state, writes, step);
      failures.push(...stepFailures);
      emit?.({ type: "step:end", step, state, failures: stepFailures, at: at() });
      recent.push(tasks);
      if (recent.length > 3) recent.shift();
      const ran = tasks;
      tasks = planner.next(state, step + 1, outcomes);
      known = new Map();
      if (threads !== undefined && threadId !== undefined) {
        checkpoint = await threads.save(threadId, checkpoint ?? { row: undefined, body: undefined }, {
          source: "step",
          step,
          writes,
          state,
          next: tasks.map(toFrontier),
          planner: planner.save(),
          head,
        });
        head = headOf(checkpoint);
      }
      if (tasks.length > 0 && hasBreakpoint(ran, program.interruptAfter)) {
        const interrupts = breakpoints(ran, program.interruptAfter, "after", checkpoint);
        for (const interrupt of interrupts) emit?.({ type: "interrupt", interrupt, ...taskRef(interrupt), at: at() });
        return finish("interrupted", interrupts, steps);
      }
    }
    return finish("done", [], steps);
  } catch (error) {
    const graphError = run.explain(error);
    emit?.({ type: "run:error", error: graphError, at: at() });
    throw graphError;
  } finally {
    run.dispose();
  }
}

async function freshStart(program: Program, input: unknown): Promise<Start> {
  const { ir, table, routing } = program;
  if (input === null || input === undefined || isCommand(input)) {
    throw graphError("INVALID_INPUT", "resumeWithoutThread", {});
  }
  const state = table.initial(input);
  const planner = new Planner(ir, routing);
  const routes = await routing.route(START, NO_GOTO, state);
  const tasks = planner.next(state, 1, [{ status: "start", ...routes }]);
  return { state, tasks, planner, known: new Map(), checkpoint: undefined, head: null, skipBreakpoint: false };
}

/** Starts a run on a thread: resumes where it stopped, or begins a new run on its state. */
async function threadStart(
  program: Program,
  threads: ThreadStore,
  { threadId, input, checkpointId }: { readonly threadId: string; readonly input: unknown; readonly checkpointId: string | undefined },
): Promise<Start> {
  const { ir, table, routing } = program;
  const saved = await threads.load(threadId, checkpointId);
  const resuming = input === null || input === undefined || isCommand(input);
  if (saved === undefined) {
    if (resuming) {
      throw graphError("UNKNOWN_THREAD", "nothingToResume", { threadId });
    }
    const start = await freshStart(program, input);
    const checkpoint = await threads.save(threadId, { row: undefined, body: undefined }, {
      source: "input",
      step: 0,
      writes: [],
      state: start.state,
      next: start.tasks.map(toFrontier),
      planner: start.planner.save(),
      head: null,
    });
    return { ...start, checkpoint, head: headOf(checkpoint) };
  }
  const planner = new Planner(ir, routing, saved.body.planner);
  // A run from an earlier checkpoint (a fork) writes on top of the thread's current head.
  const head = checkpointId === undefined ? headOf(saved) : await threads.head(threadId);
  if (!resuming) {
    // A new run on the thread's state: the input is an update, then the graph starts over.
    const write = table.parseUpdate(input, "__input__");
    const state = table.commit(saved.state, [write], saved.body.step);
    const routes = await routing.route(START, NO_GOTO, state);
    const tasks = planner.next(state, saved.body.step + 1, [{ status: "start", ...routes }]);
    const checkpoint = await threads.save(threadId, saved, {
      source: "input",
      step: saved.body.step,
      writes: [write],
      state,
      next: tasks.map(toFrontier),
      planner: planner.save(),
      head,
    });
    return { state, tasks, planner, known: new Map(), checkpoint, head: headOf(checkpoint), skipBreakpoint: false };
  }
  const tasks = planner.tasks(saved.body.next, saved.state, saved.body.step + 1);
  const results = await threads.taskResults(threadId, saved.row.checkpointId);
  const known = new Map<string, TaskOutcome>();
  const pending: TaskOutcome[] = [];
  for (const task of tasks) {
    const result = results.get(task.taskId);
    if (result === undefined || result.status === "failed") continue;
    const outcome = threads.restore(task, result, routing);
    known.set(task.taskId, outcome);
    if (outcome.status === "interrupted") pending.push(outcome);
  }
  const answers = resumeAnswers(isCommand(input) ? input.resume : undefined, pending, threadId);
  const resumed = tasks.map((task) => {
    const outcome = known.get(task.taskId);
    if (outcome?.status !== "interrupted" || !answers.has(outcome.interrupt.id)) return task;
    known.delete(task.taskId);
    return { ...task, resumes: [...outcome.resumes, answers.get(outcome.interrupt.id)] };
  });
  return { state: saved.state, tasks: resumed, planner, known, checkpoint: saved, head, skipBreakpoint: true };
}

/** The shape of an interrupt id: `<checkpoint id>:<step>:<position>:<call index>`. */
const INTERRUPT_ID = /^\d{6,}-[0-9a-f]{12}:\d+:\d+:\d+$/;

/**
 * Reads `Command({ resume })`: an object whose keys are all interrupt ids maps ids to answers;
 * anything else is the one answer to the one pending interrupt.
 */
function resumeAnswers(resume: unknown, pending: readonly TaskOutcome[], threadId: string): Map<string, unknown> {
  const ids = pending.flatMap((outcome) => (outcome.status === "interrupted" ? [outcome.interrupt.id] : []));
  if (resume === undefined) return new Map();
  if (typeof resume === "object" && resume !== null && !Array.isArray(resume)) {
    const keys = Object.keys(resume);
    if (keys.length > 0 && keys.every((key) => INTERRUPT_ID.test(key))) {
      for (const key of keys) {
        if (!ids.includes(key)) {
          throw graphError("INVALID_RESUME", "notPending", { threadId, id: key, pending: ids });
        }
      }
      return new Map(Object.entries(resume));
    }
  }
  if (ids.length !== 1) {
    throw graphError("INVALID_RESUME", "ambiguous", { threadId, pending: ids });
  }
  return new Map([[ids[0]!, resume]]);
}

/** Whether a task of the step runs a node with a breakpoint (none to look for in most graphs). */
function hasBreakpoint(tasks: readonly Task[], nodes: ReadonlySet<string>): boolean {
  return nodes.size > 0 && tasks.some((task) => nodes.has(task.node));
}

function breakpoints(
  tasks: readonly Task[],
  nodes: ReadonlySet<string>,
  kind: "before" | "after",
  checkpoint: LoadedCheckpoint | undefined,
): PendingInterrupt[] {
  return tasks
    .filter((task) => nodes.has(task.node))
    .map((task) => ({
      ...taskRef(task),
      id: `${checkpoint?.row.checkpointId ?? "run"}:${kind}:${task.taskId}`,
      value: `${kind} "${task.node}"${sendLabel(task)}`,
      kind,
    }));
}

function requireThreads(program: Program, ir: GraphIR): ThreadStore {
  if (program.threads === undefined) {
    throw graphError("INVALID_OPTION", "noCheckpointer", { scope: "run", option: "threadId", graph: ir.name });
  }
  return program.threads;
}

/** What a step's outcomes hold, in task order. */
interface SortedOutcomes {
  /** Failures, also those an `onError` handler recovered from. */
  readonly failures: TaskFailure[];
  readonly interrupts: PendingInterrupt[];
  readonly writes: Write[];
  /** The last writer's view of the state with its write applied, if its routers made one. */
  readonly view: Snapshot | undefined;
}

function sortOutcomes(outcomes: readonly TaskOutcome[]): SortedOutcomes {
  const failures: TaskFailure[] = [];
  const interrupts: PendingInterrupt[] = [];
  const writes: Write[] = [];
  let view: Snapshot | undefined;
  // An indexed loop: this runs once per step over every task, often before V8 optimizes it.
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome.status === "failed") failures.push(outcome.failure);
    else if (outcome.status === "interrupted") interrupts.push(outcome.interrupt);
    else if (outcome.status === "done") {
      if (outcome.recovered !== undefined) failures.push(outcome.recovered);
      if (outcome.write === undefined) continue;
      writes.push(outcome.write);
      view = outcome.view;
    }
  }
  return { failures, interrupts, writes, view };
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
