import { headOf, type LoadedCheckpoint, type ThreadHead, type ThreadStore } from "../checkpoint/thread.js";
import type { NodeSpec } from "../graph/ir.js";
import type { SavedBudget } from "../records/budget.js";
import type { FrontierTask } from "../records/frontier.js";
import type { Write } from "../records/write.js";
import { plan, planner as newPlanner, type After } from "../runtime/begin.js";
import type { Program } from "../runtime/loop.js";
import type { Planner } from "../runtime/planner.js";
import { toFrontier } from "../runtime/planner.js";
import type { Task } from "../runtime/task.js";

/** The program and the thread store a run or a call reads and writes through. */
export interface ThreadContext {
  readonly program: Program;
  readonly threads: ThreadStore;
}

/** Where a change is written: the thread, the checkpoint it starts from, the head it goes on top of. */
export interface ChangeAt {
  readonly threadId: string;
  /** The checkpoint the change continues from; undefined for a thread without one. */
  readonly saved: LoadedCheckpoint | undefined;
  readonly head: ThreadHead | null;
}

/** A write into a thread from outside its tasks: a run's input, a `Command`, `updateState`. */
export interface Change {
  readonly source: "input" | "update";
  /** The update and who it is written as; none for a `Command` without `update`. */
  readonly update: { readonly value: unknown; readonly writer: string } | undefined;
  /**
   * What runs next: planned after the write (START's edges, `goto` targets, what follows a
   * node), or the saved next step kept, with `extra` tasks (a resuming `Command`'s targets).
   */
  readonly next: ChangeNext;
  /** For a new run on the thread: its budget, with nothing spent yet. */
  readonly budget?: SavedBudget | undefined;
}

/** What runs after a change; see {@link Change}. */
export type ChangeNext =
  | Exclude<After, { readonly from: "node" }>
  | { readonly from: "node"; readonly node: NodeSpec }
  | {
      readonly from: "saved";
      readonly extra: readonly FrontierTask[];
      /** The checkpoint that planned the kept step, when its tasks go on as the same tasks (a resume). */
      readonly tasksOf?: string;
    };

/** A saved change: its checkpoint, and the planner and the tasks it planned (none when it kept the saved next step). */
export interface Changed {
  readonly checkpoint: LoadedCheckpoint;
  readonly planner: Planner;
  readonly tasks: Task[] | undefined;
}

/**
 * The one way a thread changes from outside its tasks: parse the update → commit it → route →
 * plan the next step → save the checkpoint on top of the head. A thread without checkpoints
 * starts from the update as its input.
 */
export async function writeChange(ctx: ThreadContext, at: ChangeAt, change: Change): Promise<Changed> {
  const { program, threads } = ctx;
  const { table } = program;
  const { threadId, saved } = at;
  const step = saved?.body.step ?? 0;
  const planner = newPlanner(program, saved?.body.planner);
  let state = saved?.state;
  let writes: Write[] = [];
  if (state === undefined) {
    state = table.initial(change.update?.value);
  } else if (change.update !== undefined) {
    const write = table.parseUpdate(change.update.value, change.update.writer);
    state = table.commit(state, [write], step);
    writes = [write];
  }
  const next = change.next;
  let tasks: Task[] | undefined;
  let frontier: readonly FrontierTask[];
  if (next.from === "saved") {
    frontier = [...(saved?.body.next ?? []), ...next.extra];
  } else {
    const after: After = next.from === "node" ? { ...next, write: writes[0]! } : next;
    tasks = await plan(program, { state, step, planner, after });
    frontier = tasks.map(toFrontier);
  }
  const checkpoint = await threads.save(threadId, saved ?? { row: undefined, body: undefined }, {
    source: change.source,
    step,
    writes,
    state,
    next: frontier,
    planner: planner.save(),
    head: at.head,
    tasksOf: next.from === "saved" ? next.tasksOf : undefined,
    // A new run on the thread starts with nothing spent; a change within a run keeps what it spent.
    budget: change.source === "input" && next.from !== "saved" ? change.budget : saved?.body.budget,
  });
  return { checkpoint, planner, tasks };
}

/** The head a change from `saved` goes on top of: `saved` itself, unless it is an older checkpoint (a fork). */
export async function headFor(threads: ThreadStore, threadId: string, saved: LoadedCheckpoint, fork: boolean): Promise<ThreadHead | null> {
  return fork ? await threads.head(threadId) : headOf(saved);
}
