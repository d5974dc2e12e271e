import { CHECKPOINTER_METHODS, type Checkpointer } from "../checkpoint/checkpointer.js";
import { graphError, type GraphError } from "../errors.js";
import { bounded } from "../runtime/deadline.js";

/** How long a run waits on its checkpointer. */
export interface StoreBound {
  /** The run's cancellation: its reason (`RUN_TIMEOUT`, `ABORTED`, …) ends the wait. */
  readonly signal: AbortSignal;
  /** Give up on one call after this many milliseconds, with `STORE_TIMEOUT`. */
  readonly storeTimeoutMs: number | undefined;
}

/**
 * `store` with every call bounded by the run: a call that has not settled when the run is
 * cancelled, or after `storeTimeoutMs`, rejects at once (the store's own work may go on; the
 * run stops waiting for it). A stalled store thus ends the run within its bound.
 */
export function boundStore(store: Checkpointer, bound: StoreBound): Checkpointer {
  const { signal, storeTimeoutMs } = bound;
  const wrapped: Record<string, unknown> = {};
  for (const method of CHECKPOINTER_METHODS) {
    const call = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    wrapped[method] = (...args: unknown[]) =>
      bounded(new Promise((resolve) => resolve(call(...args))), {
        timeoutMs: storeTimeoutMs,
        signal,
        timeout: () => storeTimeout(method, storeTimeoutMs!, args[0]),
      });
  }
  return wrapped as unknown as Checkpointer;
}

function storeTimeout(operation: string, storeTimeoutMs: number, first: unknown): GraphError {
  const threadId =
    typeof first === "string"
      ? first
      : typeof first === "object" && first !== null
        ? (first as { threadId?: unknown }).threadId
        : undefined;
  return graphError("STORE_TIMEOUT", "call", { operation, threadId: typeof threadId === "string" ? threadId : undefined, storeTimeoutMs });
}
