import type { z } from "zod";
import { closest, graphError } from "../errors.js";
import { formatIssues } from "../state/table.js";
import { reducerOf } from "../state/channels.js";
import { END, START } from "./constants.js";
import type { GraphIR } from "./ir.js";
import { checkSharedKeys } from "./shared-keys.js";

/**
 * Checks a graph before it runs: every name is a node, START leads somewhere, every node is
 * reachable from START and has a way out. Throws the first problem as a `GraphError`.
 */
export function validateGraph(ir: GraphIR): void {
  validateReducers(ir);
  const names = [...ir.nodes.keys()];
  const requireNode = (name: string, where: string, allow: string): void => {
    if (name === allow || ir.nodes.has(name)) return;
    throw graphError("UNKNOWN_NODE", "inGraph", { node: name, graph: ir.name, where, suggestion: closest(name, names) });
  };

  for (const edge of ir.edges) {
    requireNode(edge.from, "Edge source", START);
    requireNode(edge.to, "Edge target", END);
  }
  for (const join of ir.joins) {
    for (const source of join.sources) requireNode(source, "Join source", "");
    requireNode(join.target, "Join target", END);
  }
  for (const branch of ir.branches) {
    requireNode(branch.source, "Conditional edge source", START);
    for (const target of branch.targets ?? []) requireNode(target, `Conditional edge target of "${branch.source}":`, END);
  }
  for (const node of ir.nodes.values()) {
    for (const target of node.ends) requireNode(target, `Command target of "${node.name}":`, END);
    checkSharedKeys(ir, node);
  }

  const successors = successorMap(ir);
  if ((successors.get(START)?.size ?? 0) === 0) {
    throw graphError("NO_ENTRY", "noEntry", { graph: ir.name });
  }

  const reached = new Set<string>([START]);
  const queue = [START];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const target of successors.get(next) ?? []) {
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const name of names) {
    if (!reached.has(name)) {
      throw graphError("UNREACHABLE_NODE", "unreachable", { node: name, graph: ir.name });
    }
    if ((successors.get(name)?.size ?? 0) === 0) {
      throw graphError("DEAD_END", "deadEnd", { node: name, graph: ir.name });
    }
  }
}

/**
 * Where each node (and START) may lead. A router without declared targets may lead anywhere;
 * a join source leads to the join's target.
 */
export function successorMap(ir: GraphIR): Map<string, Set<string>> {
  const successors = new Map<string, Set<string>>();
  const add = (from: string, to: string): void => {
    let set = successors.get(from);
    if (set === undefined) successors.set(from, (set = new Set()));
    set.add(to);
  };
  for (const edge of ir.edges) add(edge.from, edge.to);
  for (const join of ir.joins) for (const source of join.sources) add(source, join.target);
  for (const branch of ir.branches) {
    for (const target of branch.targets ?? [...ir.nodes.keys(), END]) add(branch.source, target);
  }
  for (const node of ir.nodes.values()) for (const target of node.ends) add(node.name, target);
  return successors;
}

/**
 * Checks the state's reducer keys: each has a function to fold with and an initial value (which
 * the types require, plain JavaScript may leave out), and an initial value given as a value
 * passes the key's schema, so that a reducer always receives a real current value.
 */
function validateReducers(ir: GraphIR): void {
  for (const [key, schema] of Object.entries(ir.state.shape) as [string, z.ZodType][]) {
    const spec = reducerOf(schema);
    if (spec === undefined) continue;
    if (typeof spec.reduce !== "function") throw graphError("INVALID_GRAPH", "reducerNotAFunction", { key, graph: ir.name });
    if (spec.init === undefined) throw graphError("INVALID_GRAPH", "reducerWithoutInit", { key, graph: ir.name });
    if (spec.initValue === undefined) continue;
    const parsed = schema.safeParse(spec.initValue.value);
    if (!parsed.success) {
      throw graphError("INVALID_GRAPH", "reducerInitInvalid", { key, graph: ir.name, problem: formatIssues(parsed.error) }, parsed.error);
    }
  }
}
