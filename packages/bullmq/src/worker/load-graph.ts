import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { GraphIR } from "@weft/core/adapter";

/**
 * Anything that describes a graph: a `StateGraph` builder or a compiled graph.
 *
 * @example
 * ```ts
 * const source: GraphSource = builder; // or builder.compile()
 * ```
 */
export interface GraphSource {
  toIR(): GraphIR;
}

/**
 * Finds the graph a module exports: the export named `name` when given; otherwise `default`,
 * then `graph`, then the only export that has a `toIR()` method.
 *
 * @example
 * ```ts
 * const ir = pickGraph(await import("./graph.js"), "report");
 * ```
 */
export function pickGraph(exports: Record<string, unknown>, name?: string, where = "the module"): GraphIR {
  if (name !== undefined) {
    if (!(name in exports)) {
      throw new Error(`${where} has no export "${name}"; it exports ${describe(Object.keys(exports))}.`);
    }
    if (!isGraphSource(exports[name])) {
      throw new Error(`Export "${name}" of ${where} is not a graph: export a StateGraph builder or a compiled graph.`);
    }
    return exports[name].toIR();
  }
  for (const key of ["default", "graph"]) {
    const value = exports[key];
    if (isGraphSource(value)) return value.toIR();
  }
  const graphs = Object.entries(exports).filter(([, value]) => isGraphSource(value));
  if (graphs.length === 1) return (graphs[0]![1] as GraphSource).toIR();
  throw new Error(
    graphs.length === 0
      ? `${where} exports no graph (a StateGraph builder or a compiled graph); it exports ${describe(Object.keys(exports))}.`
      : `${where} exports ${graphs.length} graphs (${describe(graphs.map(([key]) => key))}): name one with --export (or the "export" option).`,
  );
}

/**
 * Imports a graph module (a path, relative to the working directory, or a URL) and picks its
 * graph. TypeScript modules are imported through `tsx` when it is installed.
 *
 * @example
 * ```ts
 * const ir = await loadGraph("./dist/graph.js", "report");
 * ```
 */
export async function loadGraph(module: string | URL, name?: string): Promise<GraphIR> {
  const url =
    module instanceof URL ? module.href : /^[a-z][a-z0-9+.-]*:/i.test(module) && !isAbsolute(module) ? module : pathToFileURL(resolve(module)).href;
  return pickGraph(await importModule(url), name, `Module ${url}`);
}

/**
 * Imports a module. For a TypeScript one, registers tsx's loader first when tsx is installed and
 * not loaded yet, so that its `.js` specifiers find their `.ts` files (Node's own type stripping
 * does not map them). `register` rather than `tsImport`: the graph must share this process's
 * copy of `@weft/core`, whose `Command` and `Send` are recognised by class.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?tsx?$/.test(new URL(url).pathname) && !tsxLoaded()) {
    const tsx = await import("tsx/esm/api").catch(() => undefined);
    tsx?.register();
  }
  return (await import(url)) as Record<string, unknown>;
}

function tsxLoaded(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  return /(--import|--loader|--require|-r)[= ]\S*tsx/.test(flags);
}

function isGraphSource(value: unknown): value is GraphSource {
  return typeof value === "object" && value !== null && typeof (value as GraphSource).toIR === "function";
}

function describe(keys: readonly string[]): string {
  return keys.length === 0 ? "nothing" : keys.map((key) => `"${key}"`).join(", ");
}
