import { afterEach, describe, expect, it } from "vitest";
import { serveGraphs, type GraphServer } from "../index.js";
import { approvalGraph, chainGraph, fanoutGraph, Gate } from "../../test/graphs.js";
import { ClientError, createClient } from "./index.js";

let server: GraphServer | undefined;
let gate: Gate | undefined;
const chain = chainGraph();
const approval = approvalGraph();
afterEach(async () => {
  gate?.open();
  gate = undefined;
  await server?.close();
  server = undefined;
});

async function start(token?: string): Promise<string> {
  server = await serveGraphs({ graphs: { chain, approval, fanout: fanoutGraph(() => gate) }, ...(token === undefined ? {} : { token }) });
  return server.url;
}

/**
 * A fetch whose event streams break after `bytes` bytes, the first `drops` times: a
 * connection that dies mid-run.
 */
function droppingFetch(bytes: number, drops: number): { fetch: typeof fetch; connections: string[] } {
  const connections: string[] = [];
  let dropped = 0;
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const lastEventId = new Headers(init?.headers).get("last-event-id");
    if (!String(input).endsWith("/events")) return response;
    connections.push(lastEventId ?? "");
    if (dropped >= drops) return response;
    dropped++;
    const reader = response.body!.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        sent += value.length;
        if (sent > bytes) {
          controller.enqueue(value.slice(0, value.length - (sent - bytes)));
          await reader.cancel();
          controller.error(new TypeError("network connection lost"));
          return;
        }
        controller.enqueue(value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: wrapped as typeof fetch, connections };
}

describe("createClient", () => {
  it("streams a run and re-attaches by itself after dropped connections, each event exactly once", async () => {
    const url = await start();
    gate = new Gate();
    const { fetch: dropping, connections } = droppingFetch(700, 3);
    const client = createClient<ReturnType<typeof fanoutGraph>>({ url, graph: "fanout", fetch: dropping });
    const run = await client.start("t1", { input: { count: 12 } });
    await gate.reached(12);
    gate.open();
    const seen = [];
    for await (const event of client.events(run.runId, { retryDelayMs: 10 })) seen.push(event);
    expect(connections.length).toBe(4);
    expect(connections.slice(1).every((id) => Number(id) > 0)).toBe(true);
    const reference = createClient<ReturnType<typeof fanoutGraph>>({ url, graph: "fanout" });
    const full = [];
    for await (const event of reference.events(run.runId)) full.push(event);
    expect(seen.map((event) => event.id)).toEqual(full.map((_, i) => i + 1));
    expect(seen).toEqual(full);
    expect((await client.getRun(run.runId)).events).toBe(full.length);
    expect(seen.at(-1)).toMatchObject({ type: "run:end", status: "done" });
  });

  it("gives up after `retries` failed connections with the last error", async () => {
    const url = await start();
    let calls = 0;
    const failing = (async () => {
      calls++;
      throw new TypeError("connection refused");
    }) as unknown as typeof fetch;
    const events = createClient({ url, graph: "chain", fetch: failing }).events("r", { retries: 2, retryDelayMs: 1 });
    await expect(events.next()).rejects.toThrow("connection refused");
    expect(calls).toBe(3);
  });

  it("runs, reads state and history, answers interrupts, forks and cancels, with the server's errors as ClientErrors", async () => {
    const url = await start("tok");
    const client = createClient<typeof approval>({ url, graph: "approval", token: "tok" });
    const events = [];
    for await (const event of client.stream("a1", { input: { draft: "Hi" } })) events.push(event.type);
    expect(events).toContain("interrupt");
    const state = await client.getState("a1");
    expect(state.interrupts).toHaveLength(1);
    expect(await client.interrupts("a1")).toEqual(state.interrupts);
    const resumed = await client.answer("a1", { answers: { [state.interrupts[0]!.id]: { approved: true } } });
    for await (const event of client.events(resumed.runId)) void event;
    expect((await client.getState("a1")).values).toEqual({ draft: "Hi", approved: true, note: "published: Hi" });
    const history = await client.getHistory("a1", { limit: 2 });
    expect(history).toHaveLength(2);
    const forked = await client.fork("a1", { checkpointId: history[1]!.checkpointId, values: { draft: "Changed" } });
    expect((await client.getState("a1", { checkpointId: forked })).values.draft).toBe("Changed");
    const updated = await client.updateState("a1", { note: "by hand" });
    expect((await client.getState("a1")).checkpointId).toBe(updated);
    expect((await client.threads()).map((t) => t.threadId)).toEqual(["a1"]);
    expect(await client.runs("a1")).toHaveLength(2);

    const error = await client.start("a2", { input: { draft: 5 as never } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    const wrongToken = createClient<typeof chain>({ url, graph: "chain", token: "nope" });
    await expect(wrongToken.threads()).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    const events404 = createClient<typeof chain>({ url, graph: "chain", token: "tok" }).events("missing");
    await expect(events404.next()).rejects.toMatchObject({ status: 404, code: "UNKNOWN_RUN" });
  });

  it("cancels a run", async () => {
    const url = await start();
    gate = new Gate();
    const client = createClient<ReturnType<typeof fanoutGraph>>({ url, graph: "fanout" });
    const run = await client.start("c", { input: { count: 1 } });
    await gate.reached(1);
    expect((await client.cancel(run.runId)).status).toBe("running");
    const last = [];
    for await (const event of client.events(run.runId)) last.push(event);
    expect(last.at(-1)).toMatchObject({ type: "run:error", error: { code: "ABORTED" } });
    expect((await client.getRun(run.runId)).status).toBe("cancelled");
  });
});
