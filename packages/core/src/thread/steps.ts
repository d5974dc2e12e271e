import { headOf, type LoadedCheckpoint, type ThreadHead, type ThreadStore } from "../checkpoint/thread.js";
import type { StepEntry, StepStore } from "../runtime/loop.js";
import type { TaskOutcome } from "../runtime/task.js";
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

  constructor(at: { threads: ThreadStore; threadId: string; lease: RunLease }, checkpoint: LoadedCheckpoint, head: ThreadHead) {
    this.#threads = at.threads;
    this.#threadId = at.threadId;
    this.#lease = at.lease;
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
