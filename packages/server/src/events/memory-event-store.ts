import type { EventStore, RunInfo, RunStatus, StoredEvent } from "./event-store.js";
import type { SerializedError } from "@weft/core/draw";

interface Entry {
  info: RunInfo;
  events: StoredEvent[];
}

/**
 * Keeps run events in this process: the default event store. Re-attaching works while the
 * server runs; a restart forgets every run (use {@link SqliteEventStore} to keep them).
 *
 * @example
 * ```ts
 * const server = await serveGraphs({ graphs: { report: graph }, events: new MemoryEventStore() });
 * ```
 * @see ../../../../docs/guides/server.md
 */
export class MemoryEventStore implements EventStore {
  readonly #runs = new Map<string, Entry>();

  async createRun(run: { runId: string; graph: string; threadId: string; startedAt: number }): Promise<void> {
    if (this.#runs.has(run.runId)) throw new Error(`Run "${run.runId}" already exists in the event store.`);
    this.#runs.set(run.runId, { info: { ...run, status: "running", events: 0 }, events: [] });
  }

  async append(runId: string, events: readonly StoredEvent[]): Promise<void> {
    const entry = this.#entry(runId);
    for (const event of events) {
      if (event.seq !== entry.events.length + 1) {
        throw new Error(`Event ${event.seq} of run "${runId}" does not follow event ${entry.events.length}.`);
      }
      entry.events.push(event);
    }
    entry.info = { ...entry.info, events: entry.events.length };
  }

  async read(runId: string, options: { after: number; limit: number }): Promise<StoredEvent[]> {
    const entry = this.#runs.get(runId);
    if (entry === undefined) return [];
    // seq n sits at index n - 1.
    return entry.events.slice(Math.max(0, options.after), Math.max(0, options.after) + options.limit);
  }

  async endRun(runId: string, end: { status: Exclude<RunStatus, "running">; endedAt: number; error?: SerializedError }): Promise<void> {
    const entry = this.#entry(runId);
    entry.info = { ...entry.info, ...end };
  }

  async getRun(runId: string): Promise<RunInfo | undefined> {
    return this.#runs.get(runId)?.info;
  }

  async listRuns(filter: { graph?: string; threadId?: string; limit?: number }): Promise<RunInfo[]> {
    const runs = [...this.#runs.values()]
      .map((entry) => entry.info)
      .filter(
        (run) =>
          filter.graph === undefined || (run.graph === filter.graph && (filter.threadId === undefined || run.threadId === filter.threadId)),
      )
      .reverse();
    return runs.slice(0, filter.limit ?? runs.length);
  }

  async markLost(endedAt: number): Promise<number> {
    let lost = 0;
    for (const entry of this.#runs.values()) {
      if (entry.info.status !== "running") continue;
      entry.info = { ...entry.info, status: "lost", endedAt };
      lost++;
    }
    return lost;
  }

  async prune(endedBefore: number): Promise<number> {
    let pruned = 0;
    for (const [runId, entry] of this.#runs) {
      if (entry.info.endedAt === undefined || entry.info.endedAt >= endedBefore) continue;
      this.#runs.delete(runId);
      pruned++;
    }
    return pruned;
  }

  async close(): Promise<void> {}

  #entry(runId: string): Entry {
    const entry = this.#runs.get(runId);
    if (entry === undefined) throw new Error(`Run "${runId}" is not in the event store.`);
    return entry;
  }
}
