import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCheckpointer } from "@weft/sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { serveGraphs } from "../src/index.js";
import { fanoutGraph, fanoutNodes, Gate } from "./graphs.js";
import { call, closedAfterEach, readEvents, type Message } from "./http.js";

const dir = mkdtempSync(join(tmpdir(), "weft-busy-"));
const savers: SqliteCheckpointer[] = [];
afterAll(async () => {
  for (const saver of savers) await saver.close();
  rmSync(dir, { recursive: true, force: true });
});
const serve = closedAfterEach();
let gate: Gate | undefined;
afterEach(() => {
  gate?.open();
  gate = undefined;
});

/** A server whose fanout graph saves its threads in the SQLite file `file`, through its own connection. */
async function serverOn(file: string, options: { ifBusy?: "reject" | "enqueue" } = {}) {
  const saver = new SqliteCheckpointer(join(dir, file));
  savers.push(saver);
  return serve({ graphs: { fanout: fanoutNodes(() => gate).compile({ checkpointer: saver }) }, ...options });
}

const lastEvent = (messages: readonly Message[]) => messages.filter((m) => m.event === "message").at(-1)?.data as { type: string };

describe("two servers on one SQLite checkpointer", () => {
  it("agree that a thread is busy: the second answers 409 THREAD_BUSY to a run and to a state update", async () => {
    const [a, b] = [await serverOn("shared.db"), await serverOn("shared.db")];
    gate = new Gate();
    const first = await call(`${a.url}/graphs/fanout/threads/t1/runs`, { body: { input: { count: 2 } } });
    expect(first.status).toBe(201);
    await gate.reached(2);

    const second = await call(`${b.url}/graphs/fanout/threads/t1/runs`, { body: { input: { count: 1 } } });
    expect(second).toMatchObject({ status: 409, body: { error: { code: "THREAD_BUSY", details: { threadId: "t1" } } } });
    expect(second.body.error.message).toContain('ifBusy: "enqueue"');
    const update = await call(`${b.url}/graphs/fanout/threads/t1/state`, { body: { values: { count: 5 } } });
    expect(update).toMatchObject({ status: 409, body: { error: { code: "THREAD_BUSY" } } });
    // Nothing of the refused requests reached the thread, and another thread is free on either server.
    expect((await call(`${b.url}/graphs/fanout/threads/t1/runs`)).body.runs).toEqual([]);
    expect((await call(`${b.url}/graphs/fanout/threads/t2/runs`, { body: { input: { count: 0 } } })).status).toBe(201);

    gate.open();
    expect(lastEvent(await readEvents(`${a.url}/runs/${first.body.runId}/events`))).toMatchObject({ type: "run:end" });
    const third = await call(`${b.url}/graphs/fanout/threads/t1/runs`, { body: { input: { count: 1 } } });
    expect(third.status).toBe(201);
    await readEvents(`${b.url}/runs/${third.body.runId}/events`);
    const state = await call(`${a.url}/graphs/fanout/threads/t1/state`);
    expect(state.body.values).toMatchObject({ count: 1, done: [0, 1, 0], total: 1 });
  });

  it('let one of ten simultaneous runs across both servers start; "enqueue" waits its turn and then runs', async () => {
    const [a, b] = [await serverOn("race.db"), await serverOn("race.db", { ifBusy: "enqueue" })];
    gate = new Gate();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(`${(i % 2 === 0 ? a : b).url}/graphs/fanout/threads/race/runs`, { body: { input: { count: 1 }, ifBusy: "reject" } }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const running = responses.find((r) => r.status === 201)!.body.runId as string;
    const owner = responses.findIndex((r) => r.status === 201) % 2 === 0 ? a : b;

    // Server b's own default is "enqueue": the request waits until the thread is free.
    let answered = false;
    const queued = call(`${b.url}/graphs/fanout/threads/race/runs`, { body: { input: { count: 2 } } }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    gate.open();
    const next = await queued;
    expect(next.status).toBe(201);
    expect((await call(`${owner.url}/runs/${running}`)).body.status).toBe("done");
    expect(lastEvent(await readEvents(`${b.url}/runs/${next.body.runId}/events`))).toMatchObject({ type: "run:end" });
    expect((await call(`${a.url}/graphs/fanout/threads/race/state`)).body.values).toMatchObject({ count: 2, total: 1 });
  });
});

describe("a run's ifBusy", () => {
  it('"rollback" cancels the run that holds the thread and runs in its place', async () => {
    const server = await serve({ graphs: { fanout: fanoutGraph(() => gate) } });
    gate = new Gate();
    const first = await call(`${server.url}/graphs/fanout/threads/t/runs`, { body: { input: { count: 2 } } });
    await gate.reached(2);
    const held = gate;
    gate = undefined;
    const second = await call(`${server.url}/graphs/fanout/threads/t/runs`, { body: { input: { count: 1 }, ifBusy: "rollback" } });
    expect(second.status).toBe(201);
    expect(lastEvent(await readEvents(`${server.url}/runs/${first.body.runId}/events`))).toMatchObject({
      type: "run:error",
      error: { code: "ABORTED" },
    });
    expect(lastEvent(await readEvents(`${server.url}/runs/${second.body.runId}/events`))).toMatchObject({
      type: "run:end",
      status: "done",
    });
    held.open();
    expect((await call(`${server.url}/graphs/fanout/threads/t/state`)).body.values).toMatchObject({ count: 1, done: [0], total: 0 });
  });

  it("is checked: a value that is not one of the four is a 400 naming the field, a bad server default fails to start", async () => {
    const server = await serve({ graphs: { fanout: fanoutGraph(() => undefined) } });
    for (const ifBusy of ["wait", 1, null]) {
      const answer = await call(`${server.url}/graphs/fanout/threads/t/runs`, { body: { input: { count: 1 }, ifBusy } });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_INPUT", details: { field: "ifBusy" } } } });
      expect(answer.body.error.message).toContain('"reject", "enqueue", "interrupt", "rollback"');
    }
    expect((await call(`${server.url}/graphs/fanout/threads/t/runs`)).body.runs).toEqual([]);
    await expect(serveGraphs({ graphs: { fanout: fanoutGraph(() => undefined) }, ifBusy: "wait" as never })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("ifBusy"),
    });
  });
});
