/**
 * Loading a graph module: the loader `weft draw`, `weft record` and `@weft/bullmq`'s workers
 * share, and the one name for what they load, a {@link GraphSource}.
 */
export { graphIR, isGraphSource, type GraphSource } from "./graph/graph-source.js";
export { loadGraphModule, pickGraph, type LoadedGraph, type LoadGraphOptions } from "./load/graph-module.js";
