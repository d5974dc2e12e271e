import { afterEach, describe, expect, it } from "vitest";
import { serveGraphs, type GraphServer } from "../src/index.js";
import { approvalGraph, breakpointGraph, chainGraph, fanoutGraph, Gate, sleepingGraph } from "./graphs.js";
import { call, readEvents, type Message } from "./http.js";

let server: GraphServer | undefined;
let gate: Gate | undefined;

afterEach(async () => {
  gate?.open();
  gate = undefined;
  await server?.close();
  server = undefined;
});

async function start(options: { token?: string; maxBodyBytes?: number } = {}): Promise<GraphServer> {
  server = await serveGraphs({
    graphs: {
      fanout: fanoutGraph(() => gate),
      approval: approvalGraph(),
      chain: chainGraph(),
      paused: breakpointGraph(),
      sleeping: sleepingGraph(),
    },
    ...options,
  });
  return server;
}

/** The event types of messages, without the final `end`. */
const types = (messages: readonly Message[]): string[] =>
  messages.filter((m) => m.event === "message").map((m) => (m.data as { type: string }).type);

describe("routes", () => {
  it("lists the graphs with their nodes and diagrams", async () => {
    const { url } = await start();
    const { status, body } = await call(`${url}/graphs`);
    expect(status).toBe(200);
    expect(body.graphs.map((g: { name: string }) => g.name)).toEqual(["fanout", "approval", "chain", "paused", "sleeping"]);
    expect(body.graphs[0].nodes).toEqual([
      { name: "plan", sendTarget: false },
      { name: "work", sendTarget: true },
      { name: "sum", sendTarget: false },
    ]);
    expect(body.graphs[0].mermaid).toContain("flowchart");
  });

  it("starts a run, streams every event with ids 1..n, then the run's facts, and keeps the thread's state and history", async () => {
    const { url } = await start();
    const started = await call(`${url}/graphs/chain/threads/t1/runs`, { body: { input: { n: 1 } } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ graph: "chain", threadId: "t1", status: "running" });
    const messages = await readEvents(`${url}/runs/${started.body.runId}/events`);
    const events = messages.filter((m) => m.event === "message");
    expect(events.map((m) => m.id)).toEqual(events.map((_, i) => i + 1));
    expect(types(messages)[0]).toBe("run:start");
    expect(types(messages).at(-1)).toBe("run:end");
    expect(types(messages).filter((t) => t === "task:end")).toHaveLength(3);
    const end = messages.at(-1)!;
    expect(end.event).toBe("end");
    expect(end.data).toMatchObject({ runId: started.body.runId, status: "done", events: events.length });

    const state = await call(`${url}/graphs/chain/threads/t1/state`);
    expect(state.status).toBe(200);
    expect(state.body.values).toEqual({ n: 25, log: ["a", "b", "c"] });
    const history = await call(`${url}/graphs/chain/threads/t1/history`);
    expect(history.body.history.map((h: { step: number }) => h.step)).toEqual([3, 2, 1, 0]);
    const limited = await call(`${url}/graphs/chain/threads/t1/history?limit=2`);
    expect(limited.body.history).toHaveLength(2);
    const runs = await call(`${url}/graphs/chain/threads/t1/runs`);
    expect(runs.body.runs.map((r: { runId: string }) => r.runId)).toEqual([started.body.runId]);
    const threads = await call(`${url}/graphs/chain/threads`);
    expect(threads.body.threads).toMatchObject([{ threadId: "t1", runs: 1, lastRun: { status: "done" } }]);
  });

  it("re-attaches with Last-Event-ID after a disconnect mid-run and gets every later event exactly once", async () => {
    const { url } = await start();
    gate = new Gate();
    const started = await call(`${url}/graphs/fanout/threads/t1/runs`, { body: { input: { count: 20 } } });
    const stream = `${url}/runs/${started.body.runId}/events`;
    // Disconnect while all 20 workers wait at the gate.
    await gate.reached(20);
    const first = await readEvents(stream, { stopAfter: 7 });
    expect(first).toHaveLength(7);
    const run = await call(`${url}/runs/${started.body.runId}`);
    expect(run.body.status).toBe("running");
    // A second disconnect, re-attached from the first one's last event, while the run is still held.
    const second = await readEvents(stream, { lastEventId: first.at(-1)!.id, stopAfter: 5 });
    gate.open();
    const rest = await readEvents(stream, { lastEventId: second.at(-1)!.id });
    const seen = [...first, ...second, ...rest].filter((m) => m.event === "message");

    const full = (await readEvents(stream)).filter((m) => m.event === "message");
    const info = await call(`${url}/runs/${started.body.runId}`);
    expect(info.body).toMatchObject({ status: "done", events: full.length });
    expect(seen.map((m) => m.id)).toEqual(full.map((_, i) => i + 1));
    expect(seen).toEqual(full);
    expect(types(full).filter((t) => t === "task:end")).toHaveLength(22);
    expect(types(full).filter((t) => t === "custom")).toHaveLength(20);
    expect(rest.at(-1)).toMatchObject({ event: "end", data: { status: "done" } });
  });

  it("re-attaches after the run ended: from any event id, and from the last one (nothing but the end)", async () => {
    const { url } = await start();
    const started = await call(`${url}/graphs/chain/threads/t1/runs`, { body: { input: { n: 1 } } });
    const stream = `${url}/runs/${started.body.runId}/events`;
    const full = (await readEvents(stream)).filter((m) => m.event === "message");
    const tail = await readEvents(stream, { lastEventId: 4 });
    expect(tail.filter((m) => m.event === "message")).toEqual(full.slice(4));
    const after = await readEvents(`${stream}?after=4`);
    expect(after).toEqual(tail);
    const none = await readEvents(stream, { lastEventId: full.length });
    expect(none.map((m) => m.event)).toEqual(["end"]);
    const bad = await call(stream, { headers: { "last-event-id": "seven" } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "INVALID_INPUT" } } });
  });

  it("answers an interrupt: the run pauses, the interrupt is listed, the answer resumes the thread", async () => {
    const { url } = await start();
    const started = await call(`${url}/graphs/approval/threads/a1/runs`, { body: { input: { draft: "Hello" } } });
    const paused = await readEvents(`${url}/runs/${started.body.runId}/events`);
    expect(types(paused)).toContain("interrupt");
    expect(paused.at(-1)!.data).toMatchObject({ status: "interrupted" });
    const listed = await call(`${url}/graphs/approval/threads/a1/interrupts`);
    expect(listed.body.interrupts).toHaveLength(1);
    const [pending] = listed.body.interrupts;
    expect(pending).toMatchObject({ node: "review", kind: "node", value: { question: "Publish this draft?", draft: "Hello" } });

    const wrong = await call(`${url}/graphs/approval/threads/a1/interrupts`, {
      body: { answers: { [`${pending.id.split(":")[0]}:9:9:9`]: { approved: true } } },
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: "INVALID_RESUME" } } });

    const resumed = await call(`${url}/graphs/approval/threads/a1/interrupts`, { body: { answers: { [pending.id]: { approved: true } } } });
    expect(resumed.status).toBe(201);
    const done = await readEvents(`${url}/runs/${resumed.body.runId}/events`);
    expect(done.at(-1)!.data).toMatchObject({ status: "done" });
    const state = await call(`${url}/graphs/approval/threads/a1/state`);
    expect(state.body.values).toEqual({ draft: "Hello", approved: true, note: "published: Hello" });
    expect(state.body.interrupts).toEqual([]);
    const again = await call(`${url}/graphs/approval/threads/a1/interrupts`, { body: { answer: { approved: false } } });
    expect(again).toMatchObject({ status: 400, body: { error: { code: "INVALID_RESUME" } } });
  });

  it("shows a run that paused on a long sleep as paused, not done, with the sleep listed", async () => {
    const { url } = await start();
    const started = await call(`${url}/graphs/sleeping/threads/s1/runs`, { body: { input: {} } });
    const paused = await readEvents(`${url}/runs/${started.body.runId}/events`);
    expect(paused.at(-1)!.data).toMatchObject({ status: "interrupted" });
    const listed = await call(`${url}/graphs/sleeping/threads/s1/interrupts`);
    expect(listed.body.interrupts).toEqual([expect.objectContaining({ node: "nap", kind: "sleep", wakeAt: expect.any(Number) })]);
  });

  it("lists the breakpoint a thread is paused at with its interrupts, until a run continues past it", async () => {
    const { url } = await start();
    const started = await call(`${url}/graphs/paused/threads/p1/runs`, { body: { input: { n: 1 } } });
    await readEvents(`${url}/runs/${started.body.runId}/events`);
    const listed = await call(`${url}/graphs/paused/threads/p1/interrupts`);
    expect(listed.body.interrupts).toMatchObject([{ node: "b", kind: "before" }]);
    // A state update keeps the thread where it was: still before "b".
    const updated = await call(`${url}/graphs/paused/threads/p1/state`, { body: { values: { n: 5 } } });
    expect(updated.status).toBe(201);
    expect((await call(`${url}/graphs/paused/threads/p1/interrupts`)).body.interrupts).toMatchObject([{ node: "b", kind: "before" }]);
    // A fork that counts as "b" moves the thread past it.
    const history = (await call(`${url}/graphs/paused/threads/p1/history`)).body.history;
    const fork = await call(`${url}/graphs/paused/threads/p1/fork`, {
      body: { checkpointId: history[1].checkpointId, values: { n: 0 }, asNode: "b" },
    });
    expect(fork.status).toBe(201);
    expect((await call(`${url}/graphs/paused/threads/p1/interrupts`)).body.interrupts).toEqual([]);
    await call(`${url}/graphs/paused/threads/p1/fork`, { body: { checkpointId: updated.body.checkpointId } });
    const resumed = await call(`${url}/graphs/paused/threads/p1/runs`, { body: {} });
    const events = await readEvents(`${url}/runs/${resumed.body.runId}/events`);
    expect(events.at(-1)!.data).toMatchObject({ status: "done" });
    expect((await call(`${url}/graphs/paused/threads/p1/state`)).body.values).toEqual({ n: 50, log: ["a", "b"] });
    expect((await call(`${url}/graphs/paused/threads/p1/interrupts`)).body.interrupts).toEqual([]);
  });

  it("forks from an earlier checkpoint with an update and re-runs from there; the history keeps both branches", async () => {
    const { url } = await start();
    const first = await call(`${url}/graphs/chain/threads/f1/runs`, { body: { input: { n: 1 } } });
    await readEvents(`${url}/runs/${first.body.runId}/events`);
    const history = (await call(`${url}/graphs/chain/threads/f1/history`)).body.history as {
      step: number;
      checkpointId: string;
      values: { n: number };
    }[];
    const afterA = history.find((h) => h.step === 1)!;
    expect(afterA.values.n).toBe(2);

    const fork = await call(`${url}/graphs/chain/threads/f1/fork`, { body: { checkpointId: afterA.checkpointId, values: { n: 7 } } });
    expect(fork.status).toBe(201);
    const forked = await call(`${url}/graphs/chain/threads/f1/state?checkpointId=${fork.body.checkpointId}`);
    expect(forked.body).toMatchObject({ parentId: afterA.checkpointId, source: "update", values: { n: 7 } });
    expect(forked.body.next.map((t: { node: string }) => t.node)).toEqual(["b"]);

    const rerun = await call(`${url}/graphs/chain/threads/f1/runs`, { body: { checkpointId: fork.body.checkpointId } });
    expect(rerun.status).toBe(201);
    const events = await readEvents(`${url}/runs/${rerun.body.runId}/events`);
    expect(events.at(-1)!.data).toMatchObject({ status: "done" });
    const state = await call(`${url}/graphs/chain/threads/f1/state`);
    expect(state.body.values).toEqual({ n: 75, log: ["a", "b", "c"] });
    const all = (await call(`${url}/graphs/chain/threads/f1/history`)).body.history as { parentId: string | null }[];
    expect(all.length).toBe(history.length + 3);
    expect(all.filter((h) => h.parentId === afterA.checkpointId)).toHaveLength(2);

    const unknown = await call(`${url}/graphs/chain/threads/f1/fork`, { body: { checkpointId: "000001-aaaaaaaaaaaa" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("UNKNOWN_THREAD");
    const update = await call(`${url}/graphs/chain/threads/f1/state`, { body: { values: { n: "x" } } });
    expect(update.status).toBe(400);
    expect(update.body.error.code).toBe("INVALID_UPDATE");
  });

  it("cancels a running run: its stream ends with run:error ABORTED, it is marked cancelled and the thread is free", async () => {
    const { url } = await start();
    gate = new Gate();
    const started = await call(`${url}/graphs/fanout/threads/c1/runs`, { body: { input: { count: 3 } } });
    await gate.reached(3);
    const cancel = await call(`${url}/runs/${started.body.runId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    const events = await readEvents(`${url}/runs/${started.body.runId}/events`);
    const last = events.filter((m) => m.event === "message").at(-1)!.data as { type: string; error: { code: string } };
    expect(last).toMatchObject({ type: "run:error", error: { name: "GraphError", code: "ABORTED" } });
    expect(events.at(-1)).toMatchObject({ event: "end", data: { status: "cancelled", error: { code: "ABORTED" } } });
    const again = await call(`${url}/runs/${started.body.runId}/cancel`, { method: "POST" });
    expect(again).toMatchObject({ status: 200, body: { status: "cancelled" } });
    gate = undefined;
    const next = await call(`${url}/graphs/fanout/threads/c1/runs`, { body: { input: { count: 1 } } });
    expect(next.status).toBe(201);
  });
});

describe("bad requests", () => {
  it("rejects input the graph's schema refuses with 400 INVALID_INPUT, starts nothing and leaves the thread free", async () => {
    const { url } = await start();
    const bad = await call(`${url}/graphs/chain/threads/b1/runs`, { body: { input: { n: "one" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_INPUT");
    expect(bad.body.error.message).toContain("n");
    expect((await call(`${url}/graphs/chain/threads/b1/runs`)).body.runs).toEqual([]);
    expect((await call(`${url}/graphs/chain/threads/b1/runs`, { body: { input: { n: 1 } } })).status).toBe(201);
  });

  it.each([
    ["a body that is not JSON", "{input", "INVALID_INPUT"],
    ["an array body", [], "INVALID_INPUT"],
    ["an unknown field", { inptu: { n: 1 } }, "INVALID_INPUT"],
    ["input and resume together", { input: { n: 1 }, resume: 1 }, "INVALID_INPUT"],
    ["an input that is not an object", { input: 5 }, "INVALID_INPUT"],
    ["a maxSteps of 0", { input: { n: 1 }, maxSteps: 0 }, "INVALID_OPTION"],
    ["a maxSteps that is a string", { input: { n: 1 }, maxSteps: "3" }, "INVALID_INPUT"],
    ["a goto to no node", { command: { goto: [{ input: 1 }] } }, "INVALID_INPUT"],
  ])("answers %s with 400 and its code", async (_, body, code) => {
    const { url } = await start();
    const response = await call(`${url}/graphs/chain/threads/b2/runs`, { body });
    expect(response).toMatchObject({ status: 400, body: { error: { code } } });
  });

  it("answers unknown graphs, threads, runs and routes with 404 and their codes", async () => {
    const { url } = await start();
    expect((await call(`${url}/graphs/nope/threads/t/runs`, { body: { input: {} } })).body.error.code).toBe("UNKNOWN_GRAPH");
    const resume = await call(`${url}/graphs/chain/threads/never/runs`, { body: { resume: 1 } });
    expect(resume).toMatchObject({ status: 404, body: { error: { code: "UNKNOWN_THREAD" } } });
    expect(await call(`${url}/graphs/chain/threads/never/state`)).toMatchObject({
      status: 404,
      body: { error: { code: "UNKNOWN_THREAD" } },
    });
    expect(await call(`${url}/runs/nope`)).toMatchObject({ status: 404, body: { error: { code: "UNKNOWN_RUN" } } });
    expect(await call(`${url}/runs/nope/events`)).toMatchObject({ status: 404, body: { error: { code: "UNKNOWN_RUN" } } });
    expect(await call(`${url}/nowhere`)).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
  });

  it("refuses a body over maxBodyBytes with 413, with or without a Content-Length", async () => {
    const { url } = await start({ maxBodyBytes: 1024 });
    const big = { input: { n: 1, log: ["x".repeat(10 * 1024)] } };
    const sized = await call(`${url}/graphs/chain/threads/big/runs`, { body: big });
    expect(sized).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const chunked = await fetch(`${url}/graphs/chain/threads/big/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await call(`${url}/graphs/chain/threads/big/runs`, { body: { input: { n: 1 } } })).status).toBe(201);
  });

  it("needs the bearer token on every route when one is set: 401 without it or with a wrong one", async () => {
    const { url } = await start({ token: "s3cret" });
    expect(await call(`${url}/graphs`)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } });
    expect((await call(`${url}/graphs`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await call(`${url}/graphs`, { headers: { authorization: "Basic s3cret" } })).status).toBe(401);
    expect((await call(`${url}/runs/x/events`, { headers: { authorization: "Bearer s3cre" } })).status).toBe(401);
    const post = await call(`${url}/graphs/chain/threads/t/runs`, { body: { input: { n: 1 } }, headers: { authorization: "Bearer nope" } });
    expect(post.status).toBe(401);
    expect((await call(`${url}/graphs`, { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
  });

  it("answers a second run, or a state update, on a busy thread with 409 THREAD_BUSY; other threads still run", async () => {
    const { url } = await start();
    gate = new Gate();
    const first = await call(`${url}/graphs/fanout/threads/busy/runs`, { body: { input: { count: 2 } } });
    expect(first.status).toBe(201);
    const second = await call(`${url}/graphs/fanout/threads/busy/runs`, { body: { input: { count: 1 } } });
    expect(second).toMatchObject({ status: 409, body: { error: { code: "THREAD_BUSY", details: { threadId: "busy" } } } });
    const update = await call(`${url}/graphs/fanout/threads/busy/state`, { body: { values: { count: 5 } } });
    expect(update).toMatchObject({ status: 409, body: { error: { code: "THREAD_BUSY" } } });
    const other = await call(`${url}/graphs/fanout/threads/other/runs`, { body: { input: { count: 1 } } });
    expect(other.status).toBe(201);
    gate.open();
    await readEvents(`${url}/runs/${first.body.runId}/events`);
    const third = await call(`${url}/graphs/fanout/threads/busy/runs`, { body: { input: { count: 1 } } });
    expect(third.status).toBe(201);
  });

  it("lets exactly one of ten simultaneous runs on a thread start", async () => {
    const { url } = await start();
    gate = new Gate();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => call(`${url}/graphs/fanout/threads/race/runs`, { body: { input: { count: 1 } } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
  });
});
