import type { GraphErrorCode, GraphErrorDetails } from "./details.js";
import { MESSAGES } from "./messages.js";

const brand = Symbol.for("weft.GraphError");

/** What `new GraphError()` takes besides the code and the message. */
export interface GraphErrorOptions<C extends GraphErrorCode = GraphErrorCode> {
  /** The original error: a zod error, the value a node threw. */
  readonly cause?: unknown;
  readonly details?: GraphErrorDetails<C>;
}

class GraphErrorOf<C extends GraphErrorCode = GraphErrorCode> extends Error {
  readonly code: C;
  /** Structured facts about the failure (node, key, step, …), for programs rather than people. */
  readonly details: Readonly<GraphErrorDetails<C>>;
  readonly [brand] = true;

  constructor(code: C, message: string, options: GraphErrorOptions<C> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GraphError";
    this.code = code;
    // Facts that are absent are left out, so that `details` shows only what the failure has.
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options.details ?? {})) if (value !== undefined) details[key] = value;
    this.details = Object.freeze(details) as GraphErrorDetails<C>;
  }
}

/**
 * The one error class of Weft. Check `code` to tell failures apart: it narrows `details` to
 * that code's facts. `cause` keeps the original error.
 *
 * Weft builds its errors with their messages worded in one table; `new GraphError(code,
 * message, { details })` is for rebuilding one that crossed a process boundary.
 *
 * @example
 * ```ts
 * try {
 *   await graph.invoke({ topic: "x" });
 * } catch (error) {
 *   if (isGraphError(error) && error.code === "TASK_FAILED") console.log(error.details.failures);
 * }
 * ```
 * @see ../../../../docs/concepts/failures.md
 */
export type GraphError<C extends GraphErrorCode = GraphErrorCode> = C extends GraphErrorCode ? GraphErrorOf<C> : never;

/** The constructor of {@link GraphError}; `instanceof GraphError` narrows to the union of codes. */
export interface GraphErrorConstructor {
  new <C extends GraphErrorCode>(code: C, message: string, options?: GraphErrorOptions<C>): GraphError<C>;
  readonly prototype: GraphError;
}

export const GraphError: GraphErrorConstructor = GraphErrorOf as unknown as GraphErrorConstructor;

/** True for any {@link GraphError}, even one created by another copy of this package. */
export function isGraphError(value: unknown): value is GraphError {
  try {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  } catch {
    // A revoked Proxy throws on any property read: it is no GraphError.
    return false;
  }
}

type Messages = typeof MESSAGES;
/** The situations that raise code `C`: the keys of its entry in the message table. */
export type GraphErrorReason<C extends GraphErrorCode> = keyof Messages[C] & string;
type FactsOf<C extends GraphErrorCode, R extends GraphErrorReason<C>> = Messages[C][R] extends (details: infer F) => string ? F : never;

/**
 * A {@link GraphError} whose message is built from its details by the message table, so that
 * each message is worded once. `reason` picks the situation within the code.
 *
 * @internal
 */
export function graphError<C extends GraphErrorCode, R extends GraphErrorReason<C>>(
  code: C,
  reason: R,
  details: FactsOf<C, R> & GraphErrorDetails<C>,
  cause?: unknown,
): GraphError<C> {
  const build = MESSAGES[code][reason] as (details: FactsOf<C, R>) => string;
  return new GraphError(code, build(details), cause === undefined ? { details } : { cause, details });
}
