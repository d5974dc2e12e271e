import { describe, expect, it } from "vitest";
import type { Checkpointer } from "../checkpoint/checkpointer.js";
import { freshThread, row, type WithSaver } from "./conformance-helpers.js";
import { headConformance } from "./head-conformance.js";
import { leaseConformance } from "./lease-conformance.js";
import { stepConformance } from "./step-conformance.js";
import { wakeupConformance } from "./wakeup-conformance.js";

/** Options of {@link checkpointerConformance}. */
export interface ConformanceOptions {
  /** Creates a checkpointer with no data, or with only threads other tests cannot see. */
  readonly create: () => Promise<Checkpointer> | Checkpointer;
  /** Releases it after each test (close connections, delete files). */
  readonly dispose?: (checkpointer: Checkpointer) => Promise<void> | void;
}

/**
 * The behaviour every {@link Checkpointer} must have, as a vitest suite: storing and listing
 * rows, the `head` check of `put` (including many concurrent writers), pruning a committed
 * step's task and step results, the first-save-wins rule of step results, every rule of thread leases, expiry included, and of wake-ups. Call it from a test
 * file of your backend; Weft's memory, SQLite and Postgres checkpointers all run it.
 *
 * @example
 * ```ts
 * checkpointerConformance("MemoryCheckpointer", { create: () => new MemoryCheckpointer() });
 * ```
 */
export function checkpointerConformance(name: string, options: ConformanceOptions): void {
  const withSaver: WithSaver = (test) => async () => {
    const saver = await options.create();
    try {
      await test(saver);
    } finally {
      await options.dispose?.(saver);
    }
  };

  describe(`${name} conformance`, () => {
    it(
      "returns undefined for a thread it has never seen",
      withSaver(async (saver) => {
        expect(await saver.get(freshThread())).toBeUndefined();
        expect(await saver.list(freshThread())).toEqual([]);
        expect(await saver.getTaskResults(freshThread(), "none")).toEqual([]);
      }),
    );

    it(
      "returns the latest checkpoint by default and any checkpoint by id, byte for byte",
      withSaver(async (saver) => {
        const thread = freshThread();
        const rows = [row(thread, "c0", undefined, 0), row(thread, "c1", "c0", 1), row(thread, "c2", "c1", 2)];
        for (const r of rows) await saver.put(r, { head: r.parentId ?? null });
        expect(await saver.get(thread)).toEqual(rows[2]);
        expect(await saver.get(thread, "c1")).toEqual(rows[1]);
        expect(await saver.get(thread, "missing")).toBeUndefined();
      }),
    );

    it(
      "orders checkpoints by when they were put, not by step or id (forks branch off old ones)",
      withSaver(async (saver) => {
        const thread = freshThread();
        await saver.put(row(thread, "b", undefined, 0), { head: null });
        await saver.put(row(thread, "a", "b", 1), { head: "b" });
        // A fork from "b" is written on top of the head "a".
        await saver.put(row(thread, "fork", "b", 1), { head: "a" });
        expect((await saver.get(thread))?.checkpointId).toBe("fork");
        expect((await saver.list(thread)).map((r) => r.checkpointId)).toEqual(["fork", "a", "b"]);
        expect((await saver.list(thread, { limit: 2 })).map((r) => r.checkpointId)).toEqual(["fork", "a"]);
        expect((await saver.list(thread, { before: "fork" })).map((r) => r.checkpointId)).toEqual(["a", "b"]);
        expect((await saver.list(thread, { before: "a", limit: 5 })).map((r) => r.checkpointId)).toEqual(["b"]);
      }),
    );

    it(
      "refuses to put the same checkpoint id twice in a thread",
      withSaver(async (saver) => {
        const thread = freshThread();
        await saver.put(row(thread, "c0", undefined, 0), { head: null });
        await expect(saver.put(row(thread, "c0", "c0", 0), { head: "c0" })).rejects.toThrow();
        expect(await saver.list(thread)).toHaveLength(1);
        expect((await saver.get(thread))?.checkpointId).toBe("c0");
      }),
    );

    it(
      "keeps threads apart",
      withSaver(async (saver) => {
        const [a, b] = [freshThread(), freshThread()];
        await saver.put(row(a, "c0", undefined, 0), { head: null });
        await saver.put(row(b, "c0", undefined, 3), { head: null });
        expect((await saver.get(a))?.step).toBe(0);
        expect((await saver.get(b))?.step).toBe(3);
        await saver.deleteThread(a);
        expect(await saver.get(a)).toBeUndefined();
        expect((await saver.get(b))?.step).toBe(3);
      }),
    );

    it(
      "stores task results per checkpoint in first-put order, replacing a task's earlier result",
      withSaver(async (saver) => {
        const thread = freshThread();
        await saver.put(row(thread, "c0", undefined, 0), { head: null });
        await saver.putTaskResult({ threadId: thread, checkpointId: "c0", taskId: "1:2", data: "two" });
        await saver.putTaskResult({ threadId: thread, checkpointId: "c0", taskId: "1:0", data: "zero" });
        await saver.putTaskResult({ threadId: thread, checkpointId: "c0", taskId: "1:2", data: "two again" });
        await saver.putTaskResult({ threadId: thread, checkpointId: "other", taskId: "1:0", data: "elsewhere" });
        expect(await saver.getTaskResults(thread, "c0")).toEqual([
          { threadId: thread, checkpointId: "c0", taskId: "1:2", data: "two again" },
          { threadId: thread, checkpointId: "c0", taskId: "1:0", data: "zero" },
        ]);
        await saver.deleteThread(thread);
        expect(await saver.getTaskResults(thread, "c0")).toEqual([]);
      }),
    );

    it(
      "accepts many concurrent task results without losing one",
      withSaver(async (saver) => {
        const thread = freshThread();
        await saver.put(row(thread, "c0", undefined, 0), { head: null });
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            saver.putTaskResult({ threadId: thread, checkpointId: "c0", taskId: `1:${i}`, data: String(i) }),
          ),
        );
        const results = await saver.getTaskResults(thread, "c0");
        expect(results.map((r) => r.data).sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
      }),
    );

    stepConformance(withSaver);
    headConformance(withSaver);
    leaseConformance(withSaver);
    wakeupConformance(withSaver);
  });
}
