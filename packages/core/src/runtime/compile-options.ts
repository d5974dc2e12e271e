import { didYouMean, GraphError, showValue } from "../errors.js";
import { hasMethod, isWholeAtLeast1 } from "./option-values.js";

const OPTIONS = ["defaults", "checkpointer", "interruptBefore", "interruptAfter", "integrityKey", "snapshotEvery", "executor"];
const CHECKPOINTER_METHODS = [
  "put",
  "get",
  "list",
  "putTaskResult",
  "getTaskResults",
  "deleteThread",
  "acquireLease",
  "renewLease",
  "releaseLease",
  "requestLease",
  "expiredLeases",
];

/**
 * Checks `compile()`'s options as plain JavaScript may pass them: unknown keys (with a
 * did-you-mean), a checkpointer or executor that lacks its methods, breakpoint lists that are
 * not arrays of names, an empty or non-string integrity key, a `snapshotEvery` that is not a
 * whole number ≥ 1. Each is an `INVALID_OPTION` naming the option, at compile time rather than
 * as a `TypeError` from the first durable run. (The run defaults are checked as run options.)
 */
export function checkCompileOptions(options: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw invalid(key, `is not an option of compile().${didYouMean(key, OPTIONS)}`);
  }
  const { checkpointer, executor, interruptBefore, interruptAfter, integrityKey, snapshotEvery } = options;
  if (checkpointer !== undefined) {
    const missing = CHECKPOINTER_METHODS.filter((method) => !hasMethod(checkpointer, method));
    if (missing.length > 0) throw invalid("checkpointer", `must implement Checkpointer; it lacks ${missing.join(", ")}.`);
  }
  if (executor !== undefined && !hasMethod(executor, "runAttempt")) {
    throw invalid("executor", "must implement Executor: it has no runAttempt method.");
  }
  for (const [name, value] of [["interruptBefore", interruptBefore], ["interruptAfter", interruptAfter]] as const) {
    if (value !== undefined && !(Array.isArray(value) && value.every((node) => typeof node === "string"))) {
      throw invalid(name, "must be an array of node names.");
    }
  }
  if (integrityKey !== undefined && !(typeof integrityKey === "string" && integrityKey.length > 0)) {
    throw invalid("integrityKey", "must be a non-empty string (the HMAC key that signs checkpoints).");
  }
  if (snapshotEvery !== undefined && !isWholeAtLeast1(snapshotEvery)) {
    throw invalid("snapshotEvery", `must be a whole number ≥ 1, got ${showValue(snapshotEvery)}.`);
  }
}

function invalid(option: string, problem: string): GraphError {
  return new GraphError("INVALID_OPTION", `compile() option ${option} ${problem}`, { details: { option } });
}
