import { expect, it } from "vitest";
import type { StepResultRow } from "../checkpoint/checkpointer.js";
import { freshThread, row, type WithSaver } from "./conformance-helpers.js";

/** A step result row of `thread`, checkpoint `c0`, task `1:0` unless told otherwise. */
const step = (threadId: string, stepKey: string, data: string, at: Partial<StepResultRow> = {}): StepResultRow => ({
  threadId,
  checkpointId: "c0",
  taskId: "1:0",
  stepKey,
  data,
  ...at,
});

const byKey = (rows: readonly StepResultRow[]): StepResultRow[] =>
  [...rows].sort((a, b) => `${a.taskId} ${a.stepKey}`.localeCompare(`${b.taskId} ${b.stepKey}`));

/** The conformance cases of `ctx.step` results: first save wins, per task, pruned with the step's commit. */
export function stepConformance(withSaver: WithSaver): void {
  it(
    "stores step results per task, and keeps the first save of a step: a later one returns the saved row",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      expect(await saver.getStepResults(thread, "c0", "1:0")).toEqual([]);
      const first = step(thread, "charge#0", "first");
      expect(await saver.putStepResult(first)).toEqual(first);
      expect(await saver.putStepResult(step(thread, "charge#0", "second"))).toEqual(first);
      await saver.putStepResult(step(thread, "charge#1", "other occurrence"));
      await saver.putStepResult(step(thread, "charge#0", "other task", { taskId: "1:1" }));
      await saver.putStepResult(step(thread, "charge#0", "other checkpoint", { checkpointId: "c9" }));
      await saver.putStepResult(step(`${thread}-other`, "charge#0", "other thread"));
      expect(byKey(await saver.getStepResults(thread, "c0", "1:0"))).toEqual([first, step(thread, "charge#1", "other occurrence")]);
      expect(await saver.getStepResults(thread, "c0", "1:1")).toEqual([step(thread, "charge#0", "other task", { taskId: "1:1" })]);
      await saver.deleteThread(thread);
      expect(await saver.getStepResults(thread, "c0", "1:0")).toEqual([]);
      expect(await saver.getStepResults(thread, "c9", "1:0")).toEqual([]);
      expect(await saver.getStepResults(`${thread}-other`, "c0", "1:0")).toHaveLength(1);
      await saver.deleteThread(`${thread}-other`);
    }),
  );

  it(
    "of many concurrent saves of one step, exactly one is kept, and every save returns that one",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      const saved = await Promise.all(Array.from({ length: 50 }, (_, i) => saver.putStepResult(step(thread, "pay#0", `writer ${i}`))));
      const kept = await saver.getStepResults(thread, "c0", "1:0");
      expect(kept).toHaveLength(1);
      for (const answer of saved) expect(answer).toEqual(kept[0]);
      // And many different steps at once: none lost.
      await Promise.all(Array.from({ length: 100 }, (_, i) => saver.putStepResult(step(thread, `s#${i}`, String(i), { taskId: "1:1" }))));
      expect(await saver.getStepResults(thread, "c0", "1:1")).toHaveLength(100);
    }),
  );

  it(
    "removes a step's step results when the checkpoint that commits it is put, and no others",
    withSaver(async (saver) => {
      const thread = freshThread();
      await saver.put(row(thread, "c0", undefined, 0), { head: null });
      await saver.putStepResult(step(thread, "a#0", "of c0"));
      await saver.putStepResult(step(thread, "a#0", "of c0, task 1:1", { taskId: "1:1" }));
      await saver.putStepResult(step(thread, "a#0", "of a fork point", { checkpointId: "elsewhere" }));
      await saver.put(row(thread, "c1", "c0", 1), { head: "c0" });
      expect(await saver.getStepResults(thread, "c0", "1:0")).toEqual([]);
      expect(await saver.getStepResults(thread, "c0", "1:1")).toEqual([]);
      expect(await saver.getStepResults(thread, "elsewhere", "1:0")).toHaveLength(1);
      // A put refused for its head removes nothing.
      await saver.putStepResult(step(thread, "b#0", "of c1", { checkpointId: "c1" }));
      await expect(saver.put(row(thread, "c2", "c1", 2), { head: "c0" })).rejects.toThrow();
      expect(await saver.getStepResults(thread, "c1", "1:0")).toHaveLength(1);
    }),
  );
}
