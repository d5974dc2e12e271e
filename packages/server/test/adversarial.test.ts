import { describe, expect, it } from "vitest";
import { MemoryEventStore, serveGraphs, type EventStore, type StoredEvent } from "../src/index.js";
import { chainGraph, fanoutGraph, Gate } from "./graphs.js";
import { call, closedAfterEach, readEvents } from "./http.js";

const serve = closedAfterEach();

/** A memory store whose appends take `delayMs` each, or fail from the `failAt`-th on. */
class FaultyStore extends MemoryEventStore {
  appends = 0;
  constructor(private readonly fault: { delayMs?: number; failAt?: number; failWith?: unknown }) {
    super();
  }
  override async append(runId: string, events: readonly StoredEvent[]): Promise<void> {
    this.appends++;
    if (this.fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, this.fault.delayMs));
    if (this.fault.failAt !== undefined && this.appends >= this.fault.failAt) throw this.fault.failWith;
    return super.append(runId, events);
  }
}

describe("a slow or failing event store", () => {
  it("delivers every event once, in order, when each write stalls", async () => {
    const store = new FaultyStore({ delayMs: 20 });
    const server = await serve({ graphs: { fanout: fanoutGraph(() => undefined) }, events: store });
    const started = await call(`${server.url}/graphs/fanout/threads/t/runs`, { body: { input: { count: 50 } } });
    const first = await readEvents(`${server.url}/runs/${started.body.runId}/events`, { stopAfter: 3 });
    const rest = await readEvents(`${server.url}/runs/${started.body.runId}/events`, { lastEventId: first.at(-1)!.id });
    const seen = [...first, ...rest].filter((m) => m.event === "message");
    expect(seen.map((m) => m.id)).toEqual(seen.map((_, i) => i + 1));
    expect(rest.at(-1)).toMatchObject({ event: "end", data: { status: "done", events: seen.length } });
    // Bursts are written together: far fewer writes than events.
    expect(store.appends).toBeLessThan(seen.length / 4);
  });

  it("sends the end of the stream with the run's final status when marking it ended is slow", async () => {
    const slowEnd = new (class extends MemoryEventStore {
      override async endRun(...args: Parameters<EventStore["endRun"]>): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return super.endRun(...args);
      }
    })();
    const server = await serve({ graphs: { chain: chainGraph() }, events: slowEnd });
    const started = await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } } });
    const messages = await readEvents(`${server.url}/runs/${started.body.runId}/events`);
    expect(messages.at(-1)).toMatchObject({ event: "end", data: { status: "done" } });
    expect((await call(`${server.url}/runs/${started.body.runId}`)).body.status).toBe("done");
  });

  it.each([
    ["an Error", new Error("disk full")],
    ["a string", "disk full"],
    ["undefined", undefined],
  ])("ends the run as failed, its readers included, when a write throws %s", async (_, thrown) => {
    const store = new FaultyStore({ failAt: 1, failWith: thrown });
    const server = await serve({ graphs: { chain: chainGraph() }, events: store });
    const started = await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } } });
    const messages = await readEvents(`${server.url}/runs/${started.body.runId}/events`);
    expect(messages.at(-1)).toMatchObject({
      event: "end",
      data: { status: "failed", error: { message: thrown === undefined ? "undefined" : "disk full" } },
    });
    expect((await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 2 } } })).status).toBe(201);
  });

  it("answers 500 INTERNAL when the store cannot record a new run, and leaves the thread free", async () => {
    let fail = true;
    const flaky = new (class extends MemoryEventStore {
      override async createRun(run: Parameters<EventStore["createRun"]>[0]): Promise<void> {
        if (fail) throw new Error("store offline");
        return super.createRun(run);
      }
    })();
    const server = await serve({ graphs: { chain: chainGraph() }, events: flaky });
    const refused = await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } } });
    expect(refused).toMatchObject({ status: 500, body: { error: { code: "INTERNAL", message: "store offline" } } });
    fail = false;
    // The refused run was cancelled and released the thread.
    const deadline = Date.now() + 20_000;
    let status = 0;
    while ((status = (await call(`${server.url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } } })).status) === 409) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(201);
  });
});

describe("many events", () => {
  it("re-attaches exactly once across the store's page boundaries of a 1500-Send run", async () => {
    const server = await serve({ graphs: { fanout: fanoutGraph(() => undefined) } });
    const started = await call(`${server.url}/graphs/fanout/threads/big/runs`, { body: { input: { count: 1500 } } });
    const stream = `${server.url}/runs/${started.body.runId}/events`;
    const full = (await readEvents(stream)).filter((m) => m.event === "message");
    expect(full.length).toBeGreaterThan(4500);
    expect(full.map((m) => m.id)).toEqual(full.map((_, i) => i + 1));
    for (const from of [999, 1000, 1001, 2000, full.length - 1]) {
      const tail = (await readEvents(stream, { lastEventId: from })).filter((m) => m.event === "message");
      expect(tail).toEqual(full.slice(from));
    }
  });
});

describe("serveGraphs options from plain JavaScript", () => {
  it.each([
    ["no graphs", { graphs: {} }, "graphs must be an object"],
    ["a graph that is not compiled", { graphs: { g: { name: "g" } } }, "graphs.g is not a compiled graph"],
    ["a negative retention", { graphs: { c: chainGraph() }, retentionMs: -1 }, "retentionMs must be a whole number ≥ 0"],
    ["a body limit of 0", { graphs: { c: chainGraph() }, maxBodyBytes: 0 }, "maxBodyBytes must be a whole number ≥ 1"],
    ["an empty token", { graphs: { c: chainGraph() }, token: "" }, "token must be a non-empty string"],
  ])("refuses %s with INVALID_OPTION", async (_, options, message) => {
    const failure = serveGraphs(options as never);
    await expect(failure).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(failure).rejects.toThrow(message);
  });

  it("holds a gated run while a client disconnects and comes back many times", async () => {
    const gate = new Gate();
    const server = await serve({ graphs: { fanout: fanoutGraph(() => gate) } });
    const started = await call(`${server.url}/graphs/fanout/threads/t/runs`, { body: { input: { count: 5 } } });
    const stream = `${server.url}/runs/${started.body.runId}/events`;
    await gate.reached(5);
    let last = 0;
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const part = await readEvents(stream, { lastEventId: last, stopAfter: 2 });
      seen.push(...part);
      last = part.at(-1)!.id!;
    }
    gate.open();
    seen.push(...(await readEvents(stream, { lastEventId: last })));
    const events = seen.filter((m) => m.event === "message");
    expect(events.map((m) => m.id)).toEqual(events.map((_, i) => i + 1));
    expect(seen.at(-1)).toMatchObject({ event: "end", data: { status: "done", events: events.length } });
  });
});
