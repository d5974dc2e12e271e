import { graphError, isGraphError, isPlainObject, type GraphError } from "../errors.js";
import { checkOptions, type Rule } from "../options/rules.js";
import { checkRunOptions } from "../options/run-options.js";
import { wholeAtLeast1 } from "../options/values.js";
import type { RunOptions, RunResult } from "../records/run.js";
import { isInnerOwner } from "./lease.js";
import type { Threads } from "./threads.js";

/**
 * Options of `graph.recover()`.
 *
 * @example
 * ```ts
 * await graph.recover({ limit: 50, run: { timeoutMs: 5 * 60_000, leaseTtlMs: 10_000 } });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export interface RecoverOptions {
  /** Recover at most this many threads (a whole number ≥ 1); default: every thread found. */
  readonly limit?: number;
  /** Options of each resumed run (its `timeoutMs`, `maxSteps`, `leaseTtlMs`…), over the graph's defaults. */
  readonly run?: Omit<RunOptions, "threadId" | "checkpointId" | "ifBusy">;
}

/** What `graph.recover()` did with one thread whose run had died. */
export type RecoveredThread<TState = Record<string, unknown>, TNodes extends string = string> =
  /** Resumed to its end, or to its next interrupt or wait. */
  | { readonly threadId: string; readonly status: "recovered"; readonly result: RunResult<TState, TNodes> }
  /** Another run (another recoverer, say) took the thread first: it was left to that run. */
  | { readonly threadId: string; readonly status: "busy" }
  /** Resumed, and the resumed run failed; the thread stays resumable from its last checkpoint. */
  | { readonly threadId: string; readonly status: "failed"; readonly error: GraphError };

/** Resumes one thread under a run's options; `THREAD_BUSY` when another run holds it. */
export type ResumeThread = (threadId: string, run: RecoverOptions["run"]) => Promise<RunResult>;

/**
 * Finds the threads whose lease expired (their run's process died) and the threads whose
 * wake-up time has passed (a timed interrupt or a sleep is due), and resumes each, one after
 * another. Taking a lease is atomic in every store, so of several recoverers racing for one
 * thread exactly one resumes it; the others find it busy. A waiting thread that is not due yet
 * is left alone. The inner thread of a subgraph task is not resumed on its own: its outer
 * thread, which a dead run held too, is, and its run resumes the inner thread where it stood.
 */
export async function recoverThreads(threads: Threads, options: RecoverOptions, resume: ResumeThread): Promise<RecoveredThread[]> {
  checkRecoverOptions(options);
  const limit = options.limit === undefined ? {} : { limit: options.limit };
  const { checkpointer } = threads;
  // Every expired lease is read, not `limit` of them: the inner threads' are passed by, and must
  // not take the places of outer threads.
  const found = new Set(
    (await checkpointer.expiredLeases())
      .filter((lease) => !isInnerOwner(lease.owner))
      .slice(0, options.limit)
      .map((lease) => lease.threadId),
  );
  if (options.limit === undefined || found.size < options.limit) {
    for (const { threadId } of await checkpointer.dueWakeups(limit)) {
      if (options.limit !== undefined && found.size >= options.limit) break;
      found.add(threadId);
    }
  }
  const recovered: RecoveredThread[] = [];
  for (const threadId of found) {
    try {
      recovered.push({ threadId, status: "recovered", result: await resume(threadId, options.run) });
    } catch (error) {
      if (isGraphError(error) && error.code === "THREAD_BUSY") recovered.push({ threadId, status: "busy" });
      else recovered.push({ threadId, status: "failed", error: error as GraphError });
    }
  }
  return recovered;
}

const RECOVER_RULES = {
  limit: wholeAtLeast1,
  run: { expected: "an object of run options", accepts: isPlainObject },
} as const satisfies Record<keyof RecoverOptions, Rule>;

/** Checks `recover()`'s options as plain JavaScript may pass them, before any thread is taken. */
function checkRecoverOptions(options: RecoverOptions): void {
  checkOptions(options, RECOVER_RULES, { scope: "recover" });
  const run = options.run ?? {};
  for (const option of ["threadId", "checkpointId", "ifBusy"]) {
    if (Object.hasOwn(run, option)) throw graphError("INVALID_OPTION", "recoverChooses", { scope: "recover", option: `run.${option}` });
  }
  checkRunOptions(run);
}
