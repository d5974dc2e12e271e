import { ServerError } from "../errors.js";

/**
 * Decides whether a run (or a state update) may start on a thread while another is in
 * progress. `claim` either returns a function that gives the thread back, or throws a
 * `ServerError` with code `THREAD_BUSY` (answered with 409). Replace it to queue runs or to
 * share the decision between processes.
 *
 * @example
 * ```ts
 * const release = policy.claim({ graph: "report", threadId: "t1" });
 * try { await work(); } finally { release(); }
 * ```
 * @see ../../../../docs/guides/server.md
 */
export interface BusyThreadPolicy {
  claim(thread: { readonly graph: string; readonly threadId: string }): () => void;
}

/**
 * The default {@link BusyThreadPolicy}: one run at a time per graph and thread, in this
 * process; a second gets `THREAD_BUSY`. Runs of other processes on the same checkpointer are
 * not seen.
 *
 * @example
 * ```ts
 * const server = await serveGraphs({ graphs: { report: graph }, busyThreads: new RejectBusyThreads() });
 * ```
 */
export class RejectBusyThreads implements BusyThreadPolicy {
  readonly #busy = new Set<string>();

  claim(thread: { readonly graph: string; readonly threadId: string }): () => void {
    const key = JSON.stringify([thread.graph, thread.threadId]);
    if (this.#busy.has(key)) {
      throw new ServerError(
        "THREAD_BUSY",
        `Thread "${thread.threadId}" of graph "${thread.graph}" has a run in progress; wait for it to end or cancel it.`,
        {
          graph: thread.graph,
          threadId: thread.threadId,
        },
      );
    }
    this.#busy.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#busy.delete(key);
    };
  }
}
