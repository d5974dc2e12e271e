import { checkOptions, type Rule } from "./rules.js";
import { nonEmptyString } from "./values.js";

/** The options of `new StateGraph(state, options)`. */
export interface GraphOptions {
  /** The graph's name, in messages, drawings and checkpoints. Default `"graph"`. */
  readonly name?: string;
}

const GRAPH_RULES = { name: nonEmptyString } as const satisfies Record<keyof GraphOptions, Rule>;

/**
 * Checks `new StateGraph()`'s options: a name that is not a non-empty string would be
 * accepted here and then refused by the graph's own checkpoints.
 */
export function checkGraphOptions(options: unknown): GraphOptions {
  const given = options === undefined ? {} : options;
  checkOptions(given, GRAPH_RULES, { scope: "graph" });
  return given as GraphOptions;
}
