import { expect, it } from "vitest";
import { expectCode, freshThread, rejection, row, type WithSaver } from "./conformance-helpers.js";

/** The `head` check of `put` and the pruning of a committed step's task results. */
export function headConformance(withSaver: WithSaver): void {
  it(
    "refuses a put whose head is not the thread's latest checkpoint, writing nothing",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      await saver.put(row(thread, "c1", "c0", 1), { head: "c0" });
      await saver.putTaskResult({ threadId: thread, checkpointId: "c1", taskId: "2:0", data: "kept" });

      const stale = await rejection(saver.put(row(thread, "c2", "c1", 2), { head: "c0" }));
      expectCode(stale, "CHECKPOINT_CONFLICT");
      expect(stale.details).toMatchObject({ threadId: thread, expected: "c0", actual: "c1" });
      expect(stale.message).toContain(thread);
      expect(stale.message).toContain('"c0"');
      expect(stale.message).toContain('"c1"');

      const none = await rejection(saver.put(row(thread, "c2", undefined, 0), { head: null }));
      expectCode(none, "CHECKPOINT_CONFLICT");
      expect(none.details).toMatchObject({ threadId: thread, expected: null, actual: "c1" });

      const unknown = await rejection(saver.put(row(thread, "c2", "c1", 2), { head: "never-written" }));
      expectCode(unknown, "CHECKPOINT_CONFLICT");

      // Nothing of the refused writes is stored, and the pending step's results survive them.
      expect((await saver.list(thread)).map((r) => r.checkpointId)).toEqual(["c1", "c0"]);
      expect(await saver.get(thread, "c2")).toBeUndefined();
      expect((await saver.getTaskResults(thread, "c1")).map((r) => r.data)).toEqual(["kept"]);
    }),
  );

  it(
    "refuses a put with a head on a thread that has no checkpoint",
    withSaver(async (saver) => {
      const thread = freshThread();
      const error = await rejection(saver.put(row(thread, "c0", undefined, 0), { head: "c9" }));
      expectCode(error, "CHECKPOINT_CONFLICT");
      expect(error.details).toMatchObject({ threadId: thread, expected: "c9", actual: null });
      expect(await saver.list(thread)).toEqual([]);
    }),
  );

  it(
    "lets exactly one of 20 concurrent writers with the same head win",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      const writers = Array.from({ length: 20 }, (_, i) => saver.put(row(thread, `w${i}`, "c0", 1), { head: "c0" }));
      const settled = await Promise.allSettled(writers);
      const won = settled.flatMap((result, i) => (result.status === "fulfilled" ? [`w${i}`] : []));
      expect(won).toHaveLength(1);
      for (const result of settled) if (result.status === "rejected") expectCode(result.reason, "CHECKPOINT_CONFLICT");
      expect((await saver.list(thread)).map((r) => r.checkpointId)).toEqual([won[0], "c0"]);
    }),
  );

  it(
    "lets exactly one of 20 concurrent first writers of a new thread win",
    withSaver(async (saver) => {
      const thread = freshThread();
      const settled = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => saver.put(row(thread, `w${i}`, undefined, 0), { head: null })),
      );
      expect(settled.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      for (const result of settled) if (result.status === "rejected") expectCode(result.reason, "CHECKPOINT_CONFLICT");
      expect(await saver.list(thread)).toHaveLength(1);
    }),
  );

  it(
    "refuses a put without a head with INVALID_OPTION",
    withSaver(async (saver) => {
      const thread = freshThread();
      const put = saver.put.bind(saver) as (row: unknown, options?: unknown) => Promise<void>;
      expectCode(await rejection(put(row(thread, "c0", undefined, 0))), "INVALID_OPTION");
      expectCode(await rejection(put(row(thread, "c0", undefined, 0), {})), "INVALID_OPTION");
      expectCode(await rejection(put(row(thread, "c0", undefined, 0), { head: 7 })), "INVALID_OPTION");
      expect(await saver.list(thread)).toEqual([]);
    }),
  );

  it(
    "deletes the task results of the step a checkpoint commits, in the same put",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      for (const taskId of ["1:0", "1:1", "1:2"]) await saver.putTaskResult({ threadId: thread, checkpointId: "c0", taskId, data: taskId });
      await saver.putTaskResult({ threadId: thread, checkpointId: "elsewhere", taskId: "1:0", data: "other step" });
      const other = freshThread();
      await saver.putTaskResult({ threadId: other, checkpointId: "c0", taskId: "1:0", data: "other thread" });

      await saver.put(row(thread, "c1", "c0", 1), { head: "c0" });
      expect(await saver.getTaskResults(thread, "c0")).toEqual([]);
      expect((await saver.getTaskResults(thread, "elsewhere")).map((r) => r.data)).toEqual(["other step"]);
      expect((await saver.getTaskResults(other, "c0")).map((r) => r.data)).toEqual(["other thread"]);

      // A fork's parent is the committed step, whatever the head.
      await saver.putTaskResult({ threadId: thread, checkpointId: "c1", taskId: "2:0", data: "c1's" });
      await saver.putTaskResult({ threadId: thread, checkpointId: "elsewhere", taskId: "1:1", data: "more" });
      await saver.put(row(thread, "fork", "elsewhere", 1), { head: "c1" });
      expect(await saver.getTaskResults(thread, "elsewhere")).toEqual([]);
      expect((await saver.getTaskResults(thread, "c1")).map((r) => r.data)).toEqual(["c1's"]);
    }),
  );
}
