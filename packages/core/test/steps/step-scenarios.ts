import { expect, it } from "vitest";
import { z } from "zod";
import { appendList, Command, END, Send, START, StateGraph } from "../../src/index.js";
import { threadIds, withStore, type StoreBackend } from "../helpers.js";
import type { Checkpointer } from "../../src/adapter.js";

/** A store under test: a fresh one, and the same data seen through a new instance (a restarted process). */
export interface StepBackend extends StoreBackend {
  /** The same store as a new process would open it; the memory store returns itself. */
  readonly reopen: (saver: Checkpointer) => Promise<Checkpointer> | Checkpointer;
}

const State = z.object({ log: appendList(z.string()), keys: appendList(z.string()) });
const Item = z.object({ i: z.number() });

/** Counts calls of step functions, by label, across graph instances and processes' stand-ins. */
class Calls {
  readonly counts = new Map<string, number>();
  /** The `ctx.idempotencyKey` each run of each task saw, by the task's Send index. */
  readonly keys = new Map<number, Set<string>>();
  hit(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
}

/**
 * Two Sends to `agent`: each runs two model calls as concurrent steps and one tool call, then
 * asks a human. With `skipSteps` for Send 1, that task asks first and runs no step before it.
 */
function agentGraph(saver: Checkpointer, calls: Calls, options: { integrityKey?: string; skipSteps?: boolean } = {}) {
  return new StateGraph(State, { name: "steps" })
    .addNode("plan", () => ({}))
    .addNode(
      "agent",
      async ({ i }, ctx) => {
        if (!calls.keys.has(i)) calls.keys.set(i, new Set());
        calls.keys.get(i)!.add(ctx.idempotencyKey);
        if (options.skipSteps === true && i === 1) ctx.interrupt(`ask ${i} first`);
        const [a, b] = await Promise.all([
          ctx.step("model", async () => {
            calls.hit(`${i}:model#0`);
            await new Promise((resolve) => setTimeout(resolve, 10));
            return { text: `a${i}`, at: new Date(0) };
          }),
          ctx.step("model", () => {
            calls.hit(`${i}:model#1`);
            return { text: `b${i}`, at: new Date(1) };
          }),
        ]);
        const tool = await ctx.step("tool", ({ idempotencyKey }) => {
          calls.hit(`${i}:tool#0`);
          return { result: `t${i}`, key: idempotencyKey };
        });
        const answer = ctx.interrupt<string>(`approve ${i}?`);
        return {
          log: `${i}:${a.text}${b.text}${tool.result}:${a.at.getTime()}${b.at.getTime()}:${answer}`,
          keys: [ctx.idempotencyKey, tool.key],
        };
      },
      { input: Item },
    )
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => [0, 1].map((i) => new Send("agent", { i })))
    .addEdge("agent", END)
    .compile({ checkpointer: saver, integrityKey: options.integrityKey });
}

/** Every step of both agent tasks, called once. */
const EACH_STEP_ONCE = Object.fromEntries(["0", "1"].flatMap((i) => ["model#0", "model#1", "tool#0"].map((step) => [`${i}:${step}`, 1])));

type Json = { place: Record<string, unknown>; body: Record<string, any> };

/** Rewrites a stored record's content as someone with write access to the store could, keeping its signature. */
function forge(data: string, change: (record: Json) => void): string {
  const newline = data.indexOf("\n");
  const record = JSON.parse(data.slice(newline + 1)) as Json;
  change(record);
  return `${data.slice(0, newline)}\n${JSON.stringify(record)}`;
}

/**
 * `ctx.step` on a durable thread, for every checkpointer: finished steps survive an interrupt
 * and a restart (the resume calls none of them again), concurrent steps keep their identity, a
 * resume that writes an update keeps them, the rows go once the step commits, and a step row
 * moved to another thread, task or step, or changed under an integrity key, is refused.
 */
export function stepScenarios(name: string, backend: StepBackend): void {
  const withSaver = withStore(backend);
  const thread = threadIds("steps");

  it(
    `${name}: finished steps survive an interrupt and a restart: the resume calls none of them again`,
    withSaver(async (saver) => {
      const calls = new Calls();
      const threadId = thread();
      const paused = await agentGraph(saver, calls).run({}, { threadId });
      expect(paused.interrupts.map((interrupt) => interrupt.value)).toEqual(["approve 0?", "approve 1?"]);
      const again = await backend.reopen(saver);
      try {
        const graph = agentGraph(again, calls);
        const answers = Object.fromEntries(paused.interrupts.map((interrupt) => [interrupt.id, `yes ${interrupt.sendIndex}`]));
        const done = await graph.invoke(new Command({ resume: answers }), { threadId });
        expect(done.log).toEqual(["0:a0b0t0:01:yes 0", "1:a1b1t1:01:yes 1"]);
        expect(Object.fromEntries(calls.counts)).toEqual(EACH_STEP_ONCE);
        // Each task's key, and its tool step's key: distinct, and what the first run saw.
        expect(new Set(done.keys).size).toBe(4);
        // The committed step's step results are gone from the store.
        for (const row of await again.list(threadId)) {
          for (const taskId of ["2:0", "2:1"]) expect(await again.getStepResults(threadId, row.checkpointId, taskId)).toEqual([]);
        }
      } finally {
        if (again !== saver) await backend.dispose?.(again);
      }
    }),
  );

  it(
    `${name}: a resume that writes an update keeps the finished steps and the tasks' idempotency keys`,
    withSaver(async (saver) => {
      const calls = new Calls();
      const threadId = thread();
      const graph = agentGraph(saver, calls);
      const paused = await graph.run({}, { threadId });
      const first = paused.interrupts.find((interrupt) => interrupt.sendIndex === 0)!;
      const resumed = await graph.run(new Command({ resume: { [first.id]: "yes" }, update: { log: "edited" } }), { threadId });
      expect(resumed.status).toBe("interrupted");
      expect(resumed.checkpointId).not.toBe(paused.checkpointId);
      const done = await graph.invoke(new Command({ resume: { [resumed.interrupts[0]!.id]: "later" } }), { threadId });
      expect(done.log).toEqual(["edited", "0:a0b0t0:01:yes", "1:a1b1t1:01:later"]);
      expect(Object.fromEntries(calls.counts)).toEqual(EACH_STEP_ONCE);
      // Task 0 ran three times (ask, after the update, after the last answer) with one key.
      expect(calls.keys.get(0)!.size).toBe(1);
      expect(calls.keys.get(1)!.size).toBe(1);
      expect(new Set(done.keys).size).toBe(4);
    }),
  );

  /** A thread paused with task 2:0's steps saved and task 2:1 asking before its first step. */
  async function pausedWithFreeTask(saver: Checkpointer, integrityKey?: string) {
    const threadId = thread();
    const calls = new Calls();
    const paused = await agentGraph(saver, calls, { integrityKey, skipSteps: true }).run({}, { threadId });
    const checkpointId = paused.checkpointId!;
    const rows = await saver.getStepResults(threadId, checkpointId, "2:0");
    expect(rows.map((row) => row.stepKey).sort()).toEqual(["model#0", "model#1", "tool#0"]);
    expect(await saver.getStepResults(threadId, checkpointId, "2:1")).toEqual([]);
    const resume = async () => {
      const graph = agentGraph(saver, calls, { integrityKey });
      const answers = Object.fromEntries(paused.interrupts.map((interrupt) => [interrupt.id, "yes"]));
      return graph.invoke(new Command({ resume: answers }), { threadId });
    };
    return { threadId, checkpointId, rows, resume };
  }

  async function refused(promise: Promise<unknown>, says: string): Promise<void> {
    const error = (await promise.then(
      () => expect.fail("expected INVALID_CHECKPOINT, but the resume succeeded"),
      (caught: unknown) => caught,
    )) as Error & { code?: string; details?: { failures?: { error: Error & { code?: string } }[] } };
    const cause = error.code === "TASK_FAILED" ? error.details!.failures![0]!.error : error;
    expect(cause.code, cause.message).toBe("INVALID_CHECKPOINT");
    expect(cause.message).toContain(says);
  }

  it(
    `${name}: refuses a step row moved to another task`,
    withSaver(async (saver) => {
      const { threadId, checkpointId, rows, resume } = await pausedWithFreeTask(saver);
      const model = rows.find((row) => row.stepKey === "model#0")!;
      await saver.putStepResult({ ...model, taskId: "2:1" });
      await refused(resume(), 'written with task "2:0", not "2:1"');
      expect(checkpointId).toBeDefined();
      expect(threadId).toBeDefined();
    }),
  );

  it(
    `${name}: refuses a step row moved to another step of its task, or copied from another thread`,
    withSaver(async (saver) => {
      const one = await pausedWithFreeTask(saver);
      const model = one.rows.find((row) => row.stepKey === "model#0")!;
      await saver.putStepResult({
        ...model,
        taskId: "2:1",
        stepKey: "tool#0",
        data: one.rows.find((row) => row.stepKey === "tool#0")!.data,
      });
      await refused(one.resume(), 'written with task "2:0", not "2:1"');
      const two = await pausedWithFreeTask(saver);
      const three = await pausedWithFreeTask(saver);
      // Thread three's row for 2:0 model#0, put where thread two's 2:1 has nothing yet.
      const foreign = three.rows.find((row) => row.stepKey === "model#0")!;
      await saver.putStepResult({ ...foreign, threadId: two.threadId, checkpointId: two.checkpointId, taskId: "2:1" });
      await refused(two.resume(), "was refused: it was written with thread");
    }),
  );

  it(
    `${name}: with an integrity key, refuses a step row whose value or place was rewritten`,
    withSaver(async (saver) => {
      const key = "k".repeat(32);
      const changed = await pausedWithFreeTask(saver, key);
      const model = changed.rows.find((row) => row.stepKey === "model#1")!;
      // Put where task 2:1 has nothing yet, saying so inside; the value changed too; the signature kept.
      const forged = forge(model.data, (record) => {
        record.place.task = "2:1";
        record.body.value.text = "forged";
      });
      await saver.putStepResult({ ...model, taskId: "2:1", data: forged });
      await refused(changed.resume(), "was changed or corrupted");
    }),
  );
}
