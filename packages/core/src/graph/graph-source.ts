import type { GraphIR } from "./ir.js";

/**
 * Anything that describes a graph: a `StateGraph` builder, a `CompiledGraph`, or its `GraphIR`.
 * What `toMermaid` draws, `weft draw` loads and a BullMQ worker runs.
 *
 * @example
 * ```ts
 * const sources: GraphSource[] = [builder, builder.compile(), builder.toIR()];
 * ```
 * @see ../../../../docs/diagrams.md
 */
export type GraphSource = GraphIR | { toIR(): GraphIR };

/**
 * Whether a value is a {@link GraphSource}: it has a `toIR()` method, or it has a graph's
 * `nodes` map and `edges` and `branches` arrays.
 *
 * @example
 * ```ts
 * isGraphSource(builder); // true
 * isGraphSource({ nodes: [] }); // false
 * ```
 */
export function isGraphSource(value: unknown): value is GraphSource {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as { toIR?: unknown }).toIR === "function") return true;
  const ir = value as Partial<GraphIR>;
  return ir.nodes instanceof Map && Array.isArray(ir.edges) && Array.isArray(ir.branches);
}

/**
 * The `GraphIR` of a {@link GraphSource}.
 *
 * @example
 * ```ts
 * const names = [...graphIR(builder).nodes.keys()];
 * ```
 */
export function graphIR(source: GraphSource): GraphIR {
  return "toIR" in source && typeof source.toIR === "function" ? source.toIR() : (source as GraphIR);
}
