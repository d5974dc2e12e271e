import type { PendingInterrupt, WaitRequest } from "../records/interrupt.js";

/** Thrown by `ctx.interrupt` (and a `ctx.sleep` that pauses) to stop the node; the runtime turns it into a pending interrupt. */
export class InterruptSignal {
  readonly interrupt: PendingInterrupt;
  /** For a timed interrupt or a sleep: how long until it ends by itself, and its answer then. */
  readonly wait: WaitRequest | undefined;
  /** The answers of the task's calls before this one. */
  readonly resumes: readonly unknown[];

  constructor(interrupt: PendingInterrupt, pause: { readonly wait: WaitRequest | undefined; readonly resumes: readonly unknown[] }) {
    this.interrupt = interrupt;
    this.wait = pause.wait;
    this.resumes = pause.resumes;
  }
}
