import { toMermaid } from "@weft/core/draw";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { errorResponse, ServerError } from "../errors.js";
import type { RunInfo } from "../events/event-store.js";
import { checkKeys, objectOf, parseRunRequest } from "../runs/run-request.js";
import type { RunManager } from "../runs/run-manager.js";
import { bearerToken } from "./auth.js";
import { runEventStream } from "./sse.js";
import { toWire } from "./wire.js";

/** What the routes need; see `createGraphApp`. */
export interface RouteOptions {
  readonly manager: RunManager;
  readonly graphNames: readonly string[];
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
}

/**
 * The server's routes on a Hono app. Every body is JSON; every failure is an `ErrorBody`.
 * Mount it elsewhere with `app.route("/weft", routes)`.
 */
export function graphRoutes({ manager, graphNames, token, maxBodyBytes }: RouteOptions): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    return c.json(body, status);
  });
  app.notFound((c) => c.json(errorResponse(new ServerError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`)).body, 404));
  // Hono hands only Errors to onError: anything else a store or policy throws becomes one here.
  app.use("*", async (_, next) => {
    try {
      await next();
    } catch (error) {
      throw error instanceof Error ? error : new ServerError("INTERNAL", String(error));
    }
  });
  if (token !== undefined) app.use("*", bearerToken(token));
  app.use(
    "*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        c.json(errorResponse(new ServerError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBodyBytes} bytes.`)).body, 413),
    }),
  );

  app.get("/graphs", (c) => c.json({ graphs: graphNames.map((name) => describeGraph(manager, name)) }));
  app.get("/graphs/:graph", (c) => c.json(describeGraph(manager, c.req.param("graph"))));

  app.get("/graphs/:graph/threads", async (c) => {
    const graph = c.req.param("graph");
    manager.graph(graph);
    const threads = new Map<string, { threadId: string; runs: number; lastRun: RunInfo }>();
    for (const run of await manager.runs({ graph, limit: 1000 })) {
      const known = threads.get(run.threadId);
      if (known === undefined) threads.set(run.threadId, { threadId: run.threadId, runs: 1, lastRun: run });
      else known.runs++;
    }
    return c.json({ threads: [...threads.values()] });
  });

  app.get("/graphs/:graph/threads/:threadId/state", async (c) => {
    const { graph, threadId } = c.req.param();
    const checkpointId = c.req.query("checkpointId");
    const state = await manager.graph(graph).getState(threadId, checkpointId === undefined ? {} : { checkpointId });
    if (state === undefined) throw unknownThread(threadId);
    return c.json(toWire(state) as object);
  });

  app.get("/graphs/:graph/threads/:threadId/history", async (c) => {
    const { graph, threadId } = c.req.param();
    const limit = c.req.query("limit");
    const before = c.req.query("before");
    if (limit !== undefined && !/^[1-9]\d{0,5}$/.test(limit)) {
      throw new ServerError("INVALID_INPUT", `?limit must be a whole number ≥ 1, got "${limit}".`);
    }
    const history = await manager
      .graph(graph)
      .getHistory(threadId, { ...(limit === undefined ? {} : { limit: Number(limit) }), ...(before === undefined ? {} : { before }) });
    if (history.length === 0 && before === undefined) throw unknownThread(threadId);
    return c.json({ history: toWire(history) });
  });

  app.get("/graphs/:graph/threads/:threadId/interrupts", async (c) => {
    const { graph, threadId } = c.req.param();
    const state = await manager.graph(graph).getState(threadId);
    if (state === undefined) throw unknownThread(threadId);
    const breakpoints = await pausedAtBreakpoints(manager, { graph, threadId, next: state.next });
    return c.json({ interrupts: toWire([...state.interrupts, ...breakpoints]) });
  });

  app.get("/graphs/:graph/threads/:threadId/runs", async (c) => {
    const { graph, threadId } = c.req.param();
    manager.graph(graph);
    return c.json({ runs: await manager.runs({ graph, threadId }) });
  });

  app.post("/graphs/:graph/threads/:threadId/runs", async (c) => {
    const { graph, threadId } = c.req.param();
    manager.graph(graph);
    const run = await manager.start({ ...parseRunRequest(await readJson(c)), graph, threadId });
    return c.json(run, 201);
  });

  app.post("/graphs/:graph/threads/:threadId/interrupts", async (c) => {
    const { graph, threadId } = c.req.param();
    manager.graph(graph);
    const body = objectOf(await readJson(c), "The request body");
    checkKeys(body, ["answers", "answer"], "The request body");
    if ("answers" in body === "answer" in body) {
      throw new ServerError("INVALID_INPUT", 'Give "answers" ({ [interrupt id]: answer }) or "answer" (for the one pending interrupt).');
    }
    const resume = "answers" in body ? objectOf(body.answers, 'Body field "answers"') : body.answer;
    const run = await manager.start({ ...parseRunRequest({ resume }), graph, threadId });
    return c.json(run, 201);
  });

  app.post("/graphs/:graph/threads/:threadId/state", async (c) => {
    const { graph, threadId } = c.req.param();
    const body = objectOf(await readJson(c), "The request body");
    checkKeys(body, ["values", "asNode", "checkpointId"], "The request body");
    return c.json(await updateState(manager, { graph, threadId, body, fork: false }), 201);
  });

  app.post("/graphs/:graph/threads/:threadId/fork", async (c) => {
    const { graph, threadId } = c.req.param();
    const body = objectOf(await readJson(c), "The request body");
    checkKeys(body, ["values", "asNode", "checkpointId"], "The request body");
    if (typeof body.checkpointId !== "string")
      throw new ServerError("INVALID_INPUT", 'A fork needs "checkpointId": the checkpoint to branch from.');
    return c.json(await updateState(manager, { graph, threadId, body, fork: true }), 201);
  });

  app.get("/runs/:runId", async (c) => c.json(await manager.info(c.req.param("runId"))));
  app.get("/runs/:runId/events", (c) => runEventStream(c, manager, c.req.param("runId")));
  app.post("/runs/:runId/cancel", async (c) => {
    const run = await manager.cancel(c.req.param("runId"));
    return c.json(run, run.status === "running" ? 202 : 200);
  });
  return app;
}

function describeGraph(manager: RunManager, name: string) {
  const graph = manager.graph(name);
  const ir = graph.toIR();
  return {
    name,
    nodes: [...ir.nodes.values()].map((node) => ({ name: node.name, sendTarget: node.input !== undefined })),
    mermaid: toMermaid(graph),
  };
}

/**
 * The breakpoints a thread is paused at. The engine saves a node's interrupts and sleeps with
 * the thread, not a breakpoint's: those come from the `run:end` of the thread's last run, for the tasks the
 * thread would still run next (a state update keeps them; one `asNode` may replace them).
 */
async function pausedAtBreakpoints(
  manager: RunManager,
  thread: { graph: string; threadId: string; next: readonly { taskId: string; node: string }[] },
): Promise<readonly { readonly kind: string }[]> {
  const [run] = await manager.runs({ graph: thread.graph, threadId: thread.threadId, limit: 1 });
  if (run?.status !== "interrupted") return [];
  const last = await manager.lastEvent(run.runId);
  type Pause = { kind: string; taskId: string; node: string };
  const event = last === undefined ? undefined : (JSON.parse(last.data) as { type: string; interrupts?: Pause[] });
  if (event?.type !== "run:end") return [];
  const next = new Set(thread.next.map((task) => `${task.taskId} ${task.node}`));
  // Interrupts and sleeps are saved with the thread: only "before" and "after" are breakpoints.
  const isBreakpoint = (kind: string): boolean => kind === "before" || kind === "after";
  return (event.interrupts ?? []).filter((interrupt) => isBreakpoint(interrupt.kind) && next.has(`${interrupt.taskId} ${interrupt.node}`));
}

async function updateState(
  manager: RunManager,
  { graph, threadId, body, fork }: { graph: string; threadId: string; body: Record<string, unknown>; fork: boolean },
): Promise<{ checkpointId: string }> {
  const compiled = manager.graph(graph);
  const values = body.values === undefined && fork ? {} : objectOf(body.values, 'Body field "values"');
  for (const key of ["asNode", "checkpointId"] as const) {
    if (body[key] !== undefined && (typeof body[key] !== "string" || body[key] === "")) {
      throw new ServerError("INVALID_INPUT", `Body field "${key}" must be a non-empty string, got ${JSON.stringify(body[key])}.`);
    }
  }
  const options = {
    ...(body.asNode === undefined ? {} : { asNode: body.asNode as string }),
    ...(body.checkpointId === undefined ? {} : { checkpointId: body.checkpointId as string }),
  };
  // The engine takes the thread's lease for the write: THREAD_BUSY (409) while a run holds it.
  const checkpointId = await compiled.updateState(threadId, values as never, options);
  return { checkpointId };
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServerError("INVALID_INPUT", `The request body is not JSON: ${(error as Error).message}`);
  }
}

function unknownThread(threadId: string): ServerError {
  return new ServerError("UNKNOWN_THREAD", `Thread "${threadId}" has no checkpoint.`, { threadId });
}
