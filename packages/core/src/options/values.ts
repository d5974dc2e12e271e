import { isArray, isPlainObject } from "../errors.js";
import type { Rule } from "./rules.js";

/**
 * The value rules that node, compile, run and graph options and `ConcurrencyLimit` share, so
 * that each check and its wording live once.
 */

/** A count of slots or steps: a whole number ≥ 1 (a fractional cap would let one more through). */
export function isWholeAtLeast1(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1;
}

/** A whole number ≥ 1: a count of steps, attempts or slots. */
export const wholeAtLeast1: Rule = { expected: "a whole number ≥ 1", accepts: isWholeAtLeast1 };

/** A duration in milliseconds: finite, and above zero unless `zeroAllowed`. */
export function milliseconds(zeroAllowed: boolean): Rule {
  return {
    expected: zeroAllowed ? "a finite number of milliseconds ≥ 0" : "a finite number of milliseconds > 0",
    accepts: (value) => typeof value === "number" && Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0),
  };
}

export const nonEmptyString: Rule = {
  expected: "a non-empty string",
  accepts: (value) => typeof value === "string" && value.length > 0,
};

export const trueOrFalse: Rule = { expected: "true or false", accepts: (value) => typeof value === "boolean" };

export const aFunction: Rule = { expected: "a function", accepts: (value) => typeof value === "function" };

export const nodeNames: Rule = {
  expected: "an array of node names",
  accepts: (value) => isArray(value) && value.every((name) => typeof name === "string"),
};

/** An object of options of its own, checked with `fields`. */
export function optionObject(fields: Rule["fields"] & object, required = false): Rule {
  return { expected: "an object", accepts: isPlainObject, fields, required };
}

/** Whether `value` has a function under `method` (an executor, a checkpointer). */
function hasMethod(value: unknown, method: string): boolean {
  try {
    return typeof (value as Record<string, unknown> | null | undefined)?.[method] === "function";
  } catch {
    return false; // a revoked Proxy
  }
}

/** An object with these methods: an Executor, a Checkpointer. */
export function withMethods(name: string, methods: readonly string[]): Rule {
  const missing = (value: unknown): string[] => methods.filter((method) => !hasMethod(value, method));
  return {
    expected: (value) => {
      const lacking = typeof value === "object" && value !== null ? missing(value) : methods;
      if (lacking.length < methods.length) return `${name} (it lacks ${list(lacking)})`;
      return `${name} (an object with ${methods.length === 1 ? `a ${methods[0]} method` : `${list(methods)} methods`})`;
    },
    accepts: (value) => typeof value === "object" && value !== null && missing(value).length === 0,
  };
}

function list(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
