/**
 * How much slower or faster than real life the examples' simulated APIs answer: the
 * `WEFT_LATENCY_SCALE` environment variable (default 1). Tests pass a small scale so the
 * examples run in a few milliseconds with the same shape.
 *
 * @example
 * ```ts
 * const scale = latencyScale(); // 1, or e.g. 0.05 under WEFT_LATENCY_SCALE=0.05
 * ```
 */
export function latencyScale(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.WEFT_LATENCY_SCALE;
  if (raw === undefined || raw === "") return 1;
  const scale = Number(raw);
  if (!(Number.isFinite(scale) && scale >= 0)) {
    throw new RangeError(`WEFT_LATENCY_SCALE must be a number ≥ 0, got "${raw}".`);
  }
  return scale;
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it fires: what a
 * well-behaved API client does when its request is cancelled.
 *
 * @example
 * ```ts
 * await sleep(500, ctx.signal); // a 0.5 s network call that stops on timeout or cancellation
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Seconds with two decimals, as the examples print times: `1.52s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
