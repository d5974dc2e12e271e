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
  /**
   * `"node"` for `ctx.interrupt`, `"before"` / `"after"` for breakpoints, `"sleep"` for a
   * `ctx.sleep` that paused the run (nothing to answer: it ends when its time comes).
   */
  readonly kind: "node" | "before" | "after" | "sleep";
  /**
   * When it resumes by itself, in epoch milliseconds by the checkpointer's clock: the deadline of
   * an interrupt given `timeoutMs`, or the end of a sleep. Undefined when only an answer ends it.
   */
  readonly wakeAt?: number;
  /** What an interrupt with `timeoutMs` answers itself with when its time comes. */
  readonly default?: unknown;
  /**
   * For an interrupt raised inside a subgraph: the tasks it is nested in, outermost first, down
   * to the inner task that raised it (`["research#3", "search"]`: Send #3 of node `research`,
   * then its inner node `search`). Absent for an interrupt of this graph's own nodes.
   */
  readonly path?: readonly string[];
}

/**
 * A timed wait as a node asks for it, before the checkpointer's clock turns it into a
 * {@link PendingInterrupt.wakeAt}: how long from now, and the answer it then gets.
 */
export interface WaitRequest {
  readonly ms: number;
  readonly default: unknown;
}
