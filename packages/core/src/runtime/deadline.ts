/** Bounds on waiting: for work that cannot be cancelled (a router), and for backoff pauses. */

/** How long {@link bounded} waits, and what it rejects with when time is up. */
export interface Bound {
  /** Give up after this many milliseconds; no limit when undefined. */
  readonly timeoutMs: number | undefined;
  /** The error to reject with when time is up; it may also cancel the work. */
  readonly timeout: () => unknown;
  /** Give up, rejecting with its reason, when this fires. */
  readonly signal?: AbortSignal;
}

/**
 * Waits for `work`, but no longer than `bound.timeoutMs` and not after `bound.signal` fires.
 * The work itself goes on unless `bound.timeout` cancels it: what this stops is the waiting.
 */
export function bounded<T>(work: PromiseLike<T>, bound: Bound): Promise<T> {
  const { timeoutMs, signal } = bound;
  if (timeoutMs === undefined && signal === undefined) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      settle();
      reject(signal!.reason);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        settle();
        reject(bound.timeout());
      }, timeoutMs);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** Waits `ms`; resolves false at once if `signal` fires first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
