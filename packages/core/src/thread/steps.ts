import { headOf, type LoadedCheckpoint, type ThreadHead, type ThreadStore } from "../checkpoint/thread.js";
import type { StepEntry, StepStore } from "../runtime/loop.js";
import type { TaskOutcome } from "../runtime/task.js";
import type { PendingInterrupt } from "../records/interrupt.js";
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

  constructor(
    at: { threads: ThreadStore; threadId: string; lease: RunLease; resumed: boolean },
    checkpoint: LoadedCheckpoint,
    head: ThreadHead,
  ) {
    this.#threads = at.threads;
    this.#threadId = at.threadId;
    this.#lease = at.lease;
    this.#wakeupKnown = at.resumed;
    this.#checkpoint = checkpoint;
    this.#head = head;
  }

  get stopRequested(): boolean {
    return this.#lease.stopRequested;
  }

  async saveTaskResult(outcome: TaskOutcome, checkpointId: string): Promise<void> {
    await this.#lease.confirm();
    const result = toSavedResult(outcome);
    if (result === undefined) return;
    const { taskId, node } = outcome.task;
    await this.#threads.saveTaskResult(this.#threadId, checkpointId, { taskId, node, result });
  }

  now(): Promise<number> {
    return this.#threads.checkpointer.now();
  }

  /**
   * Sets the thread's wake-up to the earliest `wakeAt` of what it now waits on, or removes the
   * one an earlier run set. A run that started fresh and waits on nothing timed writes nothing.
   */
  async pausedOn(interrupts: readonly PendingInterrupt[]): Promise<void> {
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
