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
 * How long a request counts as in flight at most: a pass never settled (its process died)
 * stops holding room after this; a longer call counts again from its answer.
 */
export const IN_FLIGHT_MS = 60_000;

interface Entry {
  /** The request counts against the window until `at + intervalMs`. */
  at: number;
  cost: number;
}

/**
 * The log of what passed a rate limit: for each request, the tokens it counts for, and until
 * when it counts. A request counts from its turn until its answer (while it is in flight, it
 * counts without end), and then for one more interval. So however late a request leaves after
 * its turn, no interval of `intervalMs` ever sees more than `requests.limit` requests arrive
 * at the provider, nor more than `tokens.limit` tokens — a sliding window over the calls as
 * the provider sees them. A request bigger than the whole token limit passes alone, once
 * nothing else counts: it would wait forever otherwise.
 */
export class RateWindow {
  readonly #requests: Window | undefined;
  readonly #tokens: Window | undefined;
  readonly #longest: number;
  readonly #entries = new Map<number, Entry>();
  #tickets = 0;
  #pausedUntil = 0;
  /** The log's size at which entries that stopped counting are swept out, when no check has done it. */
  #sweepAt = 1024;

  constructor(requests: Window | undefined, tokens: Window | undefined) {
    this.#requests = requests;
    this.#tokens = tokens;
    this.#longest = Math.max(requests?.intervalMs ?? 0, tokens?.intervalMs ?? 0);
  }

  /**
   * Takes a pass for a request expected to use `cost` tokens at time `now` (ms), or says how
   * long to wait before asking again.
   */
  take(now: number, cost: number): { readonly pass: RatePass } | number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#entries.size >= this.#sweepAt) this.#sweep(now);
    const wait = Math.max(this.#requestWait(now), this.#tokenWait(now, cost));
    if (wait > 0) return wait;
    const ticket = this.#tickets++;
    this.#entries.set(ticket, { at: now + IN_FLIGHT_MS, cost });
    return { pass: { ticket, cost } };
  }

  /** The request of `pass` has its answer at `now`: it counts `used` tokens (else its estimate) for one more interval. */
  settle(pass: RatePass, used: number | undefined, now: number): void {
    const entry = this.#entries.get(pass.ticket as number);
    if (entry === undefined) return;
    entry.at = now;
    if (used !== undefined) entry.cost = used;
  }

  /** No request passes before `until` (ms). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Drops the entries that count against no window any more; the next sweep comes once the log has doubled. */
  #sweep(now: number): void {
    for (const [ticket, entry] of this.#entries) if (entry.at <= now - this.#longest) this.#entries.delete(ticket);
    this.#sweepAt = Math.max(1024, 2 * this.#entries.size);
  }

  /** The entries that still count against a window of `intervalMs` at `now`, those that stop counting first first. */
  #counting(now: number, intervalMs: number): Entry[] {
    this.#sweep(now);
    const counting: Entry[] = [];
    for (const entry of this.#entries.values()) if (entry.at > now - intervalMs) counting.push(entry);
    return counting.sort((a, b) => a.at - b.at);
  }

  #requestWait(now: number): number {
    const requests = this.#requests;
    if (requests === undefined || this.#entries.size < requests.limit) return 0;
    const counting = this.#counting(now, requests.intervalMs);
    if (counting.length < requests.limit) return 0;
    // The entry whose leaving brings the count under the limit.
    return counting[counting.length - requests.limit]!.at + requests.intervalMs - now;
  }

  #tokenWait(now: number, cost: number): number {
    const tokens = this.#tokens;
    if (tokens === undefined) return 0;
    const counting = this.#counting(now, tokens.intervalMs);
    let sum = 0;
    for (const entry of counting) sum += entry.cost;
    if (sum + cost <= tokens.limit || sum <= 0) return 0;
    for (const entry of counting) {
      sum -= entry.cost;
      if (sum + cost <= tokens.limit || sum <= 0) return entry.at + tokens.intervalMs - now;
    }
    return tokens.intervalMs;
  }
}
