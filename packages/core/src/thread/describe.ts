import type { LoadedCheckpoint, ThreadStore } from "../checkpoint/thread.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { TaskRef } from "../records/task-ref.js";
import type { BudgetStatus } from "../records/budget.js";
import { BudgetLedger } from "../runtime/budget-ledger.js";

/** A thread at one checkpoint: its state and what it would do next. */
export interface ThreadState<TState = Record<string, unknown>, TNodes extends string = string> {
  readonly values: TState;
  /** The tasks the next step runs (empty when the run has finished). */
  readonly next: readonly TaskRef<TNodes>[];
  /** Interrupts raised by tasks of the next step, waiting for an answer or their `wakeAt`, and sleeps (`kind: "sleep"`). */
  readonly interrupts: readonly PendingInterrupt<TNodes>[];
  /** Tasks of the next step that already finished; a resume does not run them again. */
  readonly finished: readonly TaskRef<TNodes>[];
  /** Tasks of the next step that failed; a resume runs them again. */
  readonly failures: readonly (TaskRef<TNodes> & { readonly error: { name: string; message: string; code?: string } })[];
  /** The step this checkpoint closes (0 for the run input). */
  readonly step: number;
  readonly checkpointId: string;
  readonly parentId: string | undefined;
  readonly createdAt: string;
  /** What made this checkpoint: a run's input, a step, or `updateState`. */
  readonly source: "input" | "step" | "update";
  /**
   * The budget of the thread's run: its limit, what it spent (with what tasks of the next step
   * spent before the run paused or failed) and what is left; undefined when the run has no
   * budget and reported no usage.
   */
  readonly budget: BudgetStatus | undefined;
}

/** A loaded checkpoint as a {@link ThreadState}, with what its next step's saved results say. */
export async function describeThread(threads: ThreadStore, threadId: string, saved: LoadedCheckpoint): Promise<ThreadState> {
  const step = saved.body.step + 1;
  const next = saved.body.next.map((task, position) => ({
    taskId: `${step}:${position}`,
    node: task.node,
    step,
    sendIndex: task.sendIndex,
  }));
  const results = await threads.taskResults(threadId, saved.row.checkpointId);
  const interrupts: PendingInterrupt[] = [];
  const finished: TaskRef[] = [];
  const failures: ThreadState["failures"][number][] = [];
  const budget = new BudgetLedger(undefined, saved.body.budget);
  for (const [position, ref] of next.entries()) {
    const result = results.get(ref.taskId);
    if (result?.usage !== undefined) budget.carry({ ...ref, budget: saved.body.next[position]!.budget }, result.usage);
    if (result?.status === "interrupted") interrupts.push({ ...ref, ...result.interrupt });
    else if (result?.status === "done") finished.push(ref);
    else if (result?.status === "failed") failures.push({ ...ref, error: result.error });
  }
  return {
    values: saved.state,
    next,
    interrupts,
    finished,
    failures,
    step: saved.body.step,
    checkpointId: saved.row.checkpointId,
    parentId: saved.row.parentId,
    createdAt: saved.body.createdAt,
    source: saved.body.source,
    budget: budget.runStatus(),
  };
}
