import { GraphError, showValue } from "../errors.js";
import type { AcquireLeaseOptions, LeaseRequest, PutOptions, SetWakeupOptions } from "./checkpointer.js";

const REQUESTS: readonly LeaseRequest[] = ["interrupt", "rollback"];

/**
 * Checks the options of a checkpointer's `put` and lease methods as plain JavaScript may pass
 * them, throwing an `INVALID_OPTION` that names the method and the option. Built-in stores call
 * it first; a store of your own can too.
 *
 * @example
 * ```ts
 * checkStoreOptions("acquireLease", { threadId: "t", owner: "run-1", ttlMs: 30_000 });
 * ```
 * @see ../../../../docs/concepts/checkpoints.md
 */
export function checkStoreOptions(
  method: "put" | "acquireLease" | "renewLease" | "releaseLease" | "requestLease" | "expiredLeases" | "setWakeup" | "dueWakeups",
  options: Partial<AcquireLeaseOptions & PutOptions & SetWakeupOptions & { request: LeaseRequest; limit: number }> | undefined,
): void {
  const fail = (option: string, rule: string, value: unknown): never => {
    throw new GraphError("INVALID_OPTION", `${method}() option ${option} must be ${rule}, got ${showValue(value)}.`, {
      details: { method, option },
    });
  };
  if (typeof options !== "object" || options === null) {
    if ((method === "expiredLeases" || method === "dueWakeups") && options === undefined) return;
    fail("object", "an object", options);
    return;
  }
  if (method === "put") {
    if (options.head !== null && (typeof options.head !== "string" || options.head === "")) {
      fail("head", "the id of the checkpoint the writer believes is the thread's latest, or null", options.head);
    }
    return;
  }
  if (method === "expiredLeases" || method === "dueWakeups") {
    if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0))
      fail("limit", "a whole number ≥ 0", options.limit);
    return;
  }
  if (typeof options.threadId !== "string" || options.threadId === "") fail("threadId", "a non-empty string", options.threadId);
  if (method === "setWakeup") {
    const at = options.wakeAt;
    if (at !== null && !(Number.isSafeInteger(at) && (at as number) >= 0)) {
      fail("wakeAt", "a whole number of epoch milliseconds ≥ 0, or null", at);
    }
    return;
  }
  if (method === "requestLease") {
    if (!REQUESTS.includes(options.request as LeaseRequest))
      fail("request", `one of ${REQUESTS.map(showValue).join(", ")}`, options.request);
    return;
  }
  if (typeof options.owner !== "string" || options.owner === "") fail("owner", "a non-empty string", options.owner);
  if (method === "acquireLease" || method === "renewLease") {
    const ttl = options.ttlMs;
    if (!(Number.isInteger(ttl) && (ttl as number) >= 1 && (ttl as number) <= 2 ** 31)) {
      fail("ttlMs", "a whole number of milliseconds from 1 to 2^31", ttl);
    }
  }
}
