/**
 * Every failure Weft reports is a {@link GraphError} with a `code` that says what went wrong.
 *
 * @see ../../../docs/concepts/failures.md
 */
export type GraphErrorCode =
  /** A name in an edge, a router result, a `Send` or a `Command.goto` is not a node. */
  | "UNKNOWN_NODE"
  /** A node name is empty, reserved (`__start__`, `__end__`, `__*`) or already used. */
  | "INVALID_NODE_NAME"
  /** A node or run option has a value it cannot take (a negative timeout, say). */
  | "INVALID_OPTION"
  /** `compile()` found a node that no path from START reaches. */
  | "UNREACHABLE_NODE"
  /** `compile()` found a node with no outgoing edge, router or Command target. */
  | "DEAD_END"
  /** The graph has no edge out of START. */
  | "NO_ENTRY"
  /** Two tasks of one step wrote the same last-value key. */
  | "CONCURRENT_UPDATE"
  /** A node returned a key the state does not have, or a value its schema rejects. */
  | "INVALID_UPDATE"
  /** The run input, or a `Send` input, does not match its schema. */
  | "INVALID_INPUT"
  /** A router returned something that is neither a node name, END nor a `Send`. */
  | "INVALID_ROUTE"
  /** The run needed more supersteps than `maxSteps`. */
  | "STEP_LIMIT"
  /** One or more tasks failed and their node's policy is to fail the run. */
  | "TASK_FAILED"
  /** A task ran longer than its `timeoutMs`. */
  | "TIMEOUT"
  /** The whole run ran longer than its `timeoutMs`. */
  | "RUN_TIMEOUT"
  /** The run was cancelled through `opts.signal`. */
  | "ABORTED"
  /** A stored checkpoint is foreign, newer, tampered with, corrupt, or from another graph. */
  | "INVALID_CHECKPOINT"
  /** A thread or checkpoint asked for does not exist. */
  | "UNKNOWN_THREAD"
  /** A resume names an interrupt that is not pending, or leaves the choice ambiguous. */
  | "INVALID_RESUME"
  /**
   * A checkpoint was written on top of a head that is no longer the thread's latest: another
   * writer (a run, a process) saved a checkpoint of the thread first. Nothing was written.
   */
  | "CHECKPOINT_CONFLICT";

const brand = Symbol.for("weft.GraphError");

/**
 * The one error class of Weft. Check `code` to tell failures apart; `cause` keeps the original error.
 *
 * @example
 * ```ts
 * try {
 *   await graph.invoke({ topic: "x" });
 * } catch (error) {
 *   if (isGraphError(error) && error.code === "TASK_FAILED") console.log(error.details.failures);
 * }
 * ```
 */
export class GraphError extends Error {
  readonly code: GraphErrorCode;
  /** Structured facts about the failure (node, key, step, …), for programs rather than people. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly [brand] = true;

  constructor(
    code: GraphErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GraphError";
    this.code = code;
    this.details = Object.freeze({ ...options.details });
  }
}

/** True for any {@link GraphError}, even one created by another copy of this package. */
export function isGraphError(value: unknown): value is GraphError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** The closest of `candidates` to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * A value someone passed, as an error message shows it: strings quoted, arrays item by item,
 * objects and functions by their kind (never a function's source), anything else as `String`.
 */
export function showValue(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return typeof value === "function" ? "a function" : String(value);
}

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const guess = closest(name, candidates);
  return guess === undefined ? "" : ` Did you mean "${guess}"?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
