/**
 * How error messages show values: what someone passed (an option, a route) and what someone
 * threw. Nothing here may throw, whatever the value: a message is built while a run is already
 * failing, and a second error there would lose the first (and the node it names).
 */

/**
 * A value someone passed, as an error message shows it: strings quoted, arrays item by item,
 * objects and functions by their kind (never a function's source), anything else as `String`.
 */
export function showValue(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (value === null) return "null";
  if (typeof value === "symbol") return safeString(value) ?? "a symbol";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return String(value);
  try {
    if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  } catch {
    // A revoked Proxy cannot even say whether it is an array.
  }
  return "an object";
}

/**
 * A thrown value as a message shows it: an `Error`'s message, a string as it is, anything
 * else as `String` gives it. Never throws: an object without a prototype, one whose
 * `toString` throws, an `Error` whose `message` getter throws, a revoked `Proxy` are each
 * described by their kind. Keep the value itself as the error's `cause`.
 *
 * @example
 * ```ts
 * describeThrown(new Error("model timed out")); // "model timed out"
 * describeThrown(Object.create(null)); // "a thrown object that cannot be shown as text"
 * ```
 */
export function describeThrown(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" && typeof value !== "function") return safeString(value) ?? `a thrown ${typeof value}`;
  if (value === null) return "null";
  try {
    if (value instanceof Error) {
      const message: unknown = value.message;
      if (typeof message === "string") return message;
    }
  } catch {
    // A message getter or a Proxy trap threw: fall back to the value's text or its kind.
  }
  return safeString(value) ?? `a thrown ${typeof value === "function" ? "function" : "object"} that cannot be shown as text`;
}

/**
 * True when `value` is an `Error` named `"AbortError"` (what `fetch` and `AbortSignal` throw),
 * without letting a hostile value throw from the check.
 */
export function isAbortError(value: unknown): boolean {
  try {
    return value instanceof Error && value.name === "AbortError";
  } catch {
    return false;
  }
}

function safeString(value: unknown): string | undefined {
  try {
    const text: unknown = String(value);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
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

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  return suggest(closest(name, candidates));
}

/** ` Did you mean "x"?` for a suggestion already found, or the empty string. */
export function suggest(guess: string | undefined): string {
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

/**
 * What kind of value `value` is, as a message names it: `null`, `an array`, `a Map`, `a Date`,
 * `a Client instance`, `an object`, `a number`. Never throws.
 */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
  try {
    if (Array.isArray(value)) return "an array";
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return "an object";
    if (value instanceof Map) return "a Map";
    if (value instanceof Set) return "a Set";
    if (value instanceof Date) return "a Date";
    const constructor: unknown = (proto as { constructor?: unknown }).constructor;
    if (constructor === Object) return "an object that inherits from another object";
    const name: unknown = (constructor as { name?: unknown } | undefined)?.name;
    if (typeof name !== "string" || name.length === 0) return "a class instance";
    return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name} instance`;
  } catch {
    return "an object that cannot be inspected";
  }
}

/** True for an object whose prototype is `Object.prototype` or `null`: what state updates are. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

/** `Array.isArray`, without the TypeError a revoked Proxy throws. */
export function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
