import { orphanedGraph } from "./orphans.js";

export const graph = await orphanedGraph({ stillDown: true });
