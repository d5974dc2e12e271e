import { GraphError } from "../errors.js";
import type { Checkpointer, CheckpointRow, TaskResultRow } from "./checkpointer.js";

interface Thread {
  readonly checkpoints: CheckpointRow[];
  readonly byId: Map<string, CheckpointRow>;
  readonly results: Map<string, Map<string, TaskResultRow>>;
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

  async put(row: CheckpointRow): Promise<void> {
    const thread = this.#thread(row.threadId);
    if (thread.byId.has(row.checkpointId)) {
      throw new GraphError("INVALID_OPTION", `Checkpoint "${row.checkpointId}" already exists in thread "${row.threadId}".`);
    }
    thread.checkpoints.push(row);
    thread.byId.set(row.checkpointId, row);
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

  async deleteThread(threadId: string): Promise<void> {
    this.#threads.delete(threadId);
  }

  #thread(threadId: string): Thread {
    let thread = this.#threads.get(threadId);
    if (thread === undefined) this.#threads.set(threadId, (thread = { checkpoints: [], byId: new Map(), results: new Map() }));
    return thread;
  }
}
