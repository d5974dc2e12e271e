import { didYouMean, GraphError } from "../errors.js";
import { END, START } from "./constants.js";
import type { GraphIR } from "./ir.js";

/**
 * Checks a graph before it runs: every name is a node, START leads somewhere, every node is
 * reachable from START and has a way out. Throws the first problem as a `GraphError`.
 */
export function validateGraph(ir: GraphIR): void {
  const names = [...ir.nodes.keys()];
  const requireNode = (name: string, where: string, allow: string): void => {
    if (name === allow || ir.nodes.has(name)) return;
    throw new GraphError(
      "UNKNOWN_NODE",
      `${where} "${name}" is not a node of graph "${ir.name}".${didYouMean(name, names)}`,
      { details: { node: name, graph: ir.name } },
    );
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
  }

  const successors = successorMap(ir);
  if ((successors.get(START)?.size ?? 0) === 0) {
    throw new GraphError("NO_ENTRY", `Graph "${ir.name}" has no edge out of START: add addEdge(START, "<first node>").`, {
      details: { graph: ir.name },
    });
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
      throw new GraphError(
        "UNREACHABLE_NODE",
        `Node "${name}" of graph "${ir.name}" cannot be reached from START: add an edge, a conditional edge target or a Command target (ends) that leads to it.`,
        { details: { node: name, graph: ir.name } },
      );
    }
    if ((successors.get(name)?.size ?? 0) === 0) {
      throw new GraphError(
        "DEAD_END",
        `Node "${name}" of graph "${ir.name}" has no way out: add addEdge("${name}", END), a conditional edge, or declare its Command targets with { ends: [...] }.`,
        { details: { node: name, graph: ir.name } },
      );
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
