import { closest } from "../errors.js";
import type { NodeSpec } from "./ir.js";
import type { NodeOptions } from "./types.js";
import { ConcurrencyLimit } from "../controls/concurrency-limit.js";
import { RateLimit } from "../controls/rate-limit.js";
import type { Backoff, RetryPolicy } from "../controls/retry.js";
import type { AnyStateSchema } from "../state/types.js";
import { checkOptions, type Rule } from "../options/rules.js";
import { aFunction, isWholeAtLeast1, milliseconds, nodeNames, optionObject, trueOrFalse, wholeAtLeast1 } from "../options/values.js";

/** What `addNode`'s options become in a {@link NodeSpec}. */
export type CheckedNodeOptions = Pick<
  NodeSpec,
  "input" | "defer" | "ends" | "timeoutMs" | "retry" | "concurrency" | "rateLimit" | "estimateTokens" | "onError"
>;

const POLICIES = ["fail", "continue"];

const BACKOFF_RULES = {
  initialMs: milliseconds(true),
  factor: {
    expected: "a finite number ≥ 1",
    accepts: (value) => typeof value === "number" && Number.isFinite(value) && value >= 1,
  },
  maxMs: milliseconds(true),
  jitter: trueOrFalse,
} as const satisfies Record<keyof Backoff, Rule>;

const RETRY_RULES = {
  maxAttempts: { ...wholeAtLeast1, required: true },
  backoff: optionObject(BACKOFF_RULES),
  retryOn: aFunction,
} as const satisfies Record<keyof RetryPolicy, Rule>;

/** The rules of `addNode`'s options, one per option of {@link NodeOptions}. */
const NODE_RULES = {
  input: {
    expected: "a zod schema",
    accepts: (value) => typeof (value as { safeParse?: unknown } | null)?.safeParse === "function",
  },
  ends: nodeNames,
  defer: trueOrFalse,
  timeoutMs: milliseconds(false),
  retry: optionObject(RETRY_RULES),
  concurrency: {
    // A count of slots within each run must be whole: a fractional one would let one task more through.
    expected: "a whole number ≥ 1 or a ConcurrencyLimit",
    accepts: (value) => value instanceof ConcurrencyLimit || isWholeAtLeast1(value),
  },
  rateLimit: {
    expected: "a RateLimit or an array of RateLimits",
    accepts: (value) => value instanceof RateLimit || (Array.isArray(value) && value.every((limit) => limit instanceof RateLimit)),
  },
  estimateTokens: aFunction,
  onError: {
    expected: '"fail", "continue" or a function',
    accepts: (value) => typeof value === "function" || POLICIES.includes(value as string),
    suggest: (value) => (typeof value === "string" ? closest(value, POLICIES) : undefined),
  },
} as const satisfies Record<keyof NodeOptions<AnyStateSchema, undefined, string>, Rule>;

/** The rules of a subgraph node's options: a node's, with `input` and `output` mapping functions. */
const SUBGRAPH_RULES = { ...NODE_RULES, input: aFunction, output: aFunction } as const satisfies Record<string, Rule>;

/**
 * Checks the options of a node that runs a compiled graph, as {@link checkNodeOptions} does a
 * node's: its `input` and `output` are mapping functions rather than a schema.
 */
export function checkSubgraphOptions(
  node: string,
  options: unknown,
): CheckedNodeOptions & {
  readonly mapInput: ((value: unknown) => unknown) | undefined;
  readonly mapOutput: ((state: unknown) => unknown) | undefined;
} {
  const given = (options ?? {}) as Record<string, unknown>;
  checkOptions(given, SUBGRAPH_RULES, { scope: "node", node });
  const { input, output, ...rest } = given;
  return {
    ...checkNodeOptions(node, rest),
    mapInput: input as ((value: unknown) => unknown) | undefined,
    mapOutput: output as ((state: unknown) => unknown) | undefined,
  };
}

/**
 * Checks a node's options as `addNode` receives them, also from plain JavaScript where the
 * types do not reach, and fills in the defaults. A wrong option is an `INVALID_OPTION` naming
 * the node and the option, at build time: a misspelt `onError: "contine"` would otherwise keep
 * the run going past a failure, an unknown `retryPolicy` would retry nothing, and a `retryOn`
 * that is not a function would throw inside the engine.
 */
export function checkNodeOptions(node: string, options: unknown): CheckedNodeOptions {
  const given = (options ?? {}) as NodeOptions<AnyStateSchema, undefined, string>;
  checkOptions(given, NODE_RULES, { scope: "node", node });
  return {
    input: given.input,
    defer: given.defer ?? false,
    ends: given.ends ?? [],
    timeoutMs: given.timeoutMs,
    retry: given.retry,
    concurrency: given.concurrency,
    rateLimit: given.rateLimit === undefined ? [] : given.rateLimit instanceof RateLimit ? [given.rateLimit] : [...given.rateLimit],
    estimateTokens: given.estimateTokens as CheckedNodeOptions["estimateTokens"],
    onError: (given.onError ?? "fail") as NodeSpec["onError"],
  };
}
