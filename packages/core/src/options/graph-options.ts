import type { z } from "zod";
import { isPlainObject } from "../errors.js";
import { checkOptions, type Rule } from "./rules.js";
import { nonEmptyString } from "./values.js";

/** The options of `new StateGraph(state, options)`. */
export interface GraphOptions {
  /** The graph's name, in messages, drawings and checkpoints. Default `"graph"`. */
  readonly name?: string;
  /**
   * What a run's input may hold, when it is narrower than the state: a `z.object()` of state
   * keys. A run input with another key, or a value this schema rejects, is an `INVALID_INPUT`
   * naming the key. As a subgraph node, the graph reads these keys of its parent.
   */
  readonly input?: z.ZodObject;
  /**
   * The keys a run returns, when fewer than the state's: a `z.object()` of state keys. `invoke`
   * and `run` return only these; as a subgraph node, the graph writes back only these.
   */
  readonly output?: z.ZodObject;
}

const objectSchema: Rule = {
  expected: "a z.object() schema of state keys",
  accepts: (value) =>
    typeof (value as { safeParse?: unknown } | null)?.safeParse === "function" && isPlainObject((value as { shape?: unknown }).shape),
};

const GRAPH_RULES = { name: nonEmptyString, input: objectSchema, output: objectSchema } as const satisfies Record<keyof GraphOptions, Rule>;

/**
 * Checks `new StateGraph()`'s options: a name that is not a non-empty string would be
 * accepted here and then refused by the graph's own checkpoints; an input or output schema
 * that is not an object schema could not name its keys.
 */
export function checkGraphOptions(options: unknown): GraphOptions {
  const given = options === undefined ? {} : options;
  checkOptions(given, GRAPH_RULES, { scope: "graph" });
  return given as GraphOptions;
}
