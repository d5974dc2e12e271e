/**
 * Pictures of graphs and runs: mermaid flowcharts of a graph, mermaid Gantt timelines of a
 * run's parallel branches, and run records (JSON Lines of a run's events) to draw them later.
 * `@weft/mermaid` renders these to SVG or PNG.
 */
export { toMermaid, type MermaidOptions, type SubgraphSpec } from "./draw/mermaid.js";
export type { GraphSource } from "./graph/graph-source.js";
export { toMermaidGantt, type GanttOptions } from "./draw/gantt.js";
export {
  parseRunRecord,
  recordRun,
  serializeRunEvent,
  stringifyRunRecord,
  type RecordedRunEvent,
  type SerializedError,
} from "./draw/run-record.js";
export type { GraphIR } from "./graph/ir.js";
