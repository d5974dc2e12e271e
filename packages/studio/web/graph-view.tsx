import mermaid from "mermaid";
import { useEffect, useRef } from "preact/hooks";
import type { GraphInfo } from "./api.js";
import { nodeStatus, type TaskStatus } from "./run-view.js";

mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
let renders = 0;

/** Fills by status; mermaid's own fill (a worker's, say) comes back when a node is idle. */
const FILLS: Partial<Record<TaskStatus | "idle", string>> = {
  queued: "#e0f2fe",
  running: "#fde68a",
  retrying: "#fed7aa",
  done: "#bbf7d0",
  failed: "#fecaca",
  cancelled: "#e5e7eb",
  interrupted: "#ddd6fe",
};

/**
 * The graph's own nodes in mermaid's SVG: a node's id ends in `flowchart-n<index>-<n>`, a
 * subgraph node's box (a cluster) in `n<index>`. The nodes inside a subgraph box (`n1_n0`) are
 * the inner graph's, whose tasks are not this run's.
 */
const OWN_NODE = /(?:^|-)flowchart-n\d+-\d+$/;
const OWN_BOX = /(?:^|-)n\d+$/;

/** Colours a node's outline shapes, or a subgraph box's frame (not its label), over mermaid's inline styles. */
function fill(node: Element, status: TaskStatus | "idle"): void {
  node.setAttribute("data-status", status);
  const shapes = node.classList.contains("cluster")
    ? ":scope > rect"
    : ".label-container:is(rect, path, polygon), .label-container :is(rect, path, polygon)";
  for (const shape of node.querySelectorAll<SVGElement>(shapes)) {
    shape.dataset.fill ??= `${shape.style.getPropertyValue("fill")}|${shape.style.getPropertyPriority("fill")}`;
    const [original, priority] = shape.dataset.fill.split("|");
    const colour = FILLS[status];
    if (colour !== undefined) shape.style.setProperty("fill", colour, "important");
    else if (original) shape.style.setProperty("fill", original, priority);
    else shape.style.removeProperty("fill");
  }
}

const COLUMNS: readonly TaskStatus[] = ["pending", "queued", "running", "retrying", "done", "failed", "cancelled", "interrupted"];

/** The graph drawn by mermaid, each node coloured by its tasks' status, with their counts below. */
export function GraphView({ graph, counts }: { graph: GraphInfo; counts: Map<string, Partial<Record<TaskStatus, number>>> }) {
  const box = useRef<HTMLDivElement>(null);
  const nodes = useRef(new Map<string, Element>());

  useEffect(() => {
    let current = true;
    void mermaid.render(`weft-graph-${++renders}`, graph.mermaid).then(({ svg }) => {
      if (!current || box.current === null) return;
      box.current.innerHTML = svg;
      nodes.current = new Map();
      const own = (element: Element, label: string | undefined): void => {
        const name = label?.trim() ?? "";
        if (graph.nodes.some((node) => node.name === name)) nodes.current.set(name, element);
      };
      for (const element of box.current.querySelectorAll("g.node")) {
        if (OWN_NODE.test(element.id)) own(element, element.textContent ?? undefined);
      }
      for (const element of box.current.querySelectorAll("g.cluster")) {
        if (OWN_BOX.test(element.id)) own(element, element.querySelector(".cluster-label")?.textContent ?? undefined);
      }
      paint();
    });
    return () => {
      current = false;
    };
  }, [graph.mermaid]);

  const paint = (): void => {
    for (const [name, element] of nodes.current) fill(element, nodeStatus(counts.get(name)));
  };
  useEffect(paint);

  return (
    <div>
      <div class="diagram" ref={box} data-testid="diagram" />
      <table data-testid="node-counts">
        <thead>
          <tr>
            <th>node</th>
            {COLUMNS.map((status) => (
              <th key={status}>{status}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {graph.nodes.map((node) => {
            const count = counts.get(node.name) ?? {};
            return (
              <tr key={node.name} data-node={node.name} data-status={nodeStatus(count)}>
                <td>
                  <span class={`pill s-${nodeStatus(count)}`}>{node.name}</span>
                  {node.sendTarget ? <span class="muted"> (Send)</span> : null}
                </td>
                {COLUMNS.map((status) => (
                  <td key={status} data-count={status}>
                    {count[status] ?? ""}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
