import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { END, MemoryCheckpointer, START, StateGraph } from "@weft/core";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { SqliteEventStore } from "../src/index.js";
import { chainGraph, fanoutGraph, Gate } from "./graphs.js";
import { call, closedAfterEach, readEvents } from "./http.js";

const dir = mkdtempSync(join(tmpdir(), "weft-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const serve = closedAfterEach();

describe("a SQLite event store", () => {
  it("keeps the events of finished runs across a server restart, for re-attaching with Last-Event-ID", async () => {
    const file = join(dir, "restart.db");
    const graphs = { chain: chainGraph() };
    const before = await serve({ graphs, events: new SqliteEventStore(file) });
    const started = await call(`${before.url}/graphs/chain/threads/t1/runs`, { body: { input: { n: 1 } } });
    const full = (await readEvents(`${before.url}/runs/${started.body.runId}/events`)).filter((m) => m.event === "message");
    await before.close();

    const after = await serve({ graphs, events: new SqliteEventStore(file) });
    expect((await call(`${after.url}/runs/${started.body.runId}`)).body).toMatchObject({ status: "done", events: full.length });
    const tail = await readEvents(`${after.url}/runs/${started.body.runId}/events`, { lastEventId: 3 });
    expect(tail.filter((m) => m.event === "message")).toEqual(full.slice(3));
    expect(tail.at(-1)).toMatchObject({ event: "end", data: { status: "done" } });
    const threads = await call(`${after.url}/graphs/chain/threads`);
    expect(threads.body.threads).toMatchObject([{ threadId: "t1", runs: 1 }]);
  });

  it("ends the runs a closing server cancels, and marks runs a crashed server left running as lost", async () => {
    const file = join(dir, "lost.db");
    let gate: Gate | undefined = new Gate();
    const graphs = { fanout: fanoutGraph(() => gate) };
    const first = await serve({ graphs, events: new SqliteEventStore(file) });
    const started = await call(`${first.url}/graphs/fanout/threads/t1/runs`, { body: { input: { count: 2 } } });
    await gate.reached(2);
    await first.close();
    gate = undefined;
    // A run row left "running", as a killed process leaves it.
    const crashed = new SqliteEventStore(file);
    await crashed.createRun({ runId: "crashed", graph: "fanout", threadId: "t2", startedAt: Date.now() });
    await crashed.append("crashed", [{ seq: 1, type: "run:start", data: '{"type":"run:start","input":{},"at":0}' }]);
    await crashed.close();

    const second = await serve({ graphs, events: new SqliteEventStore(file) });
    const cancelled = await readEvents(`${second.url}/runs/${started.body.runId}/events`);
    expect(cancelled.at(-2)!.data).toMatchObject({ type: "run:error", error: { code: "ABORTED" } });
    expect(cancelled.at(-1)).toMatchObject({ event: "end", data: { status: "cancelled" } });
    const lost = await readEvents(`${second.url}/runs/crashed/events`);
    expect(lost.map((m) => m.event)).toEqual(["message", "end"]);
    expect(lost.at(-1)!.data).toMatchObject({ status: "lost" });
  });
});

describe("retention", () => {
  it("forgets a run's events once its retention window has passed, never a running run's", async () => {
    let gate: Gate | undefined = new Gate();
    const server = await serve({ graphs: { chain: chainGraph(), fanout: fanoutGraph(() => gate) }, retentionMs: 1 });
    const held = await call(`${server.url}/graphs/fanout/threads/held/runs`, { body: { input: { count: 1 } } });
    const done = await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } } });
    await readEvents(`${server.url}/runs/${done.body.runId}/events`);
    // Pruning runs every second at most: wait for it, with a generous bound.
    const deadline = Date.now() + 20_000;
    while ((await call(`${server.url}/runs/${done.body.runId}`)).status !== 404) {
      if (Date.now() > deadline) throw new Error("the finished run was never pruned");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await call(`${server.url}/runs/${held.body.runId}`)).body.status).toBe("running");
    gate.open();
    gate = undefined;
  });
});

describe("event payloads", () => {
  it("sends errors as { name, message, code }, drops functions and breaks cycles", async () => {
    const cyclic: Record<string, unknown> = { label: "loop", fn: () => 1 };
    cyclic.self = cyclic;
    const State = z.object({ ok: z.boolean().default(false) });
    const graph = new StateGraph(State, { name: "odd" })
      .addNode("emit", (_, ctx) => {
        ctx.emit(cyclic);
        const error = Object.assign(new Error("bad gateway"), { code: "E_GATEWAY", response: cyclic });
        throw error;
      })
      .addEdge(START, "emit")
      .addEdge("emit", END)
      .compile({ checkpointer: new MemoryCheckpointer() });
    const server = await serve({ graphs: { odd: graph } });
    const started = await call(`${server.url}/graphs/odd/threads/t/runs`, { body: { input: {} } });
    const messages = await readEvents(`${server.url}/runs/${started.body.runId}/events`);
    const custom = messages.find((m) => (m.data as { type?: string }).type === "custom")!.data;
    expect(custom).toMatchObject({ data: { label: "loop", self: "[Circular]" } });
    expect((custom as { data: object }).data).not.toHaveProperty("fn");
    const taskError = messages.find((m) => (m.data as { type?: string }).type === "task:error")!.data;
    expect(taskError).toMatchObject({ error: { name: "Error", message: "bad gateway", code: "E_GATEWAY" } });
    expect(messages.at(-1)).toMatchObject({ event: "end", data: { status: "failed", error: { code: "TASK_FAILED" } } });
  });
});
