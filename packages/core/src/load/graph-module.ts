import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { GraphError } from "../errors.js";
import { isGraphSource, type GraphSource } from "../graph/graph-source.js";

/**
 * Options of {@link loadGraphModule}.
 *
 * @example
 * ```ts
 * const options: LoadGraphOptions = { module: "src/graph.ts", export: "reviewGraph", cwd: process.cwd() };
 * ```
 */
export interface LoadGraphOptions {
  /** The module: a path (relative to `cwd`) or a URL. */
  readonly module: string | URL;
  /** The export that holds the graph; see {@link pickGraph} for the default. */
  readonly export?: string;
  /** Where a relative path starts. Default: the process's working directory. */
  readonly cwd?: string;
}

/**
 * A graph module once loaded: its graph, all its exports, and the URL it was imported from.
 *
 * @example
 * ```ts
 * const { graph, exports } = await loadGraphModule({ module: "src/graph.ts" });
 * ```
 */
export interface LoadedGraph {
  readonly graph: GraphSource;
  readonly exports: Readonly<Record<string, unknown>>;
  readonly url: string;
}

/**
 * Imports a graph module and picks its graph, the one loader of `weft draw`, `weft record` and
 * BullMQ workers. TypeScript modules go through tsx's loader (when tsx is installed and not
 * loaded yet), registered in this process so that the graph shares its copy of `@weft/core`.
 * A missing module, or one with no graph, is an `INVALID_OPTION` naming the module.
 *
 * @example
 * ```ts
 * import { toMermaid } from "@weft/core";
 * import { loadGraphModule } from "@weft/core/load";
 *
 * const { graph } = await loadGraphModule({ module: "src/graph.ts", export: "reviewGraph" });
 * console.log(toMermaid(graph));
 * ```
 * @see ../../../../docs/diagrams.md
 */
export async function loadGraphModule(options: LoadGraphOptions): Promise<LoadedGraph> {
  const url = moduleUrl(options.module, options.cwd ?? process.cwd());
  const exports = await importModule(url, String(options.module));
  const graph = await pickGraph(exports, { export: options.export, where: String(options.module) });
  return { graph, exports, url };
}

/**
 * The graph among a module's exports: `options.export` when given; otherwise `default`, then
 * `graph`, then the only export that is a graph. The export may be a {@link GraphSource} or a
 * function of no arguments (sync or async) that returns one: it is called once.
 *
 * @example
 * ```ts
 * const graph = await pickGraph(await import("./graph.js"), { export: "reviewGraph" });
 * ```
 * @see ../../../../docs/diagrams.md
 */
export async function pickGraph(
  exports: Readonly<Record<string, unknown>>,
  options: { readonly export?: string | undefined; readonly where?: string | undefined } = {},
): Promise<GraphSource> {
  const where = options.where ?? "the module";
  const names = Object.keys(exports).filter((key) => key !== "__esModule");
  if (options.export !== undefined) {
    if (!Object.hasOwn(exports, options.export)) {
      throw invalid(`${where} has no export "${options.export}"; its exports are: ${list(names)}.`, where);
    }
    return graphOf(exports[options.export], options.export, where);
  }
  for (const name of ["default", "graph"]) {
    const value = unwrapDefault(exports[name], name);
    if (isGraphSource(value) || typeof value === "function") return graphOf(value, name, where);
  }
  const graphs = names.filter((name) => isGraphSource(exports[name]));
  if (graphs.length === 1) return exports[graphs[0]!] as GraphSource;
  throw invalid(
    graphs.length === 0
      ? `${where} exports no graph (neither "default" nor "graph" nor a StateGraph, compiled graph or GraphIR); its exports are: ${list(names)}. Choose one with --export <name>.`
      : `${where} exports ${graphs.length} graphs (${list(graphs)}): choose one with --export <name>.`,
    where,
  );
}

async function graphOf(value: unknown, name: string, where: string): Promise<GraphSource> {
  if (isGraphSource(value)) return value;
  if (typeof value !== "function") {
    throw invalid(
      `Export "${name}" of ${where} is not a graph: expected a StateGraph, a compiled graph, a GraphIR or a function that returns one, got ${describe(value)}.`,
      where,
    );
  }
  const source = Function.prototype.toString.call(value);
  if (/^class\b/.test(source)) {
    throw invalid(`Export "${name}" of ${where} is a class: export a graph, or a function of no arguments that returns one.`, where);
  }
  if (value.length > 0) {
    throw invalid(
      `Export "${name}" of ${where} is a function that takes arguments (${parameters(source, value.length)}); ` +
        "a graph factory is called with none: export a function of no arguments, or the graph itself.",
      where,
    );
  }
  let made: unknown;
  try {
    made = await (value as () => unknown)();
  } catch (error) {
    throw new GraphError(
      "INVALID_OPTION",
      `Calling export "${name}" of ${where} threw: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        details: { option: "export", module: where },
      },
    );
  }
  if (isGraphSource(made)) return made;
  throw invalid(`Export "${name}" of ${where} is a function that returned ${describe(made)}, not a graph.`, where);
}

/** A TypeScript module compiled to CommonJS puts its default export one level down. */
function unwrapDefault(value: unknown, name: string): unknown {
  if (name === "default" && typeof value === "object" && value !== null && !isGraphSource(value) && "default" in value) {
    return (value as { default: unknown }).default;
  }
  return value;
}

function moduleUrl(module: string | URL, cwd: string): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !isAbsolute(module)) return module;
  return pathToFileURL(resolve(cwd, module)).href;
}

async function importModule(url: string, given: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?tsx?$/.test(new URL(url).pathname) && !tsxLoaded()) {
    const tsx = await import("tsx/esm/api").catch(() => undefined);
    tsx?.register();
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(new URL(url).pathname)) {
      throw new GraphError("INVALID_OPTION", `Cannot find the graph module ${given} (looked at ${new URL(url).pathname}).`, {
        cause: error,
        details: { option: "module", module: given },
      });
    }
    throw error;
  }
}

/** Whether this process was started with tsx's loader already (`--import tsx`, say). */
function tsxLoaded(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  return /(--import|--loader|--require|-r)[= ]\S*tsx/.test(flags);
}

function invalid(message: string, where: string): GraphError {
  return new GraphError("INVALID_OPTION", message, { details: { option: "export", module: where } });
}

function parameters(source: string, count: number): string {
  const match = /^(?:async\s*)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(source) ?? /^(?:async\s+)?([\w$]+)\s*=>/.exec(source);
  const names = match?.[1]
    ?.split(",")
    .map((part) => part.split("=")[0]!.trim())
    .filter(Boolean);
  return names !== undefined && names.length > 0 ? names.join(", ") : `${count} parameter${count === 1 ? "" : "s"}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object with keys ${Object.keys(value).slice(0, 5).join(", ") || "(none)"}`;
  return typeof value;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "(none)" : names.map((name) => `"${name}"`).join(", ");
}
