import { graphError } from "../errors.js";

/** Which limit a store call is for, and how long it may take. */
export interface StoreCall {
  /** The limit's key. */
  readonly limit: string;
  /** The store method (`takeRate`, `acquireSlot`…). */
  readonly operation: string;
  readonly timeoutMs: number;
}

/**
 * Waits for a limit store's answer, at most `call.timeoutMs`: a store that stalls or fails
 * becomes a `LIMIT_UNAVAILABLE` error naming the limit and the call, never a hang.
 */
export function storeCall<T>(work: () => Promise<T>, call: StoreCall): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { limit, operation, timeoutMs } = call;
    const timer = setTimeout(() => reject(graphError("LIMIT_UNAVAILABLE", "stalled", { limit, operation, timeoutMs })), timeoutMs);
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        const problem = error instanceof Error ? error.message : String(error);
        reject(graphError("LIMIT_UNAVAILABLE", "failed", { limit, operation, timeoutMs, problem }, error));
      },
    );
  });
}
