/**
 * The value rules that `addNode`, `compile()`, run options and `ConcurrencyLimit` share, so
 * each check and its wording live once. Each caller builds its own `INVALID_OPTION`.
 */

/** A count of slots or steps: a whole number ≥ 1 (a fractional cap would let one more through). */
export function isWholeAtLeast1(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1;
}

/** A duration in milliseconds: finite, and above zero unless `zeroAllowed`. */
export function isMilliseconds(value: unknown, zeroAllowed: boolean): value is number {
  return typeof value === "number" && Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0);
}

/** What {@link isMilliseconds} asks for, as an error message says it. */
export function millisecondsRule(zeroAllowed: boolean): string {
  return zeroAllowed ? "a finite number of milliseconds ≥ 0" : "a finite number of milliseconds > 0";
}

/** Whether `value` has a function under `method` (an executor, a checkpointer). */
export function hasMethod(value: unknown, method: string): boolean {
  return typeof (value as Record<string, unknown> | null | undefined)?.[method] === "function";
}
