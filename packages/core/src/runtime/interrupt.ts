import type { PendingInterrupt } from "../records/interrupt.js";

/** Thrown by `ctx.interrupt` to stop the node; the runtime turns it into a pending interrupt. */
export class InterruptSignal {
  readonly interrupt: PendingInterrupt;

  constructor(interrupt: PendingInterrupt) {
    this.interrupt = interrupt;
  }
}
