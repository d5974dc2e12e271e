import { END, START } from "../graph/constants.js";
import { graphIR, type GraphSource } from "../graph/graph-source.js";
import type { GraphIR, NodeSpec } from "../graph/ir.js";
import { takesSendsOnly } from "../graph/shared-keys.js";
import { quoted } from "./escape.js";

/**
 * A node to draw as a nested graph, with the nested graph's own subgraphs.
 *
 * @example
 * ```ts
 * toMermaid(app, { subgraphs: { research: { graph: research, subgraphs: { search: searchGraph } } } });
 * ```
 */
export interface SubgraphSpec {
  readonly graph: GraphSource;
  readonly subgraphs?: Readonly<Record<string, GraphSource | SubgraphSpec>>;
}

/**
 * Options of {@link toMermaid}.
 *
 * @example
 * ```ts
 * toMermaid(graph, { direction: "LR", title: "support", undeclaredRoutes: "placeholder" });
 * ```
 */
export interface MermaidOptions {
  /** Layout direction: top-down (default), left-right, bottom-up or right-left. */
  readonly direction?: "TD" | "LR" | "BT" | "RL";
  /** A title above the diagram. None by default. */
  readonly title?: string;
  /**
   * Nodes to expand in place: node name → the graph that node runs (its fn calls that graph).
   * The node becomes a mermaid `subgraph` box holding the inner graph; edges to and from the
   * node attach to the box. Subgraph nodes (`addNode(name, compiledGraph)`) are expanded
   * without it, at every depth; an entry here wins over the graph the node holds.
   */
  readonly subgraphs?: Readonly<Record<string, GraphSource | SubgraphSpec>>;
  /**
   * How to draw a router that declared no targets, which may go to any node or END:
   * `"every"` (default) draws a dashed edge to every node and END, as the validator counts it;
   * `"placeholder"` draws one dashed edge to an "any node" box.
   */
  readonly undeclaredRoutes?: "every" | "placeholder";
}

type ClassName = "terminal" | "worker" | "deferred" | "join" | "any";

const CLASS_STYLES: Readonly<Record<ClassName, string>> = {
  terminal: "fill:#f1f5f9,stroke:#475569,color:#0f172a",
  worker: "fill:#f5f3ff,stroke:#7c3aed,color:#2e1065",
  deferred: "fill:#fffbeb,stroke:#b45309,stroke-dasharray:6 3,color:#451a03",
  join: "fill:#334155,stroke:#334155",
  any: "fill:#ffffff,stroke:#64748b,stroke-dasharray:2 2,color:#334155",
};
const SEND_LINK_STYLE = "stroke:#7c3aed,stroke-width:2px,stroke-dasharray:5 4";

/** Collects the lines of one diagram; links are numbered in the order they are written. */
class Writer {
  readonly nodes: string[] = [];
  readonly links: string[] = [];
  readonly sendLinks: number[] = [];
  readonly classes = new Map<ClassName, string[]>();
  #linkCount = 0;

  link(indent: string, line: string, send = false): void {
    if (send) this.sendLinks.push(this.#linkCount);
    this.#linkCount++;
    this.links.push(indent + line);
  }

  addClass(name: ClassName, id: string): void {
    const ids = this.classes.get(name);
    if (ids === undefined) this.classes.set(name, [id]);
    else ids.push(id);
  }
}

/**
 * Draws a graph as a mermaid flowchart: START and END as stadiums, solid static edges, dashed
 * conditional edges labelled with their path keys, thick dashed "Send" edges into nodes that take
 * their own input, joins as a filled junction dot, deferred nodes with a dashed amber border,
 * and Command targets (`ends`) as dashed edges. A subgraph node (`addNode(name, compiledGraph)`)
 * is a box holding its inner graph, at every depth; conditional edges into one that only a Send
 * can start are Sends. Node names go in quoted labels behind safe ids
 * (`n0`, `n1`, …), so any name draws. The same graph always gives the same text.
 *
 * @example
 * ```ts
 * const graph = new StateGraph(State)
 *   .addNode("write", (s) => ({ report: s.topic }))
 *   .addEdge(START, "write")
 *   .addEdge("write", END);
 * console.log(toMermaid(graph));
 * // flowchart TD
 * //   __start__(["START"])
 * //   n0["write"]
 * //   …
 * ```
 * @see ../../../../docs/diagrams.md
 */
export function toMermaid(graph: GraphSource, options: MermaidOptions = {}): string {
  const writer = new Writer();
  drawGraph(writer, graphIR(graph), {
    prefix: "",
    indent: "  ",
    subgraphs: options.subgraphs ?? {},
    undeclared: options.undeclaredRoutes ?? "every",
  });

  const out: string[] = [];
  if (options.title !== undefined) out.push("---", `title: ${JSON.stringify(options.title)}`, "---");
  out.push(`flowchart ${options.direction ?? "TD"}`, ...writer.nodes, ...writer.links);
  for (const [name, ids] of [...writer.classes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`  classDef ${name} ${CLASS_STYLES[name]}`, `  class ${ids.join(",")} ${name}`);
  }
  if (writer.sendLinks.length > 0) out.push(`  linkStyle ${writer.sendLinks.join(",")} ${SEND_LINK_STYLE}`);
  return `${out.join("\n")}\n`;
}

/** Where a graph is drawn: its ids' prefix and indent (nested boxes add to both), and its options. */
interface Frame {
  readonly prefix: string;
  readonly indent: string;
  readonly subgraphs: Readonly<Record<string, GraphSource | SubgraphSpec>>;
  readonly undeclared: "every" | "placeholder";
}

function drawGraph(writer: Writer, ir: GraphIR, frame: Frame): void {
  const { prefix, indent, undeclared } = frame;
  const nodes = [...ir.nodes.values()].sort((a, b) => a.index - b.index);
  const ids = new Map<string, string>(nodes.map((node) => [node.name, `${prefix}n${node.index}`]));
  const startId = `${prefix}__start__`;
  const endId = `${prefix}__end__`;
  const idOf = (name: string): string => (name === START ? startId : name === END ? endId : (ids.get(name) ?? missing(name)));
  const isWorker = (name: string): boolean => {
    const node = ir.nodes.get(name);
    return node !== undefined && takesOwnInput(ir, node);
  };

  writer.nodes.push(`${indent}${startId}(["START"])`);
  writer.addClass("terminal", startId);
  for (const node of nodes) drawNode(writer, node, idOf(node.name), { ...frame, worker: takesOwnInput(ir, node) });
  if (usesEnd(ir)) {
    writer.nodes.push(`${indent}${endId}(["END"])`);
    writer.addClass("terminal", endId);
  }

  const seen = new Set<string>();
  for (const edge of ir.edges) {
    const key = `${edge.from}\u0000${edge.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    writer.link(indent, `${idOf(edge.from)} --> ${idOf(edge.to)}`);
  }

  for (const [i, join] of ir.joins.entries()) {
    const joinId = `${prefix}j${i}`;
    writer.nodes.push(`${indent}${joinId}@{ shape: f-circ }`);
    writer.addClass("join", joinId);
    for (const source of join.sources) writer.link(indent, `${idOf(source)} --- ${joinId}`);
    writer.link(indent, `${joinId} --> ${idOf(join.target)}`);
  }

  const conditional = (from: string, to: string, label: string | undefined): void => {
    if (isWorker(to)) {
      writer.link(indent, `${idOf(from)} ==>|${quoted(label ?? "Send")}| ${idOf(to)}`, true);
    } else {
      writer.link(indent, label === undefined ? `${idOf(from)} -.-> ${idOf(to)}` : `${idOf(from)} -.->|${quoted(label)}| ${idOf(to)}`);
    }
  };

  for (const [i, branch] of ir.branches.entries()) {
    if (branch.pathMap !== undefined) {
      const keysByTarget = new Map<string, string[]>();
      for (const [key, target] of Object.entries(branch.pathMap)) {
        keysByTarget.set(target, [...(keysByTarget.get(target) ?? []), key]);
      }
      for (const [target, keys] of keysByTarget) conditional(branch.source, target, keys.join(", "));
    } else if (branch.targets !== undefined) {
      for (const target of new Set(branch.targets)) conditional(branch.source, target, undefined);
    } else if (undeclared === "placeholder") {
      const anyId = `${prefix}r${i}`;
      writer.nodes.push(`${indent}${anyId}{{"any node"}}`);
      writer.addClass("any", anyId);
      writer.link(indent, `${idOf(branch.source)} -.-> ${anyId}`);
    } else {
      for (const node of nodes) conditional(branch.source, node.name, undefined);
      conditional(branch.source, END, undefined);
    }
  }

  for (const node of nodes) {
    for (const target of new Set(node.ends)) conditional(node.name, target, undefined);
  }
}

/**
 * Where Sends go: a node with its own input schema, or a subgraph node the state alone cannot
 * start. Conditional edges into it are drawn as Sends.
 */
function takesOwnInput(ir: GraphIR, node: NodeSpec): boolean {
  return node.input !== undefined || takesSendsOnly(ir, node);
}

/** The graph a node is drawn expanded with: the caller's map entry, else the subgraph it runs. */
function nestedOf(node: NodeSpec, subgraphs: Frame["subgraphs"]): SubgraphSpec | undefined {
  const given = Object.hasOwn(subgraphs, node.name) ? subgraphs[node.name] : undefined;
  if (given !== undefined) return "graph" in given ? given : { graph: given };
  return node.subgraph === undefined ? undefined : { graph: node.subgraph.graph };
}

function drawNode(writer: Writer, node: NodeSpec, id: string, frame: Frame & { readonly worker: boolean }): void {
  const { indent, subgraphs, worker } = frame;
  const spec = nestedOf(node, subgraphs);
  if (spec !== undefined) {
    writer.nodes.push(`${indent}subgraph ${id} [${quoted(node.name)}]`);
    // Inner nodes are declared inside the box, which makes them its members; inner links join
    // the other links, numbered after those already written.
    const inner = new Writer();
    drawGraph(inner, graphIR(spec.graph), {
      prefix: `${id}_`,
      indent: `${indent}  `,
      subgraphs: spec.subgraphs ?? {},
      undeclared: frame.undeclared,
    });
    writer.nodes.push(...inner.nodes);
    const sends = new Set(inner.sendLinks);
    for (const [i, line] of inner.links.entries()) writer.link(indent, line.trimStart(), sends.has(i));
    for (const [name, ids] of inner.classes) for (const innerId of ids) writer.addClass(name, innerId);
    writer.nodes.push(`${indent}end`);
    if (worker) writer.addClass("worker", id);
  } else if (worker) {
    writer.nodes.push(`${indent}${id}@{ shape: procs, label: ${quoted(node.name)} }`);
    writer.addClass("worker", id);
  } else {
    writer.nodes.push(`${indent}${id}[${quoted(node.name)}]`);
  }
  if (node.defer) writer.addClass("deferred", id);
}

function usesEnd(ir: GraphIR): boolean {
  return (
    ir.edges.some((edge) => edge.to === END) ||
    ir.joins.some((join) => join.target === END) ||
    ir.branches.some((branch) => branch.targets === undefined || branch.targets.includes(END)) ||
    [...ir.nodes.values()].some((node) => node.ends.includes(END))
  );
}

function missing(name: string): never {
  throw new TypeError(`Cannot draw an edge to "${name}": it is not a node of the graph.`);
}
