import { createHash, createHmac } from "node:crypto";
import { expect, it } from "vitest";
import { z } from "zod";
import { appendList, END, MemoryCheckpointer, Send, START, StateGraph } from "../../src/index.js";
import { threadIds, withStore, type StoreBackend } from "../helpers.js";
import type { Checkpointer, CheckpointRow } from "../../src/adapter.js";

/** A store under test, with its own ways in where the public API has none. */
export interface TamperBackend extends StoreBackend {
  /** How many task-result rows the store holds for `threadId`, read from its tables. */
  readonly countTaskResults?: (saver: Checkpointer, threadId: string) => Promise<number>;
  /** Makes an existing checkpoint the thread's newest row in the store's own storage (SQL). */
  readonly moveToNewest?: (saver: Checkpointer, threadId: string, checkpointId: string) => Promise<void>;
}

const State = z.object({ topic: z.string(), results: appendList(z.string()), count: z.number() });
const Section = z.object({ i: z.number() });

/** plan → three `write` Sends → assemble; writer `failing` fails, so the thread pauses mid-step. */
function reportGraph(checkpointer: Checkpointer, integrityKey?: string, failing?: { readonly writer: number; readonly threadId: string }) {
  return new StateGraph(State, { name: "report" })
    .addNode("plan", () => ({ count: 3 }))
    .addNode(
      "write",
      async ({ i }) => {
        if (failing?.writer === i) {
          const threadId = failing.threadId;
          // Fails only once its two siblings' results are saved, so the thread pauses with them.
          const deadline = Date.now() + 10_000;
          while ((await checkpointer.getTaskResults(threadId, (await checkpointer.get(threadId))!.checkpointId)).length < 2) {
            if (Date.now() > deadline) throw new Error("the other writers' results were never saved");
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          throw new Error(`writer ${i} is down`);
        }
        return { results: `section ${i}` };
      },
      { input: Section },
    )
    .addNode("assemble", (s) => ({ count: s.results.length }))
    .addEdge(START, "plan")
    .addConditionalEdges("plan", () => [0, 1, 2].map((i) => new Send("write", { i })))
    .addEdge("write", "assemble")
    .addEdge("assemble", END)
    .compile({ checkpointer, integrityKey });
}

/** Big enough that later checkpoints store their writes, not a snapshot, so a load replays them. */
const TOPIC = "AI ".repeat(2000);

type Json = { place: Record<string, unknown>; body: Record<string, any> };

/**
 * Rewrites a stored record's body as someone with write access to the store could, with its
 * digest recomputed: a plain sha-256 without a key, or the signature left as it was with one.
 */
function rewrite(data: string, change: (record: Json) => void, key?: string): string {
  const newline = data.indexOf("\n");
  const header = data.slice(0, newline);
  const record = JSON.parse(data.slice(newline + 1)) as Json;
  change(record);
  const json = JSON.stringify(record);
  if (key !== undefined) return `${header}\n${json}`;
  const [version, kind] = header.split(" ");
  return `${version} ${kind} sha256=${createHash("sha256").update(json).digest("hex")}\n${json}`;
}

/** Puts a thread's rows back through the public API, in the order `order` gives, with its task results. */
async function replaceThread(saver: Checkpointer, threadId: string, order: (rows: CheckpointRow[]) => CheckpointRow[]): Promise<void> {
  const rows = (await saver.list(threadId)).reverse();
  const results = (await Promise.all(rows.map((row) => saver.getTaskResults(threadId, row.checkpointId)))).flat();
  await saver.deleteThread(threadId);
  let head: string | null = null;
  for (const row of order(rows)) {
    await saver.put(row, { head });
    head = row.checkpointId;
  }
  for (const result of results) await saver.putTaskResult(result);
}

/** Replaces one checkpoint's data, keeping the thread's order. */
const replaceData = (saver: Checkpointer, threadId: string, checkpointId: string, data: (old: string) => string) =>
  replaceThread(saver, threadId, (rows) => rows.map((row) => (row.checkpointId === checkpointId ? { ...row, data: data(row.data) } : row)));

async function refusal(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  const error = await promise.then(
    () => expect.fail("expected INVALID_CHECKPOINT, but the call succeeded"),
    (caught: unknown) => caught as Error & { code?: string },
  );
  expect(error.code, error.message).toBe("INVALID_CHECKPOINT");
  return error;
}

/**
 * Tampering with a store's rows, each refused with `INVALID_CHECKPOINT` when the thread is read
 * (`getState`) or resumed (`invoke`): swapped task results, rows copied from another thread, an
 * older checkpoint put back as the newest, a wrong-typed value or an unknown key with its
 * checksum recomputed (and, with an integrity key, with the signature left as it was), an
 * unknown node, and Send inputs that no longer match their node's input schema. Also: a
 * finished 100-step thread leaves no task-result rows behind.
 */
export function tamperScenarios(name: string, backend: TamperBackend): void {
  const withSaver = withStore(backend);
  const thread = threadIds("tamper");

  /** A thread paused on writer 1's failure, with writers 0 and 2's results saved. */
  async function paused(saver: Checkpointer, key?: string) {
    const threadId = thread();
    await expect(reportGraph(saver, key, { writer: 1, threadId }).invoke({ topic: TOPIC, count: 0 }, { threadId })).rejects.toMatchObject({
      code: "TASK_FAILED",
    });
    const graph = reportGraph(saver, key);
    const latest = (await saver.get(threadId))!;
    return { threadId, graph, latest };
  }

  it(
    `${name}: resumes an untouched paused thread, reading its saved results back`,
    withSaver(async (saver) => {
      const { threadId, graph } = await paused(saver);
      const final = await graph.invoke(null, { threadId });
      expect(final.results).toEqual(["section 0", "section 1", "section 2"]);
    }),
  );

  for (const key of [undefined, "secret"]) {
    const keyed = key === undefined ? "" : " (with an integrity key)";

    it(
      `${name}: refuses swapped task results${keyed}`,
      withSaver(async (saver) => {
        const { threadId, graph, latest } = await paused(saver, key);
        const results = await saver.getTaskResults(threadId, latest.checkpointId);
        const [first, third] = [results.find((r) => r.taskId === "2:0")!, results.find((r) => r.taskId === "2:2")!];
        await saver.putTaskResult({ ...first, data: third.data });
        await saver.putTaskResult({ ...third, data: first.data });
        const error = await refusal(graph.invoke(null, { threadId }));
        // Whichever of the two is read first is refused.
        expect(error.message).toMatch(/Task result "2:([02])" .* was written with task "2:(?!\1)[02]", not "2:\1"/);
        await refusal(graph.getState(threadId));
      }),
    );

    it(
      `${name}: refuses checkpoints copied from another thread${keyed}`,
      withSaver(async (saver) => {
        const source = thread();
        const graph = reportGraph(saver, key);
        await graph.invoke({ topic: TOPIC, count: 0 }, { threadId: source });
        const copy = thread();
        let head: string | null = null;
        for (const row of (await saver.list(source)).reverse()) {
          await saver.put({ ...row, threadId: copy }, { head });
          head = row.checkpointId;
        }
        const error = await refusal(graph.getState(copy));
        expect(error.message).toContain(`was written with thread "${source}", not "${copy}"`);
        await refusal(graph.invoke({ topic: "ML", count: 0 }, { threadId: copy }));
      }),
    );

    it(
      `${name}: refuses an older checkpoint put back as the newest${keyed}`,
      withSaver(async (saver) => {
        const threadId = thread();
        const graph = reportGraph(saver, key);
        await graph.invoke({ topic: TOPIC, count: 0 }, { threadId });
        const rows = (await saver.list(threadId)).reverse();
        const old = rows[1]!;
        if (backend.moveToNewest !== undefined) await backend.moveToNewest(saver, threadId, old.checkpointId);
        else await replaceThread(saver, threadId, (all) => [...all.filter((row) => row !== old), old]);
        expect((await saver.get(threadId))?.checkpointId).toBe(old.checkpointId);
        const error = await refusal(graph.getState(threadId));
        expect(error.message).toContain(`its latest checkpoint "${old.checkpointId}" has write sequence number 2`);
        expect(error.message).toContain("an older checkpoint was put back as the newest");
        await refusal(graph.invoke(null, { threadId }));
        // The history is still readable checkpoint by checkpoint.
        expect((await graph.getState(threadId, { checkpointId: rows.at(-1)!.checkpointId }))?.values.count).toBe(3);
      }),
    );

    it(
      `${name}: refuses a state value of the wrong type in a snapshot and in a write${keyed}`,
      withSaver(async (saver) => {
        const threadId = thread();
        const graph = reportGraph(saver, key);
        await graph.invoke({ topic: TOPIC, count: 0 }, { threadId });
        const [first, second] = (await saver.list(threadId)).reverse() as [CheckpointRow, CheckpointRow];
        await replaceData(saver, threadId, first.checkpointId, (data) => rewrite(data, (r) => (r.body.snapshot.count = "lots"), key));
        const error = await refusal(graph.getState(threadId));
        if (key === undefined)
          expect(error.message).toMatch(new RegExp(`Checkpoint "${first.checkpointId}" .* invalid value of state key "count"`));
        else expect(error.message).toContain("changed or corrupted");

        await replaceData(saver, threadId, first.checkpointId, () => first.data);
        expect((await graph.getState(threadId))?.values.count).toBe(3);
        await replaceData(saver, threadId, second.checkpointId, (data) =>
          rewrite(data, (r) => (r.body.writes[0].values.count = { $weft: "bigint", v: "3" }), key),
        );
        const written = await refusal(graph.getState(threadId));
        if (key === undefined)
          expect(written.message).toMatch(new RegExp(`Checkpoint "${second.checkpointId}" .* invalid write of state key "count"`));
        else expect(written.message).toContain("changed or corrupted");
      }),
    );

    it(
      `${name}: refuses a state key the graph does not have${keyed}`,
      withSaver(async (saver) => {
        const { threadId, graph, latest } = await paused(saver, key);
        await replaceData(saver, threadId, latest.checkpointId, (data) =>
          rewrite(data, (r) => (r.body.writes[0].values.sumary = "x"), key),
        );
        const error = await refusal(graph.invoke(null, { threadId }));
        if (key === undefined) {
          expect(error.message).toContain(`Checkpoint "${latest.checkpointId}"`);
          expect(error.message).toContain('state key "sumary"');
          expect(error.details).toMatchObject({ key: "sumary" });
        } else {
          expect(error.message).toContain("changed or corrupted");
        }
      }),
    );

    it(
      `${name}: refuses a node the graph does not have, and a Send input its node refuses${keyed}`,
      withSaver(async (saver) => {
        const { threadId, graph, latest } = await paused(saver, key);
        await replaceData(saver, threadId, latest.checkpointId, (data) => rewrite(data, (r) => (r.body.next[1].node = "rewrite"), key));
        const error = await refusal(graph.invoke(null, { threadId }));
        if (key === undefined) {
          expect(error.message).toContain(`Checkpoint "${latest.checkpointId}"`);
          expect(error.message).toContain('node "rewrite"');
          expect(error.details).toMatchObject({ node: "rewrite" });
        } else {
          expect(error.message).toContain("changed or corrupted");
        }

        await replaceData(saver, threadId, latest.checkpointId, () => latest.data);
        await replaceData(saver, threadId, latest.checkpointId, (data) => rewrite(data, (r) => (r.body.next[1].input = { i: "one" }), key));
        const input = await refusal(graph.invoke(null, { threadId }));
        if (key === undefined) expect(input.message).toMatch(/holds a Send to "write" whose input does not match the node's input schema/);
        else expect(input.message).toContain("changed or corrupted");
      }),
    );

    it(
      `${name}: refuses a saved task result whose write no longer fits the state${keyed}`,
      withSaver(async (saver) => {
        const { threadId, graph, latest } = await paused(saver, key);
        const [result] = (await saver.getTaskResults(threadId, latest.checkpointId)).filter((r) => r.taskId === "2:0");
        await saver.putTaskResult({ ...result!, data: rewrite(result!.data, (r) => (r.body.write.values.results = [7]), key) });
        const error = await refusal(graph.invoke(null, { threadId }));
        if (key === undefined) expect(error.message).toMatch(/Task result "2:0" .* invalid write of state key "results"/);
        else expect(error.message).toContain("changed or corrupted");
      }),
    );
  }

  it(
    `${name}: keeps no task-result rows once a 100-step thread has finished`,
    withSaver(async (saver) => {
      const threadId = thread();
      const Loop = z.object({ n: z.number(), log: appendList(z.number()) });
      const graph = new StateGraph(Loop)
        .addNode("a", (s) => ({ n: s.n + 1 }))
        .addNode("b", (s) => ({ log: s.n }))
        .addEdge(START, "a")
        .addEdge(START, "b")
        .addEdge("b", END)
        .addConditionalEdges("a", (s) => (s.n < 100 ? ["a", "b"] : END))
        .compile({ checkpointer: saver });
      const final = await graph.invoke({ n: 0 }, { threadId, maxSteps: 200 });
      expect(final.n).toBe(100);
      const rows = await saver.list(threadId);
      expect(rows).toHaveLength(101);
      for (const row of rows) expect(await saver.getTaskResults(threadId, row.checkpointId)).toEqual([]);
      if (backend.countTaskResults !== undefined) expect(await backend.countTaskResults(saver, threadId)).toBe(0);
    }),
    // A hang guard: a hundred steps against a database server take seconds on a busy machine.
    30_000,
  );
}

/** Signs with HMAC like Weft does; exported for stores' own tamper tests. */
export const hmac = (key: string, json: string): string => createHmac("sha256", key).update(json).digest("hex");

/** The memory backend of these scenarios. */
export const memoryBackend: TamperBackend = { create: () => new MemoryCheckpointer() };
