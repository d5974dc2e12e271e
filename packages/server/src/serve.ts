import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { GraphError, type IfBusy } from "@weft/core";
import type { Hono } from "hono";
import type { EventStore } from "./events/event-store.js";
import { MemoryEventStore } from "./events/memory-event-store.js";
import { graphRoutes } from "./http/app.js";
import { RunManager, type AnyCompiledGraph } from "./runs/run-manager.js";
import { IF_BUSY } from "./runs/run-request.js";

/**
 * What to serve and how. Only `graphs` is required.
 *
 * @example
 * ```ts
 * const options: GraphAppOptions = { graphs: { report: graph }, token: process.env.WEFT_TOKEN, retentionMs: 600_000 };
 * ```
 * @see ../../../docs/guides/server.md
 */
export interface GraphAppOptions {
  /** The graphs by the name used in URLs. Each needs a checkpointer (`compile({ checkpointer })`). */
  readonly graphs: Readonly<Record<string, AnyCompiledGraph>>;
  /** Where run events are kept for re-attaching. Default: a {@link MemoryEventStore}. */
  readonly events?: EventStore;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** How long a run's events are kept after it ends, in milliseconds. Default 1 hour. */
  readonly retentionMs?: number;
  /**
   * What a run gets when another run holds its thread, unless its request says (`ifBusy` in the
   * body): the engine's `ifBusy` run option, decided through the graph's checkpointer, so that
   * servers sharing one store agree. Default `"reject"`: 409 `THREAD_BUSY`.
   */
  readonly ifBusy?: IfBusy;
}

/** A Hono app serving graphs, for mounting in your own server; see {@link createGraphApp}. */
export interface GraphApp {
  readonly app: Hono;
  /** Cancels running runs, waits for their events to be stored, stops pruning, closes the event store. */
  close(): Promise<void>;
}

/**
 * Builds the server's Hono app without listening: marks runs a previous server left running as
 * `lost`, prunes events past their retention window (then every minute at most).
 *
 * @example
 * ```ts
 * const { app, close } = await createGraphApp({ graphs: { report: graph } });
 * const response = await app.request("/graphs");
 * await close();
 * ```
 * @see ../../../docs/guides/server.md
 */
export async function createGraphApp(options: GraphAppOptions): Promise<GraphApp> {
  const graphs = checkGraphs(options.graphs);
  const retentionMs = wholeNumber(options.retentionMs ?? 3_600_000, "retentionMs", 0);
  const maxBodyBytes = wholeNumber(options.maxBodyBytes ?? 1 << 20, "maxBodyBytes", 1);
  if (options.token !== undefined && (typeof options.token !== "string" || options.token === "")) {
    throw new GraphError("INVALID_OPTION", "token must be a non-empty string when given.");
  }
  const ifBusy = options.ifBusy ?? "reject";
  if (!IF_BUSY.includes(ifBusy)) {
    throw new GraphError(
      "INVALID_OPTION",
      `ifBusy must be one of ${IF_BUSY.map((v) => `"${v}"`).join(", ")}, got ${JSON.stringify(ifBusy)}.`,
    );
  }
  const store = options.events ?? new MemoryEventStore();
  await store.markLost(Date.now());
  const prune = (): Promise<number> => store.prune(Date.now() - retentionMs);
  await prune();
  const pruning = setInterval(() => void prune().catch(() => {}), Math.max(1000, Math.min(retentionMs, 60_000)));
  pruning.unref();
  const manager = new RunManager({ graphs, store, ifBusy });
  const app = graphRoutes({ manager, graphNames: [...graphs.keys()], token: options.token, maxBodyBytes });
  let closed: Promise<void> | undefined;
  return {
    app,
    close: () =>
      (closed ??= (async () => {
        clearInterval(pruning);
        await manager.close();
        await store.close();
      })()),
  };
}

/**
 * A running server: its URL, and `close()`.
 *
 * @example
 * ```ts
 * const server = await serveGraphs({ graphs: { report: graph } });
 * console.log(server.url); // http://127.0.0.1:43127
 * await server.close();
 * ```
 */
export interface GraphServer extends GraphApp {
  readonly url: string;
  readonly port: number;
}

/**
 * Serves graphs over HTTP on `hostname:port` (default 127.0.0.1 and a free port). See the
 * routes in `docs/guides/server.md`.
 *
 * @example
 * ```ts
 * import { serveGraphs } from "@weft/server";
 *
 * const server = await serveGraphs({ graphs: { report: graph }, port: 8787 });
 * // POST http://127.0.0.1:8787/graphs/report/threads/t1/runs  { "input": { "topic": "AI" } }
 * ```
 * @see ../../../docs/guides/server.md
 */
export async function serveGraphs(options: GraphAppOptions & ListenOptions): Promise<GraphServer> {
  const { app, close } = await createGraphApp(options);
  const listening = await listen(app, options);
  return {
    app,
    url: listening.url,
    port: listening.port,
    close: async () => {
      await close();
      await listening.close();
    },
  };
}

/**
 * Where to listen: `hostname` (default 127.0.0.1) and `port` (default 0: any free port).
 *
 * @example
 * ```ts
 * const where: ListenOptions = { hostname: "0.0.0.0", port: 8787 };
 * ```
 */
export interface ListenOptions {
  readonly port?: number;
  readonly hostname?: string;
}

/**
 * Serves any Hono app with `@hono/node-server`: resolves once it listens, with its URL and a
 * `close()` that also ends open event streams.
 *
 * @example
 * ```ts
 * const { app, close } = await createGraphApp({ graphs: { report: graph } });
 * const outer = new Hono().route("/api", app);
 * const server = await listen(outer, { port: 8787 });
 * ```
 */
export async function listen(app: Hono, options: ListenOptions = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname }, () => resolve(started));
    started.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

function checkGraphs(graphs: GraphAppOptions["graphs"]): Map<string, AnyCompiledGraph> {
  if (typeof graphs !== "object" || graphs === null || Object.keys(graphs).length === 0) {
    throw new GraphError("INVALID_OPTION", "graphs must be an object of at least one compiled graph by name, like { report: graph }.");
  }
  for (const [name, graph] of Object.entries(graphs)) {
    if (typeof (graph as { stream?: unknown } | null)?.stream !== "function" || typeof graph.toIR !== "function") {
      throw new GraphError("INVALID_OPTION", `graphs.${name} is not a compiled graph: call .compile({ checkpointer }) on the StateGraph.`);
    }
  }
  return new Map(Object.entries(graphs));
}

function wholeNumber(value: number, option: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new GraphError("INVALID_OPTION", `${option} must be a whole number ≥ ${min}, got ${String(value)}.`);
  }
  return value;
}
