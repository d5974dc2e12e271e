import { decodeValue, encodeValue, type TaggedJson } from "@weft/core/adapter";

/**
 * Task inputs and results cross Redis as Weft's tagged JSON (`@weft/core`'s `encodeValue`):
 * values JSON cannot carry — `undefined`, -0, NaN, ±∞, bigint, Date, Map, Set and `Send` —
 * become `{"$weft": tag, "v": …}` objects, the same tags as Weft's checkpoint format.
 * Decoding only ever builds data: it never calls code named by the message.
 */

/**
 * A value as JSON carries it: what {@link encode} returns and {@link decode} takes.
 *
 * @example
 * ```ts
 * const wire: Wire = encode(10n); // { $weft: "bigint", v: "10" }
 * ```
 */
export type Wire = TaggedJson;

/**
 * Options of {@link encode}.
 *
 * @example
 * ```ts
 * encode(input, { path: 'input of "write"', code: "INVALID_INPUT" });
 * ```
 */
export interface EncodeOptions {
  /** How the value is named in errors. Default `"value"`. */
  readonly path?: string;
  /** The code of the error thrown for a value that cannot be sent. Default `"INVALID_UPDATE"`. */
  readonly code?: "INVALID_INPUT" | "INVALID_UPDATE";
}

/**
 * Turns a value into plain JSON data for a job, tagging what JSON cannot carry. Throws a
 * `GraphError` naming the path of a function, symbol, class instance or cycle.
 *
 * @example
 * ```ts
 * const wire = encode({ at: new Date(0), ids: new Set([1n]) });
 * JSON.stringify(wire); // safe
 * ```
 */
export function encode(value: unknown, options: EncodeOptions = {}): Wire {
  return encodeValue(value, { ...options, reason: "cannot be sent between a driver and a BullMQ worker" });
}

/**
 * Rebuilds a value from {@link encode}'s output.
 *
 * @example
 * ```ts
 * const back = decode(JSON.parse(JSON.stringify(encode(new Map([["a", undefined]])))));
 * back instanceof Map; // true
 * ```
 */
export function decode(wire: unknown): unknown {
  return decodeValue(wire);
}
