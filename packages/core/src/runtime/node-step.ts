import { graphError, kindOf } from "../errors.js";
import type { StepContext } from "../graph/types.js";
import { stepKey, type TaskSteps } from "../records/attempt.js";
import { idempotencyKey } from "./step-log.js";

/** The task a `ctx.step` call belongs to. */
export interface StepOwner {
  readonly node: string;
  readonly signal: AbortSignal;
  /** The task's idempotency key, from which each step's is made. */
  readonly taskKey: string;
  readonly steps: TaskSteps;
}

/**
 * One `ctx.step` call, the `occurrence`-th of its name in the task: returns the saved value
 * when the step finished before, or runs `fn`, saves what it returned and returns the value
 * saved (an earlier save by another run of the task wins). A step whose `fn` throws is not saved;
 * a task whose signal fired starts no new step.
 */
export async function runNodeStep<T>(
  owner: StepOwner,
  call: { readonly name: string; readonly occurrence: number },
  fn: (step: StepContext) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  const { node, steps } = owner;
  const { name, occurrence } = call;
  const key = stepKey(name, occurrence);
  const saved = await steps.load();
  if (saved.has(key)) return saved.get(key) as Awaited<T>;
  // A cancelled task (timed out, its run cancelled or its thread's lease lost) starts no new work.
  owner.signal.throwIfAborted();
  const value = await fn(new StepCall(owner, call, key));
  return (await steps.save({ node, name, occurrence, value })) as Awaited<T>;
}

/** Refuses a `ctx.step` call without a usable name or function, naming the node. */
export function checkStepCall(node: string, name: unknown, fn: unknown): void {
  if (typeof name !== "string" || name.length === 0) {
    throw graphError("INVALID_STEP", "name", { node, kind: typeof name === "string" ? "an empty string" : kindOf(name) });
  }
  if (typeof fn !== "function") throw graphError("INVALID_STEP", "fn", { node, name, kind: kindOf(fn) });
}

/** What a step's function receives; its key is made only when the function reads it. */
class StepCall implements StepContext {
  readonly name: string;
  readonly occurrence: number;
  readonly signal: AbortSignal;
  readonly #taskKey: string;
  readonly #key: string;
  #idempotencyKey: string | undefined;

  constructor(owner: StepOwner, call: { readonly name: string; readonly occurrence: number }, key: string) {
    this.name = call.name;
    this.occurrence = call.occurrence;
    this.signal = owner.signal;
    this.#taskKey = owner.taskKey;
    this.#key = key;
  }

  get idempotencyKey(): string {
    return (this.#idempotencyKey ??= idempotencyKey(this.#taskKey, this.#key));
  }
}
