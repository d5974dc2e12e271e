import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EventStore, StoredEvent } from "./event-store.js";
import { MemoryEventStore } from "./memory-event-store.js";
import { SqliteEventStore } from "./sqlite-event-store.js";

const dir = mkdtempSync(join(tmpdir(), "weft-events-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const events = (from: number, to: number): StoredEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, type: "custom", data: JSON.stringify({ n: from + i }) }));

describe.each([
  ["MemoryEventStore", () => new MemoryEventStore()],
  ["SqliteEventStore", () => new SqliteEventStore(join(dir, `${Math.random()}.db`))],
])("%s", (_, make: () => EventStore) => {
  it("keeps a run's events in order and reads them after any id, in pages", async () => {
    const store = make();
    await store.createRun({ runId: "r1", graph: "g", threadId: "t", startedAt: 1 });
    await store.append("r1", events(1, 3));
    await store.append("r1", events(4, 10));
    expect(await store.read("r1", { after: 0, limit: 100 })).toEqual(events(1, 10));
    expect(await store.read("r1", { after: 7, limit: 100 })).toEqual(events(8, 10));
    expect(await store.read("r1", { after: 2, limit: 3 })).toEqual(events(3, 5));
    expect(await store.read("r1", { after: 10, limit: 100 })).toEqual([]);
    expect(await store.read("nope", { after: 0, limit: 100 })).toEqual([]);
    expect(await store.getRun("r1")).toEqual({ runId: "r1", graph: "g", threadId: "t", status: "running", startedAt: 1, events: 10 });
    await store.close();
  });

  it("refuses an event that does not follow the last one, and a run created twice", async () => {
    const store = make();
    await store.createRun({ runId: "r1", graph: "g", threadId: "t", startedAt: 1 });
    await store.append("r1", events(1, 2));
    await expect(store.append("r1", events(2, 3))).rejects.toThrow();
    await expect(store.createRun({ runId: "r1", graph: "g", threadId: "t", startedAt: 2 })).rejects.toThrow();
    expect(await store.read("r1", { after: 0, limit: 10 })).toEqual(events(1, 2));
    await store.close();
  });

  it("ends runs, lists them newest first by graph and thread, marks running ones lost and prunes ended ones", async () => {
    const store = make();
    await store.createRun({ runId: "a", graph: "g", threadId: "t1", startedAt: 10 });
    await store.createRun({ runId: "b", graph: "g", threadId: "t2", startedAt: 20 });
    await store.createRun({ runId: "c", graph: "h", threadId: "t1", startedAt: 30 });
    await store.append("a", events(1, 2));
    await store.endRun("a", { status: "failed", endedAt: 100, error: { name: "GraphError", message: "boom", code: "TASK_FAILED" } });
    await store.endRun("c", { status: "done", endedAt: 300 });
    expect(await store.getRun("a")).toMatchObject({ status: "failed", endedAt: 100, error: { code: "TASK_FAILED" }, events: 2 });
    expect((await store.listRuns({})).map((r) => r.runId)).toEqual(["c", "b", "a"]);
    expect((await store.listRuns({ graph: "g" })).map((r) => r.runId)).toEqual(["b", "a"]);
    expect((await store.listRuns({ graph: "g", threadId: "t1" })).map((r) => r.runId)).toEqual(["a"]);
    expect((await store.listRuns({ limit: 1 })).map((r) => r.runId)).toEqual(["c"]);
    expect(await store.markLost(200)).toBe(1);
    expect(await store.getRun("b")).toMatchObject({ status: "lost", endedAt: 200 });
    expect(await store.prune(201)).toBe(2);
    expect((await store.listRuns({})).map((r) => r.runId)).toEqual(["c"]);
    expect(await store.read("a", { after: 0, limit: 10 })).toEqual([]);
    expect(await store.prune(300)).toBe(0);
    await store.close();
  });
});

describe("SqliteEventStore", () => {
  it("keeps runs and events in its file across instances", async () => {
    const file = join(dir, "reopen.db");
    const first = new SqliteEventStore(file);
    await first.createRun({ runId: "r", graph: "g", threadId: "t", startedAt: 5 });
    await first.append("r", events(1, 4));
    await first.endRun("r", { status: "done", endedAt: 9 });
    await first.close();
    const second = new SqliteEventStore(file);
    expect(await second.getRun("r")).toEqual({
      runId: "r",
      graph: "g",
      threadId: "t",
      status: "done",
      startedAt: 5,
      endedAt: 9,
      events: 4,
    });
    expect(await second.read("r", { after: 1, limit: 10 })).toEqual(events(2, 4));
    await second.close();
  });
});
