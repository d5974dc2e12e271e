import type { z } from "zod";
import { graphError } from "../errors.js";
import { reducerOf } from "../state/channels.js";
import type { GraphIR, NodeSpec } from "./ir.js";

/**
 * The keys a subgraph node shares with its graph, checked when the graph compiles: a key both
 * states have must have one type in both (what the type checker says for typed code, checked
 * here too for code it cannot see). Two schemas have one type when they accept the same kinds
 * of values: `z.string()` and `z.string().min(3)` do, `z.string()` and `z.number()` do not.
 * A direction the node maps with `input` or `output` shares nothing.
 */
export function checkSharedKeys(ir: GraphIR, node: NodeSpec): void {
  const sub = node.subgraph;
  if (sub === undefined) return;
  const inner = sub.graph;
  const outer = ir.state.shape as Record<string, z.ZodType>;
  const sides = [
    sub.input === undefined ? (inner.input ?? inner.state) : undefined,
    sub.output === undefined ? (inner.output ?? inner.state) : undefined,
  ];
  for (const side of sides) {
    if (side === undefined) continue;
    for (const [key, schema] of Object.entries(side.shape as Record<string, z.ZodType>)) {
      const mine = outer[key];
      if (mine === undefined) continue;
      const a = shapeOf(mine);
      const b = shapeOf(schema);
      if (a === ANY || b === ANY || a === b) continue;
      throw graphError("INVALID_GRAPH", "sharedKeyType", {
        node: node.name,
        key,
        graph: ir.name,
        subgraph: inner.name,
        problem: `${a} here, ${b} in the subgraph`,
      });
    }
  }
}

/**
 * Whether a subgraph node can only be started by a `Send`: without an `input` mapping, its
 * inner graph requires a key (of its input schema, else its state; no default, not optional,
 * not a reducer's) that this graph's state does not have, so the state alone cannot start it.
 * False for other nodes, and for a node with an `input` mapping, which may read either.
 */
export function takesSendsOnly(ir: GraphIR, node: NodeSpec): boolean {
  const sub = node.subgraph;
  if (sub === undefined || sub.input !== undefined) return false;
  const outer = ir.state.shape as Record<string, z.ZodType>;
  const inner = (sub.graph.input ?? sub.graph.state).shape as Record<string, z.ZodType>;
  return Object.entries(inner).some(
    ([key, schema]) => !Object.hasOwn(outer, key) && reducerOf(schema) === undefined && !schema.safeParse(undefined).success,
  );
}

const ANY = "any";

/** What a schema accepts, as a string: its kind, and the kinds inside it; refinements and defaults aside. */
function shapeOf(schema: z.ZodType): string {
  const def = (schema as unknown as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (def === undefined) return ANY;
  const type = def.type as string;
  const inner = (key: string): string => shapeOf(def[key] as z.ZodType);
  switch (type) {
    case "optional":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return inner("innerType");
    case "nullable":
      return `${inner("innerType")} | null`;
    case "array":
      return `${inner("element")}[]`;
    case "object": {
      const shape = def.shape as Record<string, z.ZodType>;
      const fields = Object.keys(shape)
        .sort()
        .map((key) => `${key}: ${shapeOf(shape[key]!)}`);
      return `{ ${fields.join("; ")} }`;
    }
    case "union":
      return [...new Set((def.options as z.ZodType[]).map(shapeOf))].sort().join(" | ");
    case "record":
      return `record<${inner("keyType")}, ${inner("valueType")}>`;
    case "tuple":
      return `[${(def.items as z.ZodType[]).map(shapeOf).join(", ")}]`;
    case "literal":
      return (def.values as unknown[]).map((value) => JSON.stringify(value)).join(" | ");
    case "enum":
      return Object.values(def.entries as Record<string, unknown>)
        .map((value) => JSON.stringify(value))
        .sort()
        .join(" | ");
    case "any":
    case "unknown":
    case "pipe":
    case "transform":
    case "lazy":
    case "custom":
      return ANY;
    default:
      return type;
  }
}
