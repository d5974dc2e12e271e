import type { LimitStore } from "@weft/core/adapter";
import { Redis } from "ioredis";
import { DEFAULT_REDIS_URL, type RedisConnection, redisOptions } from "../connection.js";
import { ACQUIRE_SLOT, PAUSE_RATE, RELEASE_SLOT, RENEW_SLOTS, SETTLE_RATE, TAKE_RATE } from "./scripts.js";

/**
 * Options of {@link RedisLimitStore}.
 *
 * @example
 * ```ts
 * const options: RedisLimitStoreOptions = { connection: "redis://cache:6379", prefix: "reports" };
 * ```
 */
export interface RedisLimitStoreOptions {
  /** Redis: a connected ioredis client of yours, or how to reach it (default `WEFT_REDIS_URL`, else the local default). */
  readonly connection?: RedisConnection | Redis;
  /** The prefix of the store's keys. Default `"weft"`. */
  readonly prefix?: string;
}

/** The scripts, as ioredis defines them on a client (sent once, then called by their SHA). */
interface LimitCommands {
  weftTakeRate(log: string, costs: string, pause: string, ...args: (string | number)[]): Promise<number>;
  weftSettleRate(log: string, costs: string, ticket: string, used: number | string): Promise<number>;
  weftPauseRate(pause: string, ms: number): Promise<number>;
  weftAcquireSlot(slots: string, holder: string, limit: number, leaseMs: number): Promise<number>;
  weftRenewSlots(slots: string, leaseMs: number, ...holders: string[]): Promise<number>;
  weftReleaseSlot(slots: string, holder: string): Promise<number>;
}

/**
 * Keeps shared `ConcurrencyLimit` and `RateLimit` counts in Redis, so that every process using
 * the same Redis, prefix and key shares one budget: the BullMQ workers of a deployment, or
 * several servers running graphs. Each check is one Lua script, atomic in Redis and timed by
 * Redis `TIME` (callers' clocks may differ); rate windows are sliding logs of passes, slots are
 * leases that lapse when their process dies.
 *
 * @example
 * ```ts
 * const store = new RedisLimitStore({ connection: process.env.REDIS_URL });
 * const openai = new RateLimit({ key: "openai", requests: { limit: 500, intervalMs: 60_000 }, store });
 * const calls = new ConcurrencyLimit(8, { key: "openai", store });
 * // … at shutdown
 * await store.close();
 * ```
 * @see ../../../../docs/guides/rate-limits.md
 */
export class RedisLimitStore implements LimitStore {
  readonly #redis: Redis & LimitCommands;
  readonly #prefix: string;
  readonly #owned: boolean;

  constructor(options: RedisLimitStoreOptions = {}) {
    const given = options.connection;
    this.#owned = !(given instanceof Redis);
    const redis =
      given instanceof Redis
        ? given
        : // Commands fail rather than queue forever while Redis is away: the limit's storeTimeoutMs bounds the wait anyway.
          new Redis({ ...redisOptions(given ?? process.env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL), maxRetriesPerRequest: 1 });
    // A connection error fails the commands waiting on it, which the limit reports as LIMIT_UNAVAILABLE.
    if (this.#owned) redis.on("error", () => {});
    redis.defineCommand("weftTakeRate", { numberOfKeys: 3, lua: TAKE_RATE });
    redis.defineCommand("weftSettleRate", { numberOfKeys: 2, lua: SETTLE_RATE });
    redis.defineCommand("weftPauseRate", { numberOfKeys: 1, lua: PAUSE_RATE });
    redis.defineCommand("weftAcquireSlot", { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    redis.defineCommand("weftRenewSlots", { numberOfKeys: 1, lua: RENEW_SLOTS });
    redis.defineCommand("weftReleaseSlot", { numberOfKeys: 1, lua: RELEASE_SLOT });
    this.#redis = redis as Redis & LimitCommands;
    this.#prefix = options.prefix ?? "weft";
  }

  takeRate(request: Parameters<LimitStore["takeRate"]>[0]): Promise<number> {
    const { key, ticket, cost, requests, tokens, inFlightMs } = request;
    return this.#redis.weftTakeRate(
      this.#key("rate", key, "log"),
      this.#key("rate", key, "costs"),
      this.#key("rate", key, "pause"),
      ticket,
      cost,
      requests?.limit ?? 0,
      requests?.intervalMs ?? 0,
      tokens?.limit ?? 0,
      tokens?.intervalMs ?? 0,
      Math.ceil(inFlightMs),
    );
  }

  async settleRate(request: { readonly key: string; readonly ticket: string; readonly used: number | undefined }): Promise<void> {
    const { key, ticket, used } = request;
    await this.#redis.weftSettleRate(this.#key("rate", key, "log"), this.#key("rate", key, "costs"), ticket, used ?? "");
  }

  async pauseRate(request: { readonly key: string; readonly ms: number }): Promise<void> {
    await this.#redis.weftPauseRate(this.#key("rate", request.key, "pause"), Math.max(1, Math.ceil(request.ms)));
  }

  acquireSlot(request: {
    readonly key: string;
    readonly holder: string;
    readonly limit: number;
    readonly leaseMs: number;
  }): Promise<number> {
    return this.#redis.weftAcquireSlot(this.#key("slots", request.key), request.holder, request.limit, Math.ceil(request.leaseMs));
  }

  async renewSlots(request: { readonly key: string; readonly holders: readonly string[]; readonly leaseMs: number }): Promise<void> {
    await this.#redis.weftRenewSlots(this.#key("slots", request.key), Math.ceil(request.leaseMs), ...request.holders);
  }

  async releaseSlot(request: { readonly key: string; readonly holder: string }): Promise<void> {
    await this.#redis.weftReleaseSlot(this.#key("slots", request.key), request.holder);
  }

  /** Deletes every count kept under `key`: its rate window, pause and slots (for tests and resets). */
  async reset(key: string): Promise<void> {
    await this.#redis.del(
      this.#key("rate", key, "log"),
      this.#key("rate", key, "costs"),
      this.#key("rate", key, "pause"),
      this.#key("slots", key),
    );
  }

  /** Closes the Redis connection, unless it was given ready-made. */
  async close(): Promise<void> {
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** `weft:limits:{openai}:rate:log`: a key's parts share a hash tag, so a Redis Cluster keeps them on one node. */
  #key(...parts: string[]): string {
    const [kind, key, ...rest] = parts;
    return [this.#prefix, "limits", `{${key}}`, kind, ...rest].join(":");
  }
}
