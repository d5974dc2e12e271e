import { headOf, type LoadedCheckpoint, type ThreadHead, type ThreadStore } from "../checkpoint/thread.js";
import type { StepResult, TaskSteps } from "../records/attempt.js";
import type { StepEntry, StepStore } from "../runtime/loop.js";
import type { StepScope } from "../runtime/step-log.js";
import type { TaskOutcome } from "../runtime/task.js";
import type { PendingInterrupt } from "../records/interrupt.js";
import type { Spent } from "../records/budget.js";
import type { RunLease } from "./lease.js";
import { toSavedResult } from "./task-results.js";

/**
 * A durable run's steps on its thread: each settled task's result and each committed step is
 * saved on top of the head the run last wrote, while the run still holds the thread's lease.
 */
export class ThreadSteps implements StepStore {
  readonly #threads: ThreadStore;
  readonly #threadId: string;
  readonly #lease: RunLease;
  #checkpoint: LoadedCheckpoint;
  #head: ThreadHead;
  /** Whether the thread may have a wake-up from an earlier run, which this run must then replace or remove. */
  #wakeupKnown: boolean;
  /** True for the inner thread of a subgraph task: its outer thread holds the wake-up. */
  readonly #inner: boolean;

  constructor(
    at: { threads: ThreadStore; threadId: string; lease: RunLease; resumed: boolean; inner: boolean },
    checkpoint: LoadedCheckpoint,
    head: ThreadHead,
  ) {
    this.#threads = at.threads;
    this.#threadId = at.threadId;
    this.#lease = at.lease;
    this.#wakeupKnown = at.resumed;
    this.#inner = at.inner;
    this.#checkpoint = checkpoint;
    this.#head = head;
  }

  get stopRequested(): boolean {
    return this.#lease.stopRequested;
  }

  async saveTaskResult(outcome: TaskOutcome, checkpointId: string, spent: Spent | undefined): Promise<void> {
    await this.#lease.confirm();
    const saved = toSavedResult(outcome);
    if (saved === undefined) return;
    const result = spent === undefined ? saved : { ...saved, usage: spent };
    const { taskId, node } = outcome.task;
    await this.#threads.saveTaskResult(this.#threadId, checkpointId, { taskId, node, result });
  }

  stepScope(checkpointId: string): StepScope {
    const checkpoint = this.#checkpoint;
    // A resume that wrote an update keeps the tasks planned at an earlier checkpoint, and their identity.
    const tasksOf = checkpoint.row.checkpointId === checkpointId ? (checkpoint.body.tasksOf ?? checkpointId) : checkpointId;
    const threadId = this.#threadId;
    return {
      threadId,
      identity: (task) => taskIdentity(threadId, tasksOf, task.taskId),
      journal: (task) => new ThreadTaskSteps({ threads: this.#threads, threadId, lease: this.#lease }, checkpointId, task),
    };
  }

  now(): Promise<number> {
    return this.#threads.checkpointer.now();
  }

  /**
   * Sets the thread's wake-up to the earliest `wakeAt` of what it now waits on, or removes the
   * one an earlier run set. A run that started fresh and waits on nothing timed writes nothing,
   * nor does an inner run: its outer task pauses on the same wait, so the outer thread's wake-up
   * covers it, and recovery resumes the outer thread, which resumes the inner one.
   */
  async pausedOn(interrupts: readonly PendingInterrupt[]): Promise<void> {
    if (this.#inner) return;
    let wakeAt: number | null = null;
    for (const interrupt of interrupts) {
      if (interrupt.wakeAt !== undefined && (wakeAt === null || interrupt.wakeAt < wakeAt)) wakeAt = interrupt.wakeAt;
    }
    if (wakeAt === null && !this.#wakeupKnown) return;
    await this.#lease.confirm();
    await this.#threads.checkpointer.setWakeup({ threadId: this.#threadId, wakeAt });
    this.#wakeupKnown = wakeAt !== null;
  }

  async saveStep(entry: StepEntry): Promise<string> {
    // Renewed first: a run that lost its lease writes nothing more, and a request made during
    // the step is heard at its end.
    await this.#lease.renew();
    await this.#lease.confirm();
    this.#checkpoint = await this.#threads.save(this.#threadId, this.#checkpoint, { ...entry, source: "step", head: this.#head });
    this.#head = headOf(this.#checkpoint);
    return this.#checkpoint.row.checkpointId;
  }
}

/**
 * What names a task of a thread, the same every time it runs: the thread, the checkpoint its
 * step was planned at, and its place in that step. The source of its idempotency key and of its
 * subgraph's inner thread.
 */
export function taskIdentity(threadId: string, tasksOf: string, taskId: string): string {
  return JSON.stringify([threadId, tasksOf, taskId]);
}

/**
 * One task's `ctx.step` results in its thread's store, saved while the run holds the thread's
 * lease (a worker's, without a lease of its own: see `workerSteps`).
 */
export class ThreadTaskSteps implements TaskSteps {
  readonly #at: { readonly threads: ThreadStore; readonly threadId: string; readonly lease: Pick<RunLease, "confirm"> | undefined };
  readonly #place: { readonly threadId: string; readonly checkpointId: string; readonly taskId: string };

  constructor(
    at: { threads: ThreadStore; threadId: string; lease: Pick<RunLease, "confirm"> | undefined },
    checkpointId: string,
    task: { readonly taskId: string },
  ) {
    this.#at = at;
    this.#place = { threadId: at.threadId, checkpointId, taskId: task.taskId };
  }

  load(): Promise<ReadonlyMap<string, unknown>> {
    const { threadId, checkpointId, taskId } = this.#place;
    return this.#at.threads.stepResults(threadId, checkpointId, taskId);
  }

  async save(step: StepResult): Promise<unknown> {
    // A run that lost the thread saves nothing more: the run that took it over owns the task now.
    await this.#at.lease?.confirm();
    return this.#at.threads.saveStepResult(this.#place, step);
  }
}
