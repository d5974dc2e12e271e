import type { EventStore, StoredEvent } from "../events/event-store.js";

const BATCH = 1000;

/**
 * One run in progress: numbers its events, writes them to the event store in order, in
 * batches (one write at a time), and wakes the readers that wait for more.
 */
export class LiveRun {
  readonly runId: string;
  readonly controller = new AbortController();
  /** The id of the last event handed to `push`. */
  seq = 0;
  /** The id of the last event the store holds. */
  stored = 0;
  /** True once every event is stored and the run is marked ended. */
  settled = false;
  #store: EventStore;
  #pending: StoredEvent[] = [];
  #writing: Promise<void> = Promise.resolve();
  #scheduled = false;
  #open = false;
  #waiters = new Set<() => void>();

  constructor(runId: string, store: EventStore) {
    this.runId = runId;
    this.#store = store;
  }

  /** Numbers and queues an event for the store. */
  push(type: string, data: string): void {
    this.#pending.push({ seq: ++this.seq, type, data });
    this.#schedule();
  }

  /** Lets queued events reach the store: called once the run exists there. */
  open(): void {
    this.#open = true;
    this.#schedule();
  }

  /** Resolves when every pushed event is stored; rejects if a write failed. */
  async drained(): Promise<void> {
    while (this.#pending.length > 0 || this.#scheduled) {
      this.#schedule();
      await this.#writing;
    }
    await this.#writing;
  }

  /** Marks the run settled and wakes every waiting reader. */
  settle(): void {
    this.settled = true;
    this.#wake();
  }

  /** Resolves once an event after `seq` is stored, the run settles, or `signal` aborts. */
  changed(seq: number, signal: AbortSignal): Promise<void> {
    if (this.stored > seq || this.settled || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(check);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const check = (): void => {
        if (this.stored > seq || this.settled) done();
      };
      this.#waiters.add(check);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #schedule(): void {
    if (!this.#open || this.#scheduled || this.#pending.length === 0) return;
    this.#scheduled = true;
    // After the engine's current burst of events, so that one write takes them all.
    this.#writing = this.#writing.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, BATCH);
      await this.#store.append(this.runId, batch);
      this.stored = batch.at(-1)!.seq;
      this.#wake();
    }
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
