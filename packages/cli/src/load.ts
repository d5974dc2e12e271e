import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Drawable, GraphIR } from "@weft/core/draw";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);

/**
 * A problem with what the user asked for: the CLI prints its message as is and exits with 1.
 *
 * @example
 * ```ts
 * throw new CliError('--scale must be a number in (0, 8], got "big".');
 * ```
 */
export class CliError extends Error {
  override readonly name = "CliError";
}

/**
 * Imports a module by path. TypeScript modules go through tsx's loader, so `.ts` files with
 * `.js` import specifiers, path aliases or enums work as they do in the user's build.
 *
 * @example
 * ```ts
 * const module = await importModule("src/graph.ts", process.cwd());
 * ```
 * @see ../../../docs/diagrams.md
 */
export async function importModule(path: string, cwd: string): Promise<Record<string, unknown>> {
  const absolute = resolve(cwd, path);
  const url = pathToFileURL(absolute).href;
  try {
    if (TS_EXTENSIONS.has(extname(absolute))) {
      const { tsImport } = await import("tsx/esm/api");
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(absolute)) {
      throw new CliError(`Cannot find module ${path} (looked at ${absolute}).`);
    }
    throw error;
  }
}

/**
 * The graph a module exports: `exportName` when given, else the default export, else the
 * export named `graph`. Accepts a StateGraph, a CompiledGraph or a GraphIR; otherwise throws a
 * {@link CliError} that lists the module's exports.
 *
 * @example
 * ```ts
 * const graph = pickGraph(await importModule("src/graph.ts", cwd), "src/graph.ts", "reviewGraph");
 * console.log(toMermaid(graph));
 * ```
 * @see ../../../docs/diagrams.md
 */
export function pickGraph(module: Record<string, unknown>, path: string, exportName?: string): Drawable {
  const names = exportName === undefined ? ["default", "graph"] : [exportName];
  for (const name of names) {
    const value = unwrapDefault(module[name], name);
    if (value === undefined) continue;
    if (isDrawable(value)) return value;
    throw new CliError(
      `Export "${name}" of ${path} is not a graph: expected a StateGraph, a CompiledGraph or a GraphIR, got ${describe(value)}.`,
    );
  }
  const exports = Object.keys(module).filter((key) => key !== "__esModule");
  const wanted = exportName === undefined ? 'neither a default export nor an export named "graph"' : `no export named "${exportName}"`;
  throw new CliError(
    `${path} has ${wanted}; its exports are: ${exports.length === 0 ? "(none)" : exports.join(", ")}. ` +
      "Pass --export <name> to choose one.",
  );
}

/** A TypeScript module compiled to CommonJS puts its default export one level down. */
function unwrapDefault(value: unknown, name: string): unknown {
  if (name === "default" && typeof value === "object" && value !== null && !isDrawable(value) && "default" in value) {
    return (value as { default: unknown }).default;
  }
  return value;
}

function isDrawable(value: unknown): value is Drawable {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as { toIR?: unknown }).toIR === "function") return true;
  const ir = value as Partial<GraphIR>;
  return ir.nodes instanceof Map && Array.isArray(ir.edges) && Array.isArray(ir.branches);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an object with keys ${Object.keys(value).slice(0, 5).join(", ") || "(none)"}`;
  return typeof value;
}
