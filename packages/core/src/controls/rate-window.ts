/** A limit of `limit` units per `intervalMs`, over a sliding window. */
export interface Window {
  readonly limit: number;
  readonly intervalMs: number;
}

/** A request that passed a rate window: its place in the log, and the tokens it counts for. */
export interface RatePass {
  readonly ticket: number | string;
  readonly cost: number;
}

/**
 * The log of what passed a rate limit in its last interval: when each request passed and the
 * tokens it counts for. A request passes when, over the last `intervalMs`, fewer than
 * `requests.limit` requests passed and the tokens counted plus its own estimate stay within
 * `tokens.limit` — a sliding window, so no interval of that length ever holds more than the
 * limits, wherever it starts. Entries older than the longest interval are dropped as time goes.
 */
export class RateWindow {
  readonly #requests: Window | undefined;
  readonly #tokens: Window | undefined;
  /** Pass times, oldest first, and the tokens each counts for (corrected after the call). */
  #times: number[] = [];
  #costs: number[] = [];
  #head = 0;
  /** Entries dropped from the front of the arrays: a ticket is its entry's index plus this. */
  #dropped = 0;
  #pausedUntil = 0;

  constructor(requests: Window | undefined, tokens: Window | undefined) {
    this.#requests = requests;
    this.#tokens = tokens;
  }

  /**
   * Takes a pass for a request expected to use `cost` tokens at time `now` (ms): returns true,
   * or how long to wait before it could pass. A request bigger than the whole token limit
   * passes alone, once the window holds no tokens: it would wait forever otherwise.
   */
  take(now: number, cost: number): { readonly pass: RatePass } | number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#expire(now);
    const waitRequests = this.#requestWait(now);
    const waitTokens = this.#tokenWait(now, cost);
    const wait = Math.max(waitRequests, waitTokens);
    if (wait > 0) return wait;
    this.#times.push(now);
    this.#costs.push(cost);
    return { pass: { ticket: this.#dropped + this.#times.length - 1, cost } };
  }

  /**
   * Counts `used` tokens for `pass` instead of its estimate. An entry that has left the window
   * counts for nothing any more, and is not corrected.
   */
  settle(pass: RatePass, used: number): void {
    const i = (pass.ticket as number) - this.#dropped;
    if (i >= this.#head && i < this.#costs.length) this.#costs[i] = used;
  }

  /** No request passes before `until` (ms). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  #requestWait(now: number): number {
    const requests = this.#requests;
    if (requests === undefined || this.#times.length - this.#head < requests.limit) return 0;
    // The limit-th latest pass: while it is inside the window, the window is full until it leaves.
    const leaves = this.#times[this.#times.length - requests.limit]! + requests.intervalMs;
    return leaves > now ? leaves - now : 0;
  }

  #tokenWait(now: number, cost: number): number {
    const tokens = this.#tokens;
    if (tokens === undefined) return 0;
    const since = now - tokens.intervalMs;
    let first = this.#head;
    while (first < this.#times.length && this.#times[first]! <= since) first++;
    let sum = 0;
    for (let i = first; i < this.#times.length; i++) sum += this.#costs[i]!;
    if (sum + cost <= tokens.limit || sum <= 0) return 0;
    for (let i = first; i < this.#times.length; i++) {
      sum -= this.#costs[i]!;
      if (sum + cost <= tokens.limit || sum <= 0) return this.#times[i]! + tokens.intervalMs - now;
    }
    return tokens.intervalMs;
  }

  #expire(now: number): void {
    const longest = Math.max(this.#requests?.intervalMs ?? 0, this.#tokens?.intervalMs ?? 0);
    const since = now - longest;
    const times = this.#times;
    while (this.#head < times.length && times[this.#head]! <= since) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#costs = this.#costs.slice(this.#head);
      this.#dropped += this.#head;
      this.#head = 0;
    }
  }
}
