import { closest, graphError, isPlainObject, kindOf } from "../errors.js";
import type { Snapshot } from "../records/write.js";
import { formatIssues } from "./table.js";
import type { AnyStateSchema } from "./types.js";

/**
 * A graph's input and output schemas: what a run's input may hold, and what a run returns, when
 * they are narrower than the state.
 */

/**
 * Checks a run's input against the graph's input schema: a key the schema does not have, or a
 * value it rejects, is an `INVALID_INPUT` naming the key. Returns the input with the schema's
 * parse applied (its defaults and transforms); anything but a plain object is left to the state
 * to refuse.
 */
export function checkGraphInput(schema: AnyStateSchema | undefined, input: unknown): unknown {
  if (schema === undefined || !isPlainObject(input)) return input;
  const keys = Object.keys(schema.shape);
  for (const key of Object.keys(input)) {
    if (!keys.includes(key)) throw graphError("INVALID_INPUT", "notAnInputKey", { key, suggestion: closest(key, keys) });
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue === undefined || issue.path.length === 0 ? undefined : String(issue.path[0]);
    if (key === undefined) throw graphError("INVALID_INPUT", "notAnObject", { kind: kindOf(input) });
    throw graphError("INVALID_INPUT", "invalidValue", { key, problem: formatIssues(parsed.error) }, parsed.error);
  }
  return parsed.data;
}

/** The state as a run returns it: only the output schema's keys, when the graph has one. */
export function graphOutput(schema: AnyStateSchema | undefined, state: Snapshot): Snapshot {
  if (schema === undefined) return state;
  const output: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) if (Object.hasOwn(state, key)) output[key] = state[key];
  return Object.freeze(output);
}
