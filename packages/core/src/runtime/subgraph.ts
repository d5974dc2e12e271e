import { graphError, isGraphError } from "../errors.js";
import { Command, isCommand, isParentCommand } from "../graph/command.js";
import type { SubgraphRunner, SubgraphSpec, SubgraphStart, SubgraphThread } from "../graph/ir.js";
import type { AttemptRequest, AttemptResult } from "../records/attempt.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { RunResult } from "../records/run.js";
import type { OuterBudget, Spender, Spent } from "../records/budget.js";
import type { CancelSource } from "../records/cancel.js";
import { taskRef, type TaskRef } from "../records/task-ref.js";
import type { Snapshot } from "../records/write.js";
import type { RunEvent } from "../stream/events.js";
import { isParentSignal } from "./parent.js";
import { NO_GOTO } from "./result.js";
import type { BudgetLedger } from "./budget-ledger.js";
import type { StepEnv, Task } from "./task.js";
import { nodeUtil } from "../lazy/builtins.js";

/**
 * One attempt of a task whose node is a compiled graph: the inner run, started, resumed or read
 * back from its thread. With a checkpointer, the inner run keeps its own thread, named after the
 * outer thread and the task's identity (the source of `ctx.idempotencyKey`), so that every run of
 * the same task — a retry, a resume, a recovery after a crash — goes on from where that thread
 * stands: inner tasks that finished are not run again.
 *
 * An inner run that pauses pauses the task, on the inner run's first interrupt (an answerable one
 * before a sleep), with the path to it; the task's next answer goes to that interrupt.
 */
export async function runSubgraphAttempt(
  task: Task,
  request: AttemptRequest,
  at: { readonly outer: CancelSource; readonly env: StepEnv },
): Promise<AttemptResult> {
  const { env, outer } = at;
  const sub = task.spec.subgraph!;
  // The compiled graph that holds the node binds every subgraph node to its runner.
  const runner = sub.runner!;
  const input = innerInput(sub, task);
  const threadId = env.steps.threadId === undefined || !runner.durable ? undefined : innerThreadOf(env.steps.threadId, task, request);
  const emit = env.emit === undefined ? undefined : forward(env, { task, ledger: env.budget });
  const inner = env.inner;
  const thread =
    inner === undefined
      ? undefined
      : { leaseTtlMs: inner.leaseTtlMs, storeTimeoutMs: inner.storeTimeoutMs, inProcessSleepMs: inner.inProcessSleepMs };
  const options = { outer, threadId, emit, thread, budget: outerBudget(env.budget, task) };
  let result: RunResult | SubgraphThread;
  let start: SubgraphStart | undefined;
  try {
    if (threadId === undefined) {
      start = runner.start(input);
      result = await runner.run(start.input, { ...options, start });
    } else {
      result = await goOn(runner, { input, threadId, request, options, task, ledger: env.budget });
    }
  } catch (error) {
    const parent = parentCommandOf(error);
    if (parent === undefined) throw error;
    return { kind: "returned", result: { update: parent.update, overwrite: undefined, goto: parent.goto } };
  }
  if (isPaused(result)) return paused(task, request, { interrupts: result.interrupts, runner });
  return {
    kind: "returned",
    result: {
      update: outerUpdate(sub, { env, start, runner, input, final: "status" in result ? result.state : result.values }),
      overwrite: undefined,
      goto: NO_GOTO,
    },
  };
}

/** How a task is named in a path: its node, with `#` and its Send index when a Send started it. */
export function segment(task: Pick<TaskRef, "node" | "sendIndex">): string {
  return task.sendIndex === undefined ? task.node : `${task.node}#${task.sendIndex}`;
}

/**
 * The inner thread of a task: under the outer thread's id, named by the task's place and made
 * unique by its idempotency key, which is the same for every run of the task.
 */
function innerThreadOf(outer: string, task: Task, request: AttemptRequest): string {
  return innerThreadId(outer, task, request.idempotencyKey!);
}

/** The thread of a subgraph task's inner run: `<outer thread>/<segment>/<the task's idempotency key>`. */
export function innerThreadId(outer: string, task: Pick<TaskRef, "node" | "sendIndex">, key: string): string {
  return `${outer}/${segment(task)}/${key}`;
}

/**
 * Starts the inner thread, or goes on from where it stands. What the inner run spent in its
 * earlier runs (before an interrupt, a failed attempt or a crash) and the outer task does not
 * hold yet is counted first, so that a budget over the task sees it.
 */
async function goOn(
  runner: SubgraphRunner,
  at: {
    input: unknown;
    threadId: string;
    request: AttemptRequest;
    options: Parameters<SubgraphRunner["run"]>[1];
    task: Task;
    ledger: BudgetLedger;
  },
): Promise<RunResult | SubgraphThread> {
  const { threadId, request, options } = at;
  const saved = await runner.peek(threadId);
  if (saved === undefined) return runner.run(at.input, options);
  if (saved.spent !== undefined) at.ledger.catchUp(at.task, saved.spent);
  // Finished before the outer step could save the task's result: its state is the result.
  if (saved.next === 0) return saved;
  const waiting = firstInterrupt(saved.interrupts);
  // Running again without a new answer (the outer step was not saved): the same question again.
  if (waiting !== undefined && request.resumes.length === 0) return saved;
  if (waiting === undefined || waiting.kind === "sleep" || (waiting.wakeAt !== undefined && waiting.wakeAt <= (await runner.now()))) {
    // A crashed or failed inner run, a breakpoint, or a wait that is due: the inner thread resumes by itself.
    return runner.run(null, options);
  }
  const answer = request.resumes[request.resumes.length - 1];
  return runner.run(new Command({ resume: { [waiting.id]: answer } }), options);
}

function isPaused(
  result: RunResult | SubgraphThread,
): result is (RunResult | SubgraphThread) & { interrupts: readonly PendingInterrupt[] } {
  return "status" in result ? result.status !== "done" : result.interrupts.length > 0;
}

/** The interrupt a paused inner run is answered on first: an answerable one before a sleep. */
function firstInterrupt(interrupts: readonly PendingInterrupt[]): PendingInterrupt | undefined {
  return interrupts.find((interrupt) => interrupt.kind !== "sleep") ?? interrupts[0];
}

/** The task pauses on the inner run's interrupt: the next call index of the task, the inner path under the task. */
async function paused(
  task: Task,
  request: AttemptRequest,
  at: { interrupts: readonly PendingInterrupt[]; runner: SubgraphRunner },
): Promise<AttemptResult> {
  const inner = firstInterrupt(at.interrupts);
  if (inner === undefined) throw graphError("INVALID_GRAPH", "subgraphStopped", { node: task.node });
  const index = request.resumes.length;
  const path = [segment(task), ...(inner.path ?? [segment(inner)])];
  const base = { kind: "interrupted" as const, id: `${request.interruptScope}:${task.taskId}:${index}`, value: inner.value, path };
  const resumes = request.resumes;
  if (inner.wakeAt === undefined) return inner.kind === "sleep" ? { ...base, sleep: true, resumes } : { ...base, resumes };
  const ms = Math.max(0, inner.wakeAt - (await at.runner.now()));
  const wait = { ms, default: inner.kind === "sleep" ? null : inner.default };
  return { ...base, sleep: inner.kind === "sleep", wait, resumes };
}

/** The inner run's input: the `input` mapping's result; else a Send's payload, or the shared keys of the state. */
function innerInput(sub: SubgraphSpec, task: Task): unknown {
  if (sub.input !== undefined) return sub.input(task.input);
  if (task.sendIndex !== undefined) return task.input;
  const state = task.input as Snapshot;
  const input: Record<string, unknown> = {};
  for (const key of inputKeys(sub)) {
    if (Object.hasOwn(state, key) && state[key] !== undefined) input[key] = state[key];
  }
  return input;
}

/** The keys the inner graph reads: its input schema's, else its state's. */
function inputKeys(sub: SubgraphSpec): string[] {
  return Object.keys((sub.graph.input ?? sub.graph.state).shape);
}

/**
 * The outer update of a finished inner run: the `output` mapping's result; else the shared keys
 * of the inner output that the inner run changed. An append list of the outer state receives
 * only the items the inner run added to what it was given.
 */
function outerUpdate(
  sub: SubgraphSpec,
  at: { env: StepEnv; start: SubgraphStart | undefined; runner: SubgraphRunner; input: unknown; final: Record<string, unknown> },
): unknown {
  const { env, final } = at;
  if (sub.output !== undefined) return sub.output(final);
  // A run without a thread made its start already; a durable one may have started in an earlier run.
  const start = (at.start ?? at.runner.start(at.input)).state;
  const update: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(final)) {
    const channel = env.table.channels.get(key);
    if (channel === undefined || nodeUtil().isDeepStrictEqual(value, start[key])) continue;
    const before = start[key];
    if (channel.reducer?.splitItems !== undefined && Array.isArray(value) && Array.isArray(before) && startsWith(value, before)) {
      update[key] = value.slice(before.length);
    } else {
      update[key] = value;
    }
  }
  return update;
}

function startsWith(list: readonly unknown[], prefix: readonly unknown[]): boolean {
  return prefix.length <= list.length && prefix.every((item, i) => nodeUtil().isDeepStrictEqual(item, list[i]));
}

/**
 * The inner run's events, on the outer stream under the task's path and on the outer run's
 * clock (an inner run counts `at` from its own start); the inner run's own start and end stay
 * inside. A usage event lists the budgets over the outer task first, then the inner run's that
 * limit something, under the task's path.
 */
function forward(env: StepEnv, at: { readonly task: Task; readonly ledger: BudgetLedger }): (event: { readonly type: string }) => void {
  const emit = env.emit!;
  const outer = segment(at.task);
  // Where the inner run's time 0 is on the outer clock: now, until its run:start says exactly.
  let offset = env.at();
  return (event) => {
    const inner = event as RunEvent;
    if (inner.type === "run:start") offset = env.at() - inner.at;
    if (inner.type === "run:start" || inner.type === "run:end" || inner.type === "run:error") return;
    const own = inner.path ?? ("taskId" in inner ? [segment(inner)] : []);
    if (inner.type !== "task:usage") {
      emit({ ...inner, at: inner.at + offset, path: [outer, ...own] });
      return;
    }
    const budgets = [...at.ledger.statusOf(at.task)];
    for (const budget of inner.budgets) {
      if (budget.scope === "run" && budget.path === undefined && Object.keys(budget.limit).length === 0) continue;
      budgets.push({ ...budget, path: [outer, ...(budget.path ?? [])] });
    }
    emit({ ...inner, at: inner.at + offset, budgets, path: [outer, ...own] });
  };
}

/**
 * The budgets over a subgraph task, as its inner run counts against them: the outer run's
 * ledger for this task, and who spent named with their path under it.
 */
function outerBudget(ledger: BudgetLedger, task: Task): OuterBudget {
  const outer = segment(task);
  const under = (by: Spender): Spender => ({ ...taskRef(by), path: [outer, ...(by.path ?? [segment(by)])] });
  return {
    prices: ledger.prices,
    reserve: (by, estimate) => ledger.reserve(task, estimate, under(by)),
    release: (hold) => ledger.release(task, hold as Spent),
    charge: (by, usage) => {
      ledger.charge(task, usage, under(by));
    },
    count: (by, spent) => ledger.count(task, spent, under(by)),
  };
}

/** The `Command({ graph: Command.PARENT })` an inner node returned, when that is what ended the inner run. */
function parentCommandOf(error: unknown): Command | undefined {
  if (!isGraphError(error) || error.code !== "TASK_FAILED") return undefined;
  const failures = (error.details as { failures?: readonly { error: unknown }[] }).failures ?? [];
  for (const failure of failures) {
    const command = (failure.error as { command?: unknown } | null)?.command;
    if (isParentSignal(failure.error) && isCommand(command) && isParentCommand(command)) return command;
  }
  return undefined;
}
