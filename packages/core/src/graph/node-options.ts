import { didYouMean, GraphError, showValue } from "../errors.js";
import { isMilliseconds, isWholeAtLeast1, millisecondsRule } from "../runtime/option-values.js";
import type { NodeSpec } from "./ir.js";
import { ConcurrencyLimit } from "../controls/concurrency-limit.js";
import type { Backoff, RetryPolicy } from "../controls/retry.js";

/** What `addNode`'s options become in a {@link NodeSpec}. */
export type CheckedNodeOptions = Pick<NodeSpec, "input" | "defer" | "ends" | "timeoutMs" | "retry" | "concurrency" | "onError">;

const OPTIONS = ["input", "ends", "defer", "timeoutMs", "retry", "concurrency", "onError"];
const RETRY = ["maxAttempts", "backoff", "retryOn"];
const BACKOFF = ["initialMs", "factor", "maxMs", "jitter"];
const POLICIES = ["fail", "continue"];

/**
 * Checks a node's options as `addNode` receives them, also from plain JavaScript where the
 * types do not reach, and fills in the defaults. A wrong option is an `INVALID_OPTION` naming
 * the node and the option, at build time: a misspelt `onError: "contine"` would otherwise keep
 * the run going past a failure, an unknown `retryPolicy` would retry nothing, and a `retryOn`
 * that is not a function would throw inside the engine.
 */
export function checkNodeOptions(node: string, options: Readonly<Record<string, unknown>> | undefined): CheckedNodeOptions {
  const given = options ?? {};
  if (typeof given !== "object" || given === null) throw invalid(node, "options", "an object", given);
  knownKeys(node, "", given, OPTIONS);
  const { input, ends, defer, timeoutMs, retry, concurrency, onError } = given;
  if (input !== undefined && typeof (input as { safeParse?: unknown } | null)?.safeParse !== "function") {
    throw invalid(node, "input", "a zod schema", input);
  }
  if (ends !== undefined && !(Array.isArray(ends) && ends.every((end) => typeof end === "string"))) {
    throw invalid(node, "ends", "an array of node names", ends);
  }
  if (defer !== undefined && typeof defer !== "boolean") throw invalid(node, "defer", "true or false", defer);
  if (onError !== undefined && typeof onError !== "function" && !POLICIES.includes(onError as string)) {
    const hint = typeof onError === "string" ? didYouMean(onError, POLICIES) : "";
    throw invalid(node, "onError", '"fail", "continue" or a function', onError, hint);
  }
  return {
    input: input as NodeSpec["input"],
    defer: defer ?? false,
    ends: (ends as readonly string[] | undefined) ?? [],
    timeoutMs: milliseconds(node, "timeoutMs", timeoutMs, false),
    retry: retryPolicy(node, retry),
    concurrency: concurrencyOf(node, concurrency),
    onError: (onError ?? "fail") as NodeSpec["onError"],
  };
}

function retryPolicy(node: string, retry: unknown): RetryPolicy | undefined {
  if (retry === undefined) return undefined;
  if (typeof retry !== "object" || retry === null) throw invalid(node, "retry", "an object", retry);
  const policy = retry as Record<string, unknown>;
  knownKeys(node, "retry.", policy, RETRY);
  if (!isWholeAtLeast1(policy.maxAttempts)) {
    throw invalid(node, "retry.maxAttempts", "a whole number ≥ 1", policy.maxAttempts);
  }
  if (policy.retryOn !== undefined && typeof policy.retryOn !== "function") {
    throw invalid(node, "retry.retryOn", "a function", policy.retryOn);
  }
  if (policy.backoff !== undefined) backoff(node, policy.backoff);
  return retry as RetryPolicy;
}

function backoff(node: string, value: unknown): void {
  if (typeof value !== "object" || value === null) throw invalid(node, "retry.backoff", "an object", value);
  const given = value as Record<keyof Backoff, unknown>;
  knownKeys(node, "retry.backoff.", given, BACKOFF);
  milliseconds(node, "retry.backoff.initialMs", given.initialMs, true);
  milliseconds(node, "retry.backoff.maxMs", given.maxMs, true);
  if (given.factor !== undefined && !(typeof given.factor === "number" && Number.isFinite(given.factor) && given.factor >= 1)) {
    throw invalid(node, "retry.backoff.factor", "a finite number ≥ 1", given.factor);
  }
  if (given.jitter !== undefined && typeof given.jitter !== "boolean") {
    throw invalid(node, "retry.backoff.jitter", "true or false", given.jitter);
  }
}

function milliseconds(node: string, option: string, value: unknown, zeroAllowed: boolean): number | undefined {
  if (value === undefined || isMilliseconds(value, zeroAllowed)) return value;
  throw invalid(node, option, millisecondsRule(zeroAllowed), value);
}

/**
 * A node's cap: a shared limit, or a count of slots within each run, which must be whole (a
 * fractional one would let one task more through than it says).
 */
function concurrencyOf(node: string, value: unknown): number | ConcurrencyLimit | undefined {
  if (value === undefined || value instanceof ConcurrencyLimit || isWholeAtLeast1(value)) return value;
  throw invalid(node, "concurrency", "a whole number ≥ 1 or a ConcurrencyLimit", value);
}

function knownKeys(node: string, prefix: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    throw new GraphError("INVALID_OPTION", `Node "${node}": unknown option "${prefix}${key}".${didYouMean(key, known)}`, {
      details: { node, option: `${prefix}${key}` },
    });
  }
}

function invalid(node: string, option: string, expected: string, value: unknown, hint = ""): GraphError {
  return new GraphError("INVALID_OPTION", `Node "${node}": ${option} must be ${expected}, got ${showValue(value)}.${hint}`, {
    details: { node, option },
  });
}
