import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is when nothing says otherwise (and `WEFT_REDIS_URL` is not set).
 *
 * @example
 * ```ts
 * new BullMQExecutor({ connection: process.env.REDIS_URL ?? DEFAULT_REDIS_URL });
 * ```
 */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * How to reach Redis: a `redis://` / `rediss://` URL or ioredis options. Without one, the
 * driver and the workers use `WEFT_REDIS_URL`, else {@link DEFAULT_REDIS_URL}.
 *
 * @example
 * ```ts
 * const byUrl: RedisConnection = "rediss://user:secret@cache.internal:6380/2";
 * const byOptions: RedisConnection = { host: "cache.internal", port: 6380, password: "secret" };
 * ```
 */
export type RedisConnection = string | RedisOptions;

/**
 * Settings the driver and its workers must share to find each other.
 *
 * @example
 * ```ts
 * const shared: QueueSettings = { connection: "redis://cache:6379", prefix: "reports" };
 * const executor = new BullMQExecutor(shared);
 * await startWorker({ ...shared, module: "./dist/graph.js" });
 * ```
 */
export interface QueueSettings {
  /** Redis connection; see {@link RedisConnection}. */
  readonly connection?: RedisConnection;
  /** BullMQ key prefix. Default `"weft"`. */
  readonly prefix?: string;
  /** The BullMQ queue of a graph. Default `weft-<graph name>` (a `:`, which BullMQ refuses, becomes `-`). */
  readonly queueName?: (graph: string) => string;
}

/** The defaults of {@link QueueSettings}, resolved. */
export interface ResolvedSettings {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly queueName: (graph: string) => string;
}

/** Fills in the defaults of {@link QueueSettings}. */
export function resolveSettings(settings: QueueSettings, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  return {
    connection: redisOptions(settings.connection ?? env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL),
    prefix: settings.prefix ?? "weft",
    queueName: settings.queueName ?? ((graph) => `weft-${graph.replaceAll(":", "-")}`),
  };
}

/** ioredis options for a connection given as a URL or as options. */
export function redisOptions(connection: RedisConnection): RedisOptions {
  if (typeof connection !== "string") return connection;
  const url = new URL(connection);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new TypeError(`Redis URL "${connection}" must start with redis:// or rediss://.`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname || "127.0.0.1",
    port: url.port === "" ? 6379 : Number(url.port),
    ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
    ...(db === undefined || Number.isNaN(db) ? {} : { db }),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** A connection of our own (pub/sub), which retries forever like BullMQ's. */
export function openRedis(options: RedisOptions): Redis {
  return new Redis({ ...options, maxRetriesPerRequest: null, lazyConnect: false });
}

/** The pub/sub channel on which a queue's cancelled job ids travel. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft-cancel`;
}

/** The same options typed for BullMQ, whose own `RedisOptions` type differs in details from ioredis'. */
export function bullConnection(options: RedisOptions): ConnectionOptions {
  return options as ConnectionOptions;
}
