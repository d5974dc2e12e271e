import { expect, it } from "vitest";
import type { Checkpointer } from "../checkpoint/checkpointer.js";
import { eventually, expectCode, freshThread, rejection, row, type WithSaver } from "./conformance-helpers.js";

/** Long enough that a lease cannot expire during a test on a loaded machine. */
const LIVE_MS = 120_000;
/** Short enough to wait out; tests wait for expiry by polling, never by a fixed sleep. */
const SHORT_MS = 100;

const expired = (saver: Checkpointer, threadId: string) => async (): Promise<boolean> =>
  (await saver.expiredLeases()).some((lease) => lease.threadId === threadId);

/** Every rule of thread leases: acquire, renew, release, requests, expiry and races. */
export function leaseConformance(withSaver: WithSaver): void {
  it(
    "gives a free thread's lease to the first owner, and only a live holder's lease to the others",
    withSaver(async (saver) => {
      const threadId = freshThread();
      const before = Date.now();
      const first = await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS });
      expect(first).toMatchObject({ acquired: true, lease: { threadId, owner: "a", request: undefined } });
      // The store's clock, give or take a minute: it may be another machine's.
      expect(first.lease.expiresAt).toBeGreaterThan(before + LIVE_MS - 60_000);
      expect(first.lease.expiresAt).toBeLessThan(Date.now() + LIVE_MS + 60_000);

      const second = await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS });
      expect(second).toMatchObject({ acquired: false, lease: { threadId, owner: "a" } });

      // The holder acquiring again renews its lease.
      const again = await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS * 2 });
      expect(again).toMatchObject({ acquired: true, lease: { owner: "a" } });
      expect(again.lease.expiresAt).toBeGreaterThan(first.lease.expiresAt);
      expect(await saver.expiredLeases()).not.toContainEqual(expect.objectContaining({ threadId }));
    }),
  );

  it(
    "renews only the holder's lease, and releases only on the holder's word",
    withSaver(async (saver) => {
      const threadId = freshThread();
      await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS });
      expect(await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).toEqual({ held: true, request: undefined });
      expect(await saver.renewLease({ threadId, owner: "b", ttlMs: LIVE_MS })).toEqual({ held: false, request: undefined });
      expect(await saver.renewLease({ threadId: freshThread(), owner: "a", ttlMs: LIVE_MS })).toEqual({ held: false, request: undefined });

      await saver.releaseLease({ threadId, owner: "b" });
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).acquired).toBe(false);
      await saver.releaseLease({ threadId, owner: "a" });
      expect((await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).held).toBe(false);
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).acquired).toBe(true);
      await saver.releaseLease({ threadId: freshThread(), owner: "a" }); // no lease: nothing to do
    }),
  );

  it(
    "passes a request to the holder on its next renew, and refuses one without a live lease",
    withSaver(async (saver) => {
      const threadId = freshThread();
      expect(await saver.requestLease({ threadId, request: "interrupt" })).toBe(false);
      await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS });
      expect(await saver.requestLease({ threadId, request: "interrupt" })).toBe(true);
      expect(await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).toEqual({ held: true, request: "interrupt" });
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).lease.request).toBe("interrupt");
      expect(await saver.requestLease({ threadId, request: "rollback" })).toBe(true);
      expect(await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).toEqual({ held: true, request: "rollback" });
      expect(await saver.renewLease({ threadId, owner: "b", ttlMs: LIVE_MS })).toEqual({ held: false, request: undefined });
      await saver.releaseLease({ threadId, owner: "a" });
      expect(await saver.requestLease({ threadId, request: "interrupt" })).toBe(false);
      // A new holder starts without the old holder's request.
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).lease.request).toBeUndefined();
    }),
  );

  it(
    "lets an expired lease be taken over, after which the old holder holds nothing",
    withSaver(async (saver) => {
      const threadId = freshThread();
      await saver.acquireLease({ threadId, owner: "a", ttlMs: SHORT_MS });
      await saver.requestLease({ threadId, request: "interrupt" });
      await eventually(expired(saver, threadId), "the lease to expire");
      expect(await saver.requestLease({ threadId, request: "rollback" })).toBe(false);

      const taken = await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS });
      expect(taken).toMatchObject({ acquired: true, lease: { owner: "b", request: undefined } });
      expect(await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).toEqual({ held: false, request: undefined });
      await saver.releaseLease({ threadId, owner: "a" });
      expect((await saver.acquireLease({ threadId, owner: "c", ttlMs: LIVE_MS })).lease.owner).toBe("b");
      expect(await saver.expiredLeases()).not.toContainEqual(expect.objectContaining({ threadId }));
    }),
  );

  it(
    "lets the holder renew its expired lease while no one else took it",
    withSaver(async (saver) => {
      const threadId = freshThread();
      await saver.acquireLease({ threadId, owner: "a", ttlMs: SHORT_MS });
      await eventually(expired(saver, threadId), "the lease to expire");
      expect(await saver.renewLease({ threadId, owner: "a", ttlMs: LIVE_MS })).toEqual({ held: true, request: undefined });
      expect(await saver.expiredLeases()).not.toContainEqual(expect.objectContaining({ threadId }));
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).acquired).toBe(false);
    }),
  );

  it(
    "lists expired leases oldest first, up to a limit, and never live ones",
    withSaver(async (saver) => {
      const threads = [freshThread(), freshThread(), freshThread()];
      const live = freshThread();
      await saver.acquireLease({ threadId: live, owner: "live", ttlMs: LIVE_MS });
      for (const [i, threadId] of threads.entries()) {
        await saver.acquireLease({ threadId, owner: `o${i}`, ttlMs: SHORT_MS * (i + 1) });
      }
      await eventually(expired(saver, threads[2]!), "the last lease to expire");
      const listed = (await saver.expiredLeases()).filter((lease) => threads.includes(lease.threadId) || lease.threadId === live);
      expect(listed.map((lease) => lease.threadId)).toEqual(threads);
      expect(listed.map((lease) => lease.owner)).toEqual(["o0", "o1", "o2"]);
      for (const lease of listed) expect(lease.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
      const all = await saver.expiredLeases();
      expect(all.map((lease) => lease.expiresAt)).toEqual([...all.map((lease) => lease.expiresAt)].sort((a, b) => a - b));
      expect(await saver.expiredLeases({ limit: 1 })).toHaveLength(1);
      expect(await saver.expiredLeases({ limit: 0 })).toEqual([]);
      for (const threadId of threads) await saver.releaseLease({ threadId, owner: `o${threads.indexOf(threadId)}` });
      expect((await saver.expiredLeases()).filter((lease) => threads.includes(lease.threadId))).toEqual([]);
    }),
  );

  it(
    "gives a free lease, and an expired one, to exactly one of many racing acquirers",
    withSaver(async (saver) => {
      const race = (threadId: string, round: number) =>
        Promise.all(Array.from({ length: 10 }, (_, i) => saver.acquireLease({ threadId, owner: `r${round}-${i}`, ttlMs: LIVE_MS })));
      for (let round = 0; round < 5; round++) {
        const free = freshThread();
        const results = await race(free, round);
        expect(results.filter((result) => result.acquired)).toHaveLength(1);
        const winner = results.find((result) => result.acquired)!.lease.owner;
        for (const result of results) expect(result.lease.owner).toBe(winner);

        const stale = freshThread();
        await saver.acquireLease({ threadId: stale, owner: "dead", ttlMs: SHORT_MS });
        await eventually(expired(saver, stale), "the lease to expire");
        const takeover = await race(stale, round);
        expect(takeover.filter((result) => result.acquired)).toHaveLength(1);
        expect(takeover.every((result) => result.lease.owner !== "dead")).toBe(true);
      }
    }),
  );

  it(
    "removes a thread's lease with the thread",
    withSaver(async (saver) => {
      const threadId = freshThread();
      await saver.put(row(threadId, "c0", undefined, 0), { head: null });
      await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS });
      await saver.deleteThread(threadId);
      expect((await saver.acquireLease({ threadId, owner: "b", ttlMs: LIVE_MS })).acquired).toBe(true);
    }),
  );

  it(
    "refuses bad lease options with INVALID_OPTION naming the option",
    withSaver(async (saver) => {
      const threadId = freshThread();
      const loose = saver as unknown as Record<string, (options?: unknown) => Promise<unknown>>;
      const cases: [string, unknown, string][] = [
        ["acquireLease", { threadId, owner: "a", ttlMs: 0 }, "ttlMs"],
        ["acquireLease", { threadId, owner: "a", ttlMs: 1.5 }, "ttlMs"],
        ["acquireLease", { threadId, owner: "", ttlMs: 10 }, "owner"],
        ["acquireLease", { owner: "a", ttlMs: 10 }, "threadId"],
        ["renewLease", { threadId, owner: "a", ttlMs: "soon" }, "ttlMs"],
        ["releaseLease", { threadId, owner: 3 }, "owner"],
        ["requestLease", { threadId, request: "stop" }, "request"],
        ["expiredLeases", { limit: -1 }, "limit"],
        ["acquireLease", undefined, "object"],
      ];
      for (const [method, options, option] of cases) {
        const error = await rejection(loose[method]!.call(saver, options));
        expectCode(error, "INVALID_OPTION");
        expect(error.message).toContain(option);
      }
      expect((await saver.acquireLease({ threadId, owner: "a", ttlMs: LIVE_MS })).acquired).toBe(true);
    }),
  );
}
