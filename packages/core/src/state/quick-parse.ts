import type { z } from "zod";

/**
 * Parses of the simplest zod schemas without zod: `z.number()`, `z.string()`, `z.boolean()`
 * with no checks, their `.optional()`, and `z.object()` of the plain ones. A fan-out parses
 * every Send's input and every item it appends, and a step after it writes a count or a
 * summary; zod's parse of one small value allocates its bookkeeping (and, cold after a wait,
 * costs tens of microseconds), which these do not.
 *
 * A quick parse only ever answers for a value that zod accepts, with the very value zod would
 * return; for any other it returns {@link UNSURE}, and the caller asks zod, whose answer and
 * errors are then the ones given.
 */

/** What a quick parse returns when it cannot tell: zod must parse the value. */
export const UNSURE: unique symbol = Symbol("unsure");

/** A parse that answers without zod for the values it is sure of; {@link UNSURE} for the rest. */
export type QuickParse = (value: unknown) => unknown;

/** What quickParse reads of a zod schema: its internals, as every zod 4 schema has them. */
interface Internals {
  readonly _zod?: {
    readonly traits?: ReadonlySet<string>;
    readonly def?: {
      readonly type?: string;
      readonly coerce?: boolean;
      readonly checks?: readonly unknown[];
      readonly catchall?: unknown;
      readonly shape?: Readonly<Record<string, unknown>>;
      readonly innerType?: unknown;
    };
  };
}

const parsers = new WeakMap<object, QuickParse | null>();

/** The quick parse of `schema`, made once per schema; undefined when it has none (zod parses every value). */
export function quickParse(schema: z.ZodType): QuickParse | undefined {
  let parse = parsers.get(schema);
  if (parse === undefined) {
    parse = objectParse(schema) ?? leafParse(schema) ?? optionalParse(schema) ?? null;
    parsers.set(schema, parse);
  }
  return parse ?? undefined;
}

/** `value` parsed with `schema` when a quick parse is sure of it; {@link UNSURE} when zod must parse it. */
export function parseQuickly(schema: z.ZodType, value: unknown): unknown {
  const parse = quickParse(schema);
  return parse === undefined ? UNSURE : parse(value);
}

/** A schema of one type with nothing besides the type to check: no checks, no coercion. */
function plain(schema: unknown, type: string): boolean {
  const internals = (schema as Internals | null | undefined)?._zod;
  const def = internals?.def;
  if (def === undefined || def.type !== type || def.coerce === true || (def.checks?.length ?? 0) > 0) return false;
  // A string format (z.email()…) is a check of its own, with the type "string".
  return internals?.traits?.has("$ZodCheck") !== true;
}

function isNumber(value: unknown): unknown {
  // z.number() refuses NaN and the infinities.
  return typeof value === "number" && Number.isFinite(value) ? value : UNSURE;
}

function isString(value: unknown): unknown {
  return typeof value === "string" ? value : UNSURE;
}

function isBoolean(value: unknown): unknown {
  return typeof value === "boolean" ? value : UNSURE;
}

function leafParse(schema: unknown): QuickParse | undefined {
  if (plain(schema, "number")) return isNumber;
  if (plain(schema, "string")) return isString;
  if (plain(schema, "boolean")) return isBoolean;
  return undefined;
}

/**
 * A leaf's `.optional()` with no checks (a state key such as `total: z.number().optional()`):
 * for a value other than `undefined`, zod's answer is the leaf's. `undefined` is left to zod,
 * which accepts it or not (`.exactOptional()`, of the same type, refuses it).
 */
function optionalParse(schema: unknown): QuickParse | undefined {
  if (!plain(schema, "optional")) return undefined;
  return leafParse((schema as Internals)._zod!.def!.innerType);
}

/**
 * A `z.object()` whose keys are all required leaves (see {@link leafParse}), with no checks and
 * no catchall: zod's answer for an object is a new plain object with those keys, in the shape's
 * order, and without the input's other keys.
 */
function objectParse(schema: unknown): QuickParse | undefined {
  if (!plain(schema, "object")) return undefined;
  const def = (schema as Internals)._zod!.def!;
  if (def.catchall !== undefined || def.shape === undefined) return undefined;
  const keys = Object.keys(def.shape);
  // Zod leaves out a key named __proto__, and reads symbol keys too: neither is quick.
  if (keys.includes("__proto__") || Object.getOwnPropertySymbols(def.shape).length > 0) return undefined;
  const leaves: QuickParse[] = [];
  for (const key of keys) {
    const leaf = leafParse(def.shape[key]);
    if (leaf === undefined) return undefined;
    leaves.push(leaf);
  }
  return objectOf(keys, leaves);
}

/** The quick parse of one object schema, from its keys and the parse of each. */
function objectOf(keys: readonly string[], leaves: readonly QuickParse[]): QuickParse {
  return (value) => {
    // What zod takes for an object: anything of type "object" but null and arrays.
    if (typeof value !== "object" || value === null || Array.isArray(value)) return UNSURE;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      // Read, then asked for, as zod does: a key it does not find fails, whatever reading it gave.
      const parsed = leaves[i]!(input[key]);
      if (parsed === UNSURE || !(key in input)) return UNSURE;
      out[key] = parsed;
    }
    return out;
  };
}
