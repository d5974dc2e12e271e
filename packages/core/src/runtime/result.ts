import { enablePatches, produceWithPatches } from "immer";
import { graphError } from "../errors.js";
import { isCommand, isParentCommand } from "../graph/command.js";
import type { NodeSpec } from "../graph/ir.js";
import type { AttemptResult, Interpreted } from "../records/attempt.js";
import type { Snapshot } from "../records/write.js";
import type { TaskContext } from "./context.js";
import { ParentSignal } from "./parent.js";

/**
 * Reading what a node's call came to: an update object, a `Command`, an immer recipe, nothing,
 * an error, or an interrupt. The same reading serves this process and executors' workers.
 */

const NONE: readonly never[] = Object.freeze([]);

/** What a plain update leads to: no Command targets. */
export const NO_GOTO: readonly never[] = NONE;

const nothing: Interpreted = { update: undefined, overwrite: undefined, goto: NONE };

let patchesEnabled = false;

/**
 * Reads what a node returned: nothing, an update, a Command, or an immer recipe. A recipe
 * drafts `snapshot`, the state; tasks that receive their own input have none to draft.
 */
export function interpret(result: unknown, snapshot: Snapshot | undefined, node: string): Interpreted {
  if (result === undefined || result === null) return nothing;
  if (isCommand(result)) return { update: result.update, overwrite: undefined, goto: result.goto };
  if (typeof result === "function") return applyRecipe(result as (draft: Record<string, unknown>) => void, snapshot, node);
  // An update object; anything else (a number, a string…) parseUpdate rejects, naming the node.
  return { update: result, overwrite: undefined, goto: NONE };
}

/** Runs an immer recipe on the state and returns the keys it changed as an update that replaces them. */
function applyRecipe(recipe: (draft: Record<string, unknown>) => void, snapshot: Snapshot | undefined, node: string): Interpreted {
  if (snapshot === undefined) {
    throw graphError("INVALID_UPDATE", "recipeWithOwnInput", { node });
  }
  // Patches are switched on where they are first needed, not when the package is imported.
  if (!patchesEnabled) {
    enablePatches();
    patchesEnabled = true;
  }
  const [next, patches] = produceWithPatches(snapshot, recipe);
  const keys = new Set(patches.map((patch) => String(patch.path[0])));
  const update: Record<string, unknown> = {};
  for (const key of keys) update[key] = next[key];
  return { update, overwrite: keys, goto: NONE };
}

/**
 * True when a node returned a plain update object (not a Command, not a recipe): the common
 * case, which the engine reads without taking it apart.
 */
export function isPlainUpdate(result: unknown): result is object {
  return typeof result === "object" && result !== null && !isCommand(result);
}

/**
 * Whether a task's input is the state — an edge-triggered task of a node without an input
 * schema — and so whether an immer recipe it returns has a state to draft.
 */
export function receivesState(spec: NodeSpec, task: { readonly sendIndex: number | undefined }): boolean {
  return task.sendIndex === undefined && spec.input === undefined;
}

/** One call of a node, as {@link readAttempt} reads it. */
export interface NodeCall {
  readonly spec: NodeSpec;
  readonly task: { readonly sendIndex: number | undefined; readonly input: unknown };
  readonly ctx: TaskContext;
}

/**
 * What one call of a node came to: the interrupt, if the node called `ctx.interrupt` without an
 * answer (even if it then returned or threw something else); otherwise its return value taken
 * apart, or — when `threw` — its error, thrown again. A recipe drafts the task's input when that
 * input is the state.
 */
export function readAttempt(call: NodeCall, outcome: unknown, threw: boolean): AttemptResult {
  const pending = call.ctx.pending;
  if (pending !== undefined) {
    const { id, value, kind } = pending.interrupt;
    if (pending.wait === undefined && pending.resumes.length === 0) return { kind: "interrupted", id, value };
    return { kind: "interrupted", id, value, sleep: kind === "sleep", wait: pending.wait, resumes: pending.resumes };
  }
  if (threw) throw outcome;
  if (isCommand(outcome) && isParentCommand(outcome)) throw new ParentSignal(outcome);
  const snapshot = receivesState(call.spec, call.task) ? (call.task.input as Snapshot) : undefined;
  return { kind: "returned", result: interpret(outcome, snapshot, call.ctx.node) };
}
