/**
 * A counting semaphore with a FIFO queue: at most `limit` holders at once, waiters served in
 * the order they asked. A waiter whose signal fires leaves the queue.
 */
export class Limiter {
  #active = 0;
  readonly #queue: { grant: () => void }[] = [];

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Waiters now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves when a slot is free; rejects with the signal's reason if it fires first. */
  acquire(signal: AbortSignal): Promise<void> | undefined {
    if (this.#active < this.limit && this.#queue.length === 0) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal.reason);
      };
      const waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          this.#active++;
          resolve();
        },
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  release(): void {
    this.#active--;
    const next = this.#queue.shift();
    next?.grant();
  }
}
