import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GraphError, isGraphError } from "@weft/core";
import { createGraphApp, errorResponse, listen, ServerError, type AnyCompiledGraph, type EventStore } from "@weft/server";
import { Hono } from "hono";
import { staticFiles } from "./static-files.js";

/**
 * What the studio serves.
 *
 * @example
 * ```ts
 * const options: StudioOptions = { graphs: { report: graph }, inputs: { report: { topic: "AI" } }, port: 4700 };
 * ```
 * @see ../../../docs/guides/studio.md
 */
export interface StudioOptions {
  /** The graphs by name; each needs a checkpointer (the studio runs every run on a thread). */
  readonly graphs: Readonly<Record<string, AnyCompiledGraph>>;
  /** The input the run form starts with, by graph name. */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** Where run events are kept; default in memory. */
  readonly events?: EventStore;
  /** Default 127.0.0.1. */
  readonly hostname?: string;
  /** Default 0: a free port. */
  readonly port?: number;
}

/** The studio's built page: `dist/web` beside `src` and `dist` alike. */
const WEB_DIR = fileURLToPath(new URL("../dist/web/", import.meta.url));

/**
 * Starts Weft Studio: the graph server under `/api` and the studio page at `/`.
 *
 * @example
 * ```ts
 * import { startStudio } from "@weft/studio";
 *
 * const studio = await startStudio({ graphs: { report: graph } });
 * console.log(`Weft Studio: ${studio.url}`);
 * ```
 * @see ../../../docs/guides/studio.md
 */
export async function startStudio(options: StudioOptions): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(`${WEB_DIR}index.html`)) {
    throw new GraphError("INVALID_OPTION", "The studio page is not built: run `pnpm --filter @weft/studio build:web` first.");
  }
  for (const [name, graph] of Object.entries(options.graphs ?? {})) await requireCheckpointer(name, graph);
  const api = await createGraphApp({ graphs: options.graphs, ...(options.events === undefined ? {} : { events: options.events }) });
  const app = new Hono();
  app.get("/api/studio", (c) => c.json({ graphs: Object.keys(options.graphs), inputs: options.inputs ?? {} }));
  app.route("/api", api.app);
  // Only the page's own paths fall back to the page; an unknown API path is the API's 404.
  app.all("/api/*", (c) => c.json(errorResponse(new ServerError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`)).body, 404));
  app.get("*", staticFiles(WEB_DIR));
  const server = await listen(app, options);
  return {
    url: server.url,
    close: async () => {
      await api.close();
      await server.close();
    },
  };
}

/** A graph without a checkpointer cannot keep threads: say so now rather than at the first run. */
async function requireCheckpointer(name: string, graph: AnyCompiledGraph): Promise<void> {
  if (typeof graph?.getState !== "function") {
    throw new GraphError("INVALID_OPTION", `graphs.${name} is not a compiled graph: call .compile({ checkpointer }) on the StateGraph.`);
  }
  try {
    await graph.getState("__weft_studio_probe__");
  } catch (error) {
    if (isGraphError(error) && error.code === "INVALID_OPTION") {
      throw new GraphError(
        "INVALID_OPTION",
        `Graph "${name}" has no checkpointer; the studio keeps every run in a thread: compile it with { checkpointer: new MemoryCheckpointer() }.`,
        { cause: error },
      );
    }
    throw error;
  }
}
