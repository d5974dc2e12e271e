import type { TaskRef } from "./task-ref.js";

/**
 * A question a paused run waits on: raised by `ctx.interrupt(value)` in a node, or by an
 * `interruptBefore` / `interruptAfter` breakpoint. Resume it with
 * `graph.invoke(new Command({ resume: { [id]: answer } }), { threadId })`.
 *
 * @see ../../../../docs/concepts/interrupts.md
 */
export interface PendingInterrupt<TNodes extends string = string> extends TaskRef<TNodes> {
  /** Stable id: the same interrupt has the same id however often the thread is loaded. */
  readonly id: string;
  /** What the node passed to `ctx.interrupt`, or the breakpoint's description. */
  readonly value: unknown;
  /** `"node"` for `ctx.interrupt`, `"before"` / `"after"` for breakpoints. */
  readonly kind: "node" | "before" | "after";
}
