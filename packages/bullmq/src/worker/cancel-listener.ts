import type { Redis, RedisOptions } from "ioredis";
import { openRedis } from "../connection.js";

/** How long a cancel is remembered for a job that has not started on this worker yet. */
const REMEMBER_MS = 10 * 60_000;

/**
 * A worker's ear on its queue's cancel channel. A cancel for a job this worker runs aborts it
 * at once (`abort` returns true); a cancel that arrives before the job starts here is
 * remembered, so that the worker answers the job without running its node when it starts.
 */
export class CancelListener {
  readonly #redis: Redis;
  readonly #recent = new Map<string, { reason: string; at: number }>();
  /** Resolves once the subscription is active. */
  readonly ready: Promise<void>;

  constructor(options: RedisOptions, channel: string, abort: (jobId: string, reason: string) => boolean) {
    this.#redis = openRedis(options);
    this.#redis.on("error", () => {
      // ioredis reconnects and resubscribes by itself.
    });
    this.#redis.on("message", (_channel: string, message: string) => {
      let parsed: { jobIds?: unknown; reason?: unknown };
      try {
        parsed = JSON.parse(message) as typeof parsed;
      } catch {
        return;
      }
      if (!Array.isArray(parsed.jobIds)) return;
      const reason = typeof parsed.reason === "string" ? parsed.reason : "cancelled by the driver";
      for (const jobId of parsed.jobIds) {
        if (typeof jobId === "string" && !abort(jobId, reason)) this.#remember(jobId, reason);
      }
    });
    this.ready = this.#redis.subscribe(channel).then(() => undefined);
  }

  /** The reason a job was cancelled before it started here, if it was. */
  cancelled(jobId: string): string | undefined {
    return this.#recent.get(jobId)?.reason;
  }

  /** Unsubscribes and closes the connection. */
  close(): void {
    this.#redis.disconnect();
  }

  #remember(jobId: string, reason: string): void {
    const now = Date.now();
    this.#recent.set(jobId, { reason, at: now });
    // Maps iterate in insertion order: the oldest entries come first.
    for (const [id, entry] of this.#recent) {
      if (entry.at > now - REMEMBER_MS) break;
      this.#recent.delete(id);
    }
  }
}
