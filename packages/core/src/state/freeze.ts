import { freeze } from "immer";

/**
 * Freezes a value and everything in it, so that tasks sharing a snapshot cannot change it.
 * Plain objects and arrays are frozen here, without immer's generic walk (which dominated the
 * profile of big fan-outs); Maps, Sets and other objects go to immer, which also makes a
 * Map's or Set's mutators throw. A frozen container is taken as frozen all the way down, as
 * in immer.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    Object.freeze(value);
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return freeze(value, true);
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
