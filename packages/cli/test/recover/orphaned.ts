import { orphanedBuilder, orphanedGraph } from "./orphans.js";

export const graph = await orphanedGraph({ stillDown: false });
/** The same graph, not compiled: `weft recover` refuses it. */
export const uncompiled = orphanedBuilder({ down: false });
