import { GraphError } from "../errors.js";
import {
  checkpointConflict,
  type AcquireLeaseOptions,
  type Checkpointer,
  type CheckpointRow,
  type LeaseRequest,
  type PutOptions,
  type ReleaseLeaseOptions,
  type StepResultRow,
  type SetWakeupOptions,
  type TaskResultRow,
  type ThreadLease,
  type ThreadWakeup,
} from "./checkpointer.js";
import { checkStoreOptions } from "./store-options.js";

interface Thread {
  readonly checkpoints: CheckpointRow[];
  readonly byId: Map<string, CheckpointRow>;
  readonly results: Map<string, Map<string, TaskResultRow>>;
  /** Step results by checkpoint, then by task, then by step key. */
  readonly steps: Map<string, Map<string, Map<string, StepResultRow>>>;
}

/**
 * Keeps checkpoints in this process's memory: for tests, and for interrupts and time travel
 * within one process. Use `@weft/sqlite` or `@weft/postgres` to survive a restart.
 *
 * @example
 * ```ts
 * const graph = builder.compile({ checkpointer: new MemoryCheckpointer() });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export class MemoryCheckpointer implements Checkpointer {
  readonly #threads = new Map<string, Thread>();
  readonly #leases = new Map<string, ThreadLease>();
  readonly #wakeups = new Map<string, number>();

  async put(row: CheckpointRow, options: PutOptions): Promise<void> {
    checkStoreOptions("put", options);
    // Checked and written with no await in between: nothing else runs in this process meanwhile.
    const actual = this.#threads.get(row.threadId)?.checkpoints.at(-1)?.checkpointId ?? null;
    if (actual !== options.head) throw checkpointConflict(row.threadId, options.head, actual);
    const thread = this.#thread(row.threadId);
    if (thread.byId.has(row.checkpointId)) {
      throw new GraphError("INVALID_OPTION", `Checkpoint "${row.checkpointId}" already exists in thread "${row.threadId}".`);
    }
    thread.checkpoints.push(row);
    thread.byId.set(row.checkpointId, row);
    if (row.parentId !== undefined) {
      thread.results.delete(row.parentId);
      thread.steps.delete(row.parentId);
    }
  }

  async get(threadId: string, checkpointId?: string): Promise<CheckpointRow | undefined> {
    const thread = this.#threads.get(threadId);
    if (thread === undefined) return undefined;
    return checkpointId === undefined ? thread.checkpoints.at(-1) : thread.byId.get(checkpointId);
  }

  async list(threadId: string, options: { before?: string; limit?: number } = {}): Promise<CheckpointRow[]> {
    const all = [...(this.#threads.get(threadId)?.checkpoints ?? [])].reverse();
    const start = options.before === undefined ? 0 : all.findIndex((row) => row.checkpointId === options.before) + 1;
    if (options.before !== undefined && start === 0) return [];
    return all.slice(start, options.limit === undefined ? undefined : start + options.limit);
  }

  async putTaskResult(row: TaskResultRow): Promise<void> {
    const results = this.#thread(row.threadId).results;
    let step = results.get(row.checkpointId);
    if (step === undefined) results.set(row.checkpointId, (step = new Map()));
    step.set(row.taskId, row);
  }

  async getTaskResults(threadId: string, checkpointId: string): Promise<TaskResultRow[]> {
    return [...(this.#threads.get(threadId)?.results.get(checkpointId)?.values() ?? [])];
  }

  async putStepResult(row: StepResultRow): Promise<StepResultRow> {
    const steps = this.#thread(row.threadId).steps;
    let step = steps.get(row.checkpointId);
    if (step === undefined) steps.set(row.checkpointId, (step = new Map()));
    let task = step.get(row.taskId);
    if (task === undefined) step.set(row.taskId, (task = new Map()));
    const saved = task.get(row.stepKey);
    if (saved !== undefined) return saved;
    task.set(row.stepKey, row);
    return row;
  }

  async getStepResults(threadId: string, checkpointId: string, taskId: string): Promise<StepResultRow[]> {
    return [...(this.#threads.get(threadId)?.steps.get(checkpointId)?.get(taskId)?.values() ?? [])];
  }

  async deleteThread(threadId: string): Promise<void> {
    this.#threads.delete(threadId);
    this.#leases.delete(threadId);
    this.#wakeups.delete(threadId);
  }

  async acquireLease(options: AcquireLeaseOptions): Promise<{ acquired: boolean; lease: ThreadLease }> {
    checkStoreOptions("acquireLease", options);
    const { threadId, owner, ttlMs } = options;
    const now = Date.now();
    const current = this.#leases.get(threadId);
    if (current !== undefined && current.owner !== owner && current.expiresAt > now) return { acquired: false, lease: current };
    const request = current?.owner === owner ? current.request : undefined;
    const lease: ThreadLease = { threadId, owner, expiresAt: now + ttlMs, request };
    this.#leases.set(threadId, lease);
    return { acquired: true, lease };
  }

  async renewLease(options: AcquireLeaseOptions): Promise<{ held: boolean; request: LeaseRequest | undefined }> {
    checkStoreOptions("renewLease", options);
    const current = this.#leases.get(options.threadId);
    if (current?.owner !== options.owner) return { held: false, request: undefined };
    this.#leases.set(options.threadId, { ...current, expiresAt: Date.now() + options.ttlMs });
    return { held: true, request: current.request };
  }

  async releaseLease(options: ReleaseLeaseOptions): Promise<void> {
    checkStoreOptions("releaseLease", options);
    if (this.#leases.get(options.threadId)?.owner === options.owner) this.#leases.delete(options.threadId);
  }

  async requestLease(options: { readonly threadId: string; readonly request: LeaseRequest }): Promise<boolean> {
    checkStoreOptions("requestLease", options);
    const current = this.#leases.get(options.threadId);
    if (current === undefined || current.expiresAt <= Date.now()) return false;
    this.#leases.set(options.threadId, { ...current, request: options.request });
    return true;
  }

  async expiredLeases(options: { readonly limit?: number } = {}): Promise<ThreadLease[]> {
    checkStoreOptions("expiredLeases", options);
    const now = Date.now();
    const expired = [...this.#leases.values()].filter((lease) => lease.expiresAt <= now).sort((a, b) => a.expiresAt - b.expiresAt);
    return expired.slice(0, options.limit);
  }

  async now(): Promise<number> {
    return Date.now();
  }

  async setWakeup(options: SetWakeupOptions): Promise<void> {
    checkStoreOptions("setWakeup", options);
    if (options.wakeAt === null) this.#wakeups.delete(options.threadId);
    else this.#wakeups.set(options.threadId, options.wakeAt);
  }

  async dueWakeups(options: { readonly limit?: number } = {}): Promise<ThreadWakeup[]> {
    checkStoreOptions("dueWakeups", options);
    const now = Date.now();
    const due: ThreadWakeup[] = [];
    for (const [threadId, wakeAt] of this.#wakeups) if (wakeAt <= now) due.push({ threadId, wakeAt });
    return due.sort((a, b) => a.wakeAt - b.wakeAt).slice(0, options.limit);
  }

  #thread(threadId: string): Thread {
    let thread = this.#threads.get(threadId);
    if (thread === undefined)
      this.#threads.set(threadId, (thread = { checkpoints: [], byId: new Map(), results: new Map(), steps: new Map() }));
    return thread;
  }
}
