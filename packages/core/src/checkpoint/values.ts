import { GraphError } from "../errors.js";
import { isSend, Send } from "../graph/send.js";
import type { SendOptions } from "../records/send.js";

/**
 * Tagged JSON: values that JSON cannot carry become `{"$weft": tag, "v": …}` objects, so that
 * state values survive a checkpoint and task inputs and results survive a trip to another
 * process unchanged. Tags: `undefined`, `number` (NaN, ±∞, -0), `bigint`, `date`, `map`, `set`,
 * `send`, and `object` for a plain object that itself has a `$weft` key.
 *
 * Decoding only ever builds plain data, `Date`s, `Map`s, `Set`s and `Send`s: it never calls
 * code named by the data.
 */
const TAG = "$weft";

/**
 * A value as JSON carries it: what {@link encodeValue} returns and {@link decodeValue} takes.
 *
 * @example
 * ```ts
 * const json: TaggedJson = encodeValue(10n); // { $weft: "bigint", v: "10" }
 * ```
 */
export type TaggedJson = null | boolean | number | string | TaggedJson[] | { [key: string]: TaggedJson };

/**
 * Turns a value into plain JSON data, tagging what JSON cannot carry. Throws a `GraphError`
 * naming the path of a function, symbol, class instance or cycle.
 *
 * @example
 * ```ts
 * const json = encodeValue({ at: new Date(0), ids: new Set([1n]) });
 * JSON.stringify(json); // safe
 * ```
 */
export function encodeValue(value: unknown, options: EncodeOptions = {}): TaggedJson {
  const reason = options.reason ?? "cannot be stored or sent";
  const fail = (path: string, what: string): GraphError => unfit(path, what, reason, options.code ?? "INVALID_UPDATE");
  return toWire(value, options.path ?? "value", new Set(), fail);
}

/**
 * Options of {@link encodeValue}.
 *
 * @example
 * ```ts
 * encodeValue(input, { path: 'input of "write"', code: "INVALID_INPUT", reason: "cannot be sent to a worker" });
 * ```
 */
export interface EncodeOptions {
  /** How the value is named in errors. Default `"value"`. */
  readonly path?: string;
  /** The code of the error thrown for a value that cannot be encoded. Default `"INVALID_UPDATE"`. */
  readonly code?: "INVALID_INPUT" | "INVALID_UPDATE";
  /** Why it matters, for the error: `"a checkpoint cannot store"`. Default `"cannot be stored or sent"`. */
  readonly reason?: string;
}

type Fail = (path: string, what: string) => GraphError;

/**
 * Rebuilds a value from {@link encodeValue}'s output.
 *
 * @example
 * ```ts
 * const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(new Map([["a", undefined]])))));
 * back instanceof Map; // true
 * ```
 */
export function decodeValue(wire: unknown): unknown {
  if (typeof wire !== "object" || wire === null) return wire;
  if (Array.isArray(wire)) return wire.map(decodeValue);
  const record = wire as Record<string, unknown>;
  if (!Object.hasOwn(record, TAG)) return decodeEntries(record);
  const v = record.v;
  switch (record[TAG]) {
    case "undefined":
      return undefined;
    case "number":
      return Number(v);
    case "bigint":
      return BigInt(v as string);
    case "date":
      return new Date(v as string);
    case "map":
      return new Map((v as [unknown, unknown][]).map(([key, item]) => [decodeValue(key), decodeValue(item)]));
    case "set":
      return new Set((v as unknown[]).map(decodeValue));
    case "send": {
      const [node, input, options] = v as [string, unknown, unknown];
      return options === undefined
        ? new Send(node, decodeValue(input))
        : new Send(node, decodeValue(input), decodeValue(options) as SendOptions);
    }
    case "object":
      return decodeEntries(v as Record<string, unknown>);
    default:
      throw new Error(`Unknown value tag ${JSON.stringify(record[TAG])}: was it written by a newer Weft?`);
  }
}

function decodeEntries(record: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties: a "__proto__" key stays a key (JSON.parse makes it
  // one) instead of setting the decoded object's prototype, as `out[key] = …` would.
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, decodeValue(item)]));
}

function toWire(value: unknown, path: string, ancestors: Set<object>, fail: Fail): TaggedJson {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? value : { [TAG]: "number", v: String(Object.is(value, -0) ? "-0" : value) };
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() };
    case "object":
      break;
    default:
      throw fail(path, `a ${typeof value}`);
  }
  if (value === null) return null;
  if (value instanceof Date) {
    // toISOString throws a RangeError on an Invalid Date, which would lose the path.
    if (Number.isNaN(value.getTime())) throw fail(path, "an Invalid Date");
    return { [TAG]: "date", v: value.toISOString() };
  }
  if (ancestors.has(value)) throw fail(path, "a reference to one of its own containers (a cycle)");
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return Array.from(value, (item, i) => toWire(item, `${path}[${i}]`, ancestors, fail));
    if (isSend(value)) {
      const input = toWire(value.input, `${path}.input`, ancestors, fail);
      // A Send's options (its budget) are plain data; a Send without them keeps the shorter form.
      const options = value.options;
      return {
        [TAG]: "send",
        v: options === undefined ? [value.node, input] : [value.node, input, toWire(options, `${path}.options`, ancestors, fail)],
      };
    }
    if (value instanceof Map) {
      return {
        [TAG]: "map",
        v: Array.from(value, ([key, item], i) => [
          toWire(key, `${path}<key ${i}>`, ancestors, fail),
          toWire(item, `${path}<value ${i}>`, ancestors, fail),
        ]),
      };
    }
    if (value instanceof Set)
      return { [TAG]: "set", v: Array.from(value, (item, i) => toWire(item, `${path}<item ${i}>`, ancestors, fail)) };
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw fail(path, `a ${(proto as { constructor?: { name?: string } })?.constructor?.name ?? "class"} instance`);
    }
    // Own properties, "__proto__" included (see decodeEntries).
    const out: Record<string, TaggedJson> = Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, toWire(item, `${path}.${key}`, ancestors, fail)]),
    );
    return Object.hasOwn(out, TAG) ? { [TAG]: "object", v: out } : out;
  } finally {
    ancestors.delete(value);
  }
}

function unfit(path: string, what: string, reason: string, code: "INVALID_INPUT" | "INVALID_UPDATE"): GraphError {
  return new GraphError(
    code,
    `${path} is ${what}, which ${reason}: keep state values, task inputs and results plain data (objects, arrays, strings, numbers, booleans, null, undefined, Date, Map, Set, bigint, Send).`,
    { details: { path } },
  );
}
