import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { DEFAULT_REDIS_URL } from "../src/index.js";
import { bullConnection, redisOptions } from "../src/connection.js";

/** The Redis the tests use: `WEFT_REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL;
/** The Postgres the tests use: `WEFT_POSTGRES_URL`, else the local default. */
export const POSTGRES_URL = process.env.WEFT_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Whether a service answers. In CI (`CI` set) an unreachable service throws, so the test file
 * fails loudly; elsewhere it prints a notice and returns false, so the tests skip visibly.
 */
async function available(service: string, url: string, check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    const reason = (error as Error).message || String(error);
    if (process.env.CI) {
      throw new Error(`${service} is not reachable at ${url} (${reason}), and CI is set, so these tests fail instead of skipping.`, {
        cause: error,
      });
    }
    console.warn(`\n!! Skipping @weft/bullmq tests that need ${service}: not reachable at ${url} (${reason}).\n`);
    return false;
  }
}

/** Whether Redis answers at {@link REDIS_URL}. */
export function redisAvailable(): Promise<boolean> {
  return available("Redis", REDIS_URL, async () => {
    const redis = new Redis({ ...redisOptions(REDIS_URL), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    let cause: Error | undefined;
    redis.on("error", (error: Error) => (cause ??= error));
    try {
      await redis.connect().catch((error: Error) => {
        throw cause ?? error;
      });
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  });
}

/** Whether Postgres answers at {@link POSTGRES_URL}. */
export function postgresAvailable(): Promise<boolean> {
  return available("PostgreSQL", POSTGRES_URL, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** A BullMQ key prefix no other test run uses. */
export const freshPrefix = (): string => `weft-test-${process.pid}-${randomBytes(4).toString("hex")}`;

/** A Postgres schema no other test run uses. */
export const freshSchema = (): string => `weft_bullmq_${process.pid}_${randomBytes(4).toString("hex")}`;

/** Runs `use` on a test queue, and closes it. */
async function withQueue<T>(prefix: string, queueName: string, use: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(queueName, { connection: bullConnection(redisOptions(REDIS_URL)), prefix });
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/** How many jobs of a queue wait for a worker. */
export function waitingJobs(prefix: string, queueName: string): Promise<number> {
  return withQueue(prefix, queueName, async (queue) => {
    const counts = await queue.getJobCounts("wait", "prioritized", "delayed");
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  });
}

/** The ids of the jobs waiting in a queue. */
export function waitingJobIds(prefix: string, queueName: string): Promise<string[]> {
  return withQueue(prefix, queueName, async (queue) => (await queue.getWaiting()).map((job) => job.id!));
}

/** Removes one job, as an operator or an eviction would. */
export function removeJob(prefix: string, queueName: string, jobId: string): Promise<unknown> {
  return withQueue(prefix, queueName, (queue) => queue.remove(jobId));
}

/** Removes a test queue with all its jobs and keys. */
export function obliterate(prefix: string, queueName: string): Promise<void> {
  return withQueue(prefix, queueName, (queue) => queue.obliterate({ force: true }));
}

/** Drops a test schema with its tables. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
