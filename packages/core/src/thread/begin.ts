import type { LoadedCheckpoint, ThreadHead, ThreadStore } from "../checkpoint/thread.js";
import type { TaskRef } from "../records/task-ref.js";
import { graphError } from "../errors.js";
import { type Command, isCommand } from "../graph/command.js";
import { headOf } from "../checkpoint/thread.js";
import type { FrontierTask } from "../records/frontier.js";
import { planner as newPlanner } from "../runtime/begin.js";
import type { Start } from "../runtime/loop.js";
import { type Task, type TaskOutcome, withResumes } from "../runtime/task.js";
import type { RunBudget, Spent } from "../records/budget.js";
import { BudgetLedger } from "../runtime/budget-ledger.js";
import { headFor, writeChange, type ThreadContext } from "./change.js";
import { resumeWith } from "./due-waits.js";
import { toOutcome, toSavedResult } from "./task-results.js";

/** Where a run on a thread starts, with the checkpoint and head it goes on from. */
export interface ThreadStart {
  readonly start: Start;
  readonly checkpoint: LoadedCheckpoint;
  readonly head: ThreadHead;
  /** True when the run continues the thread's paused step rather than starting anew. */
  readonly resumed: boolean;
}

/** What a run on a thread starts from: its input and, for time travel, an earlier checkpoint. */
export interface ThreadInput {
  readonly threadId: string;
  readonly input: unknown;
  readonly checkpointId: string | undefined;
  /** The run's budget, kept with its input checkpoint so a run paused in its first step keeps its limit. */
  readonly budget: RunBudget | undefined;
}

/**
 * Starts a run on a thread. `null`, or a `Command` with `resume` (or with neither `update` nor
 * `goto`), continues the thread's next step: the `Command`'s `update` is written first and its
 * `goto` targets join that step. Other input starts a new run on the thread's state: plain input,
 * or a `Command`'s `update`, is the run's input write, and the first step runs START's edges, or
 * the `Command`'s `goto` targets instead.
 */
export async function beginOnThread(ctx: ThreadContext, { threadId, input, checkpointId, budget }: ThreadInput): Promise<ThreadStart> {
  const { threads } = ctx;
  const command = isCommand(input) ? input : undefined;
  const saved = await threads.load(threadId, checkpointId);
  const resuming = input === null || input === undefined || (command !== undefined && continues(command));
  if (saved === undefined && (resuming || (command !== undefined && command.update === undefined))) {
    throw graphError("UNKNOWN_THREAD", "nothingToResume", { threadId });
  }
  const head = saved === undefined ? null : await headFor(threads, threadId, saved, checkpointId !== undefined);
  if (!resuming) {
    const changed = await writeChange(
      ctx,
      { threadId, saved, head },
      {
        source: "input",
        update: inputWrite(command === undefined ? input : command.update),
        next: command !== undefined && command.goto.length > 0 ? { from: "goto", goto: command.goto } : { from: "start" },
        budget: budget === undefined ? undefined : new BudgetLedger(budget, undefined).save([]),
      },
    );
    const { checkpoint, planner } = changed;
    const tasks = changed.tasks!;
    const start: Start = {
      state: checkpoint.state,
      tasks,
      planner,
      known: new Map(),
      checkpointId: checkpoint.row.checkpointId,
      skipBreakpoint: false,
    };
    return { start, checkpoint, head: headOf(checkpoint), resumed: false };
  }
  return resume(ctx, { threadId, saved: saved!, head: head!, command });
}

/** A run input's write, if it has one. */
function inputWrite(value: unknown): { value: unknown; writer: string } | undefined {
  return value === undefined ? undefined : { value, writer: "__input__" };
}

/** Whether a `Command` continues the paused step rather than starting a new run. */
function continues(command: Command): boolean {
  return command.resume !== undefined || (command.update === undefined && command.goto.length === 0);
}

async function resume(
  ctx: ThreadContext,
  at: { threadId: string; saved: LoadedCheckpoint; head: ThreadHead; command: Command | undefined },
): Promise<ThreadStart> {
  const { program, threads } = ctx;
  const { threadId, command } = at;
  let { saved, head } = at;
  const results = await threads.taskResults(threadId, saved.row.checkpointId);
  let planner: Start["planner"];
  const extra = command === undefined ? [] : gotoFrontier(ctx, saved.body.next, command.goto);
  let steps: CarriedSteps = [];
  if (command !== undefined && (command.update !== undefined || extra.length > 0)) {
    // The update and the targets make a new checkpoint with the same next step (and more);
    // the results and the `ctx.step` results saved for that step are carried over to it.
    steps = await stepsOf(ctx, threadId, saved);
    const changed = await writeChange(
      ctx,
      { threadId, saved, head },
      {
        source: "input",
        update: inputWrite(command.update),
        next: { from: "saved", extra, tasksOf: saved.body.tasksOf ?? saved.row.checkpointId },
      },
    );
    planner = changed.planner;
    saved = changed.checkpoint;
    head = headOf(saved);
  } else {
    planner = newPlanner(program, saved.body.planner);
  }
  const tasks = planner.tasks(saved.body.next, saved.state, saved.body.step + 1);
  const known = new Map<string, TaskOutcome>();
  const pending: TaskOutcome[] = [];
  for (const task of tasks) {
    const result = results.get(task.taskId);
    if (result === undefined || result.status === "failed") continue;
    const outcome = toOutcome(task, result, program.routing);
    known.set(task.taskId, outcome);
    if (outcome.status === "interrupted") pending.push(outcome);
  }
  const answers = await resumeWith(command?.resume, pending, { threadId, now: () => threads.checkpointer.now() });
  if (saved.row.checkpointId !== at.saved.row.checkpointId) {
    for (const outcome of known.values()) {
      const usage = results.get(outcome.task.taskId)?.usage;
      const result = { ...toSavedResult(outcome)!, usage };
      await threads.saveTaskResult(threadId, saved.row.checkpointId, { taskId: outcome.task.taskId, node: outcome.task.node, result });
    }
    for (const { task, steps: finished } of steps) {
      if (known.get(task.taskId)?.status === "done") continue;
      const place = { threadId, checkpointId: saved.row.checkpointId, taskId: task.taskId };
      for (const step of finished) await threads.saveStepResult(place, { node: task.node, ...step });
    }
  }
  const resumed = tasks.map((task) => {
    const outcome = known.get(task.taskId);
    if (outcome?.status !== "interrupted" || !answers.has(outcome.interrupt.id)) return task;
    known.delete(task.taskId);
    return withResumes(task, [...outcome.resumes, answers.get(outcome.interrupt.id)]);
  });
  const carried: { task: Task; spent: Spent }[] = [];
  for (const task of tasks) {
    const spent = results.get(task.taskId)?.usage;
    if (spent !== undefined) carried.push({ task, spent });
  }
  const start: Start = {
    state: saved.state,
    tasks: resumed,
    planner,
    known,
    checkpointId: saved.row.checkpointId,
    skipBreakpoint: true,
    budget: saved.body.budget,
    carried,
  };
  return { start, checkpoint: saved, head, resumed: true };
}

/** The `ctx.step` results saved for each task of a checkpoint's next step. */
type CarriedSteps = { readonly task: TaskRef; readonly steps: Awaited<ReturnType<ThreadStore["savedSteps"]>> }[];

/** Reads the step results of `saved`'s next step, before a new checkpoint's put removes them. */
async function stepsOf(ctx: ThreadContext, threadId: string, saved: LoadedCheckpoint): Promise<CarriedSteps> {
  const tasks = newPlanner(ctx.program, saved.body.planner).tasks(saved.body.next, saved.state, saved.body.step + 1);
  const carried: CarriedSteps = [];
  for (const task of tasks) {
    const steps = await ctx.threads.savedSteps(threadId, saved.row.checkpointId, task.taskId);
    if (steps.length > 0) carried.push({ task, steps });
  }
  return carried;
}

/** A resuming `Command`'s `goto` targets as tasks added to the saved next step. */
function gotoFrontier(ctx: ThreadContext, next: readonly FrontierTask[], goto: readonly unknown[]): FrontierTask[] {
  if (goto.length === 0) return [];
  const routes = ctx.program.routing.goto(goto, "the run input");
  const extra: FrontierTask[] = [];
  for (const node of new Set(routes.triggers)) {
    if (!next.some((task) => task.node === node && task.sendIndex === undefined)) extra.push({ node });
  }
  const sends = new Map<string, number>();
  for (const task of next) if (task.sendIndex !== undefined) sends.set(task.node, Math.max(sends.get(task.node) ?? 0, task.sendIndex + 1));
  for (const send of routes.sends) {
    const sendIndex = sends.get(send.node.name) ?? 0;
    sends.set(send.node.name, sendIndex + 1);
    extra.push({ node: send.node.name, sendIndex, input: send.input });
  }
  return extra;
}
