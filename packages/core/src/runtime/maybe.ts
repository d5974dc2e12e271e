/**
 * Values that are sometimes promises. The engine keeps a task synchronous for as long as its
 * node, routers and limits are, so a fan-out of cheap nodes allocates no promise per task; these
 * helpers are how it goes on from a value that may or may not have arrived yet.
 */

/** True for a promise or any other thenable. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> & Promise<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === "function";
}

/**
 * Calls `next` on `value` with `self` as `this`: at once when `value` is not a thenable, after
 * it resolves when it is. When it rejects, `fail` gets the reason (without `fail`, the result
 * rejects too). As with `then`, an error thrown by `next` is not passed to `fail`.
 *
 * `next` and `fail` are methods passed with their receiver rather than closures: a closure
 * built per call would cost an allocation on the synchronous path, which is the common one.
 */
export function pipe<TSelf, TValue, TResult>(
  value: TValue | PromiseLike<TValue>,
  self: TSelf,
  next: (this: TSelf, value: TValue) => TResult | PromiseLike<TResult>,
  fail?: (this: TSelf, error: unknown) => TResult | PromiseLike<TResult>,
): TResult | Promise<TResult> {
  if (!isThenable(value)) return next.call(self, value as TValue) as TResult | Promise<TResult>;
  return later(value, self, next, fail);
}

// The promise callbacks live in a function of their own: a function that creates closures
// allocates their shared context on every call, even on the paths that create none.
function later<TSelf, TValue, TResult>(
  value: PromiseLike<TValue>,
  self: TSelf,
  next: (this: TSelf, value: TValue) => TResult | PromiseLike<TResult>,
  fail: ((this: TSelf, error: unknown) => TResult | PromiseLike<TResult>) | undefined,
): Promise<TResult> {
  // Promise.resolve returns a native promise as it is, and adopts any other thenable.
  return Promise.resolve(value).then(
    (resolved) => next.call(self, resolved),
    fail === undefined ? undefined : (error: unknown) => fail.call(self, error),
  );
}
