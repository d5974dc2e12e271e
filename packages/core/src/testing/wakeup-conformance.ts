import { expect, it } from "vitest";
import type { Checkpointer } from "../checkpoint/checkpointer.js";
import { expectCode, freshThread, rejection, row, type WithSaver } from "./conformance-helpers.js";

/** A minute: how far the store's clock may be from this process's, in these tests. */
const SKEW_MS = 60_000;

/** The due wake-ups of `threads` only: other tests may share the store. */
async function dueOf(saver: Checkpointer, threads: readonly string[], limit?: number): Promise<string[]> {
  const due = await saver.dueWakeups(limit === undefined ? undefined : { limit });
  return due.filter((wakeup) => threads.includes(wakeup.threadId)).map((wakeup) => wakeup.threadId);
}

/** Every rule of wake-ups: the store's clock, setting and removing, what is due, in what order, and bad options. */
export function wakeupConformance(withSaver: WithSaver): void {
  it(
    "tells its clock, which wake-ups fall due by",
    withSaver(async (saver) => {
      const before = Date.now();
      const first = await saver.now();
      const second = await saver.now();
      expect(Number.isFinite(first)).toBe(true);
      expect(first).toBeGreaterThan(before - SKEW_MS);
      expect(first).toBeLessThan(Date.now() + SKEW_MS);
      expect(second).toBeGreaterThanOrEqual(first);
    }),
  );

  it(
    "lists a thread's wake-up once it is due by the store's clock, earliest first, and never before",
    withSaver(async (saver) => {
      const threads = [freshThread(), freshThread(), freshThread()];
      const later = freshThread();
      const now = await saver.now();
      // Set out of order: listed by time, not by when they were set.
      await saver.setWakeup({ threadId: threads[2]!, wakeAt: now - 1000 });
      await saver.setWakeup({ threadId: threads[0]!, wakeAt: now - 3000 });
      await saver.setWakeup({ threadId: threads[1]!, wakeAt: now - 2000 });
      await saver.setWakeup({ threadId: later, wakeAt: now + 120_000 });
      expect(await dueOf(saver, [...threads, later])).toEqual(threads);
      const due = (await saver.dueWakeups()).filter((wakeup) => threads.includes(wakeup.threadId));
      expect(due.map((wakeup) => wakeup.wakeAt)).toEqual([now - 3000, now - 2000, now - 1000]);
      const all = await saver.dueWakeups();
      expect(all.map((wakeup) => wakeup.wakeAt)).toEqual([...all.map((wakeup) => wakeup.wakeAt)].sort((a, b) => a - b));
      for (const wakeup of all) expect(wakeup.wakeAt).toBeLessThanOrEqual(Date.now() + SKEW_MS);
      expect(await saver.dueWakeups({ limit: 1 })).toHaveLength(1);
      expect(await saver.dueWakeups({ limit: 0 })).toEqual([]);
    }),
  );

  it(
    "replaces a thread's wake-up when set again, and removes it with null or with the thread",
    withSaver(async (saver) => {
      const [moved, cleared, deleted] = [freshThread(), freshThread(), freshThread()];
      const now = await saver.now();
      for (const threadId of [moved, cleared, deleted]) await saver.setWakeup({ threadId, wakeAt: now - 500 });
      expect(await dueOf(saver, [moved, cleared, deleted])).toHaveLength(3);
      await saver.setWakeup({ threadId: moved, wakeAt: now + 120_000 });
      await saver.setWakeup({ threadId: cleared, wakeAt: null });
      await saver.setWakeup({ threadId: freshThread(), wakeAt: null }); // none: nothing to do
      await saver.put(row(deleted, "c0", undefined, 0), { head: null });
      await saver.deleteThread(deleted);
      expect(await dueOf(saver, [moved, cleared, deleted])).toEqual([]);
      await saver.setWakeup({ threadId: moved, wakeAt: now - 100 });
      const [wakeup] = (await saver.dueWakeups()).filter((each) => each.threadId === moved);
      expect(wakeup).toEqual({ threadId: moved, wakeAt: now - 100 });
    }),
  );

  it(
    "refuses bad wake-up options with INVALID_OPTION naming the option",
    withSaver(async (saver) => {
      const threadId = freshThread();
      const loose = saver as unknown as Record<string, (options?: unknown) => Promise<unknown>>;
      const cases: [string, unknown, string][] = [
        ["setWakeup", { threadId, wakeAt: -1 }, "wakeAt"],
        ["setWakeup", { threadId, wakeAt: 1.5 }, "wakeAt"],
        ["setWakeup", { threadId, wakeAt: Number.NaN }, "wakeAt"],
        ["setWakeup", { threadId, wakeAt: Number.POSITIVE_INFINITY }, "wakeAt"],
        ["setWakeup", { threadId }, "wakeAt"],
        ["setWakeup", { wakeAt: 1 }, "threadId"],
        ["setWakeup", undefined, "object"],
        ["dueWakeups", { limit: -1 }, "limit"],
        ["dueWakeups", { limit: 0.5 }, "limit"],
      ];
      for (const [method, options, option] of cases) {
        const error = await rejection(loose[method]!.call(saver, options));
        expectCode(error, "INVALID_OPTION");
        expect(error.message).toContain(option);
      }
      expect(await dueOf(saver, [threadId])).toEqual([]);
    }),
  );
}
