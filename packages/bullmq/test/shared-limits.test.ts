import { startTestServer, type TestServer } from "@weft/openai/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Limit } from "./fixtures/limited-graph.js";
import { killAll, spawnTs, type Child } from "./processes.js";
import { freshPrefix, obliterate, REDIS_URL, redisAvailable } from "./services.js";

const online = await redisAvailable();

let server: TestServer | undefined;
let redis: Redis;
let children: Child[] = [];

/** The four processes, each a BullMQ worker and a driver, kept for every test (see limited-process.ts). */
const startChildren = (): Child[] =>
  Array.from({ length: 4 }, () => spawnTs("test/fixtures/limited-process.ts", [], { WEFT_REDIS_URL: REDIS_URL }));

/**
 * Runs one scenario on the four processes: each starts a BullMQ worker and the driver of one run
 * of `count` model calls on a shared queue, at the test server; they go at once, and it waits
 * until every run has ended and every process has closed its worker and driver. `printed` is what
 * the processes printed for this scenario. When anything fails, the processes are replaced, so
 * that the next test does not meet one still waiting in this scenario.
 */
async function fourProcesses(limit: Limit, count: number): Promise<{ lines: unknown[]; printed: unknown[]; ms: number; prefix: string }> {
  const prefix = freshPrefix();
  const from = children.map((child) => child.lines.length);
  const ofScenario =
    (...words: string[]) =>
    (line: string): boolean =>
      line.includes(`"prefix":"${prefix}"`) && words.some((word) => line.includes(`"${word}"`));
  try {
    for (const child of children) child.process.stdin!.write(`${JSON.stringify({ limit, count, prefix, baseURL: server!.baseURL })}\n`);
    await Promise.all(children.map((child) => child.line(ofScenario("ready"))));
    const t0 = Date.now();
    await redis.set(`${prefix}:go`, "1", "PX", 120_000);
    const lines = await Promise.all(children.map((child) => child.line(ofScenario("done", "failed"))));
    const ms = Date.now() - t0;
    await Promise.all(children.map((child) => child.line(ofScenario("closed"))));
    await obliterate(prefix, "weft-limited");
    const printed = children.flatMap((child, i) =>
      child.lines.slice(from[i]).flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as unknown] : [])),
    );
    const ended = lines.map((line) => {
      const { prefix: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
    return { lines: ended, printed, ms, prefix };
  } catch (error) {
    await killAll();
    children = startChildren();
    throw error;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Requests the server received in each second of its clock, from the first request's second. */
function perSecond(): number[] {
  const times = server!.requests.map((request) => request.receivedAt);
  const first = Math.floor(Math.min(...times) / 1000);
  const counts: number[] = [];
  for (const at of times) {
    const second = Math.floor(at / 1000) - first;
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (count) => count ?? 0);
}

/** The most requests the server received within any `ms` milliseconds. */
function mostWithin(ms: number): number {
  const times = server!.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The most requests the server had in flight at once. */
function mostInFlight(): number {
  const edges = server!.requests.flatMap((request) => [
    { at: request.receivedAt, delta: 1 },
    { at: request.respondedAt ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  // At a tie, the end first: a request answered as the next arrives was not in flight with it.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let inFlight = 0;
  let most = 0;
  for (const { delta } of edges) most = Math.max(most, (inFlight += delta));
  return most;
}

describe.runIf(online)("limits shared in Redis by four worker processes", () => {
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    children = startChildren();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  afterAll(async () => {
    for (const child of children) child.process.stdin!.end();
    await Promise.all(children.map((child) => child.exited));
    await killAll();
    redis?.disconnect();
  });

  it("holds 60 requests per second on one key across the four, counted by the server", async () => {
    server = await startTestServer({ handler: () => ({ text: "ok", latencyMs: 5 }) });

    const { lines, ms } = await fourProcesses("rate", 60);

    expect(lines).toEqual(Array.from({ length: 4 }, () => ({ done: 60, ms: expect.any(Number) })));
    const seconds = perSecond();
    console.info(
      `240 calls at 60/s across 4 processes: ${ms} ms; requests per second at the server: ${seconds.join(", ")}; most within 1000 ms: ${mostWithin(1000)}, 900 ms: ${mostWithin(900)}`,
    );
    expect(server.requests).toHaveLength(240);
    for (const count of seconds) expect(count).toBeLessThanOrEqual(60);
    // 240 requests at 60 per second: the last 60 cannot go before 3 s.
    expect(ms).toBeGreaterThanOrEqual(3000);
  }, 60_000);

  it("never lets a fourth call be in flight under a shared concurrency of 3", async () => {
    // The first three requests are answered only once all three are in (or, if the third never
    // comes, after 20 s): three calls are in flight together however slowly the processes run.
    let arrived = 0;
    let letGo: () => void = () => {};
    const firstThree = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const giveUp = setTimeout(letGo, 20_000);
    server = await startTestServer({
      handler: async () => {
        if (++arrived === 3) letGo();
        if (arrived < 3) await firstThree;
        return { text: "ok", latencyMs: 20 };
      },
    });

    const { lines, ms } = await fourProcesses("concurrency", 15).finally(() => clearTimeout(giveUp));

    expect(lines).toEqual(Array.from({ length: 4 }, () => ({ done: 15, ms: expect.any(Number) })));
    const most = mostInFlight();
    console.info(`60 calls, concurrency 3 across 4 processes: ${ms} ms; most in flight at the server: ${most}`);
    expect(server.requests).toHaveLength(60);
    expect(most).toBe(3);
  }, 60_000);

  it("finishes every branch through a 429 storm: the first calls get 429 with retry-after: 1, and the key pauses for all", async () => {
    const storm = 40;
    server = await startTestServer({
      replies: [{ status: 429, error: "Rate limit reached", headers: { "retry-after": "1" }, times: storm }],
      handler: () => ({ text: "ok", latencyMs: 5 }),
    });

    const { lines, printed, ms } = await fourProcesses("storm", 25);

    expect(lines).toEqual(Array.from({ length: 4 }, () => ({ done: 25, ms: expect.any(Number) })));
    const calls = server.requests.length;
    const rejected = server.requests.filter((request) => request.status === 429).length;
    console.info(`100 branches through a storm of ${storm} 429s across 4 processes: ${calls} calls, ${ms} ms`);
    expect(rejected).toBeGreaterThanOrEqual(storm);
    // Each branch succeeds once; a retry that lands among the first calls may meet a 429 again.
    expect(calls - rejected).toBe(100);
    expect(calls).toBeLessThanOrEqual(100 + 2 * storm);
    // A 429 pauses the key for every process: a turn asked for, in any process, once a pause is
    // written is granted only when the pause has passed (a pause lasts from when Redis wrote it,
    // after it was asked for, for its retry-after). Every request the server saw took a turn.
    const turns = printed.flatMap((line) => (isRecord(line) && Array.isArray(line.turn) ? [line.turn as [number, number]] : []));
    const pauses = printed.flatMap((line) => (isRecord(line) && Array.isArray(line.pause) ? [line.pause as [number, number, number]] : []));
    expect(turns).toHaveLength(calls);
    expect(pauses.length).toBeGreaterThan(0);
    for (const [pauseAsked, written, pauseMs] of pauses) {
      for (const [asked, granted] of turns) if (asked > written) expect(granted).toBeGreaterThanOrEqual(pauseAsked + pauseMs);
    }
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(40_000);
  }, 60_000);
});
