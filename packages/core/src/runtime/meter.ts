import type { Gate, Pass } from "../controls/gate.js";

/** A rate pass a task's attempt holds. */
interface HeldPass {
  readonly gate: Gate;
  readonly pass: Pass;
}

/**
 * The rate passes a step's tasks hold for the attempt running now, and the tokens each attempt
 * reports, so that each pass is settled once its attempt has its answer: from then it counts
 * for one interval, with the tokens the attempt used. Tokens are read from custom events with
 * a numeric `totalTokens`, as `@weft/openai`'s usage events carry them; an attempt that
 * reports none keeps its estimate.
 */
export class Meter {
  // Tasks are the keys, by identity (typed as objects: the task module refers to this one).
  readonly #passes = new Map<object, HeldPass[]>();
  readonly #tokens = new Map<object, number>();

  /** `task`'s next attempt goes on `pass` of rate gate `gate`. */
  hold(task: object, gate: Gate, pass: Pass): void {
    const held = this.#passes.get(task);
    if (held === undefined) this.#passes.set(task, [{ gate, pass }]);
    else held.push({ gate, pass });
  }

  /** Counts a custom event of `task` that reports tokens. */
  count(task: object, data: unknown): void {
    const tokens = (data as { totalTokens?: unknown } | null)?.totalTokens;
    if (typeof tokens !== "number" || !Number.isFinite(tokens) || tokens < 0) return;
    this.#tokens.set(task, (this.#tokens.get(task) ?? 0) + tokens);
  }

  /** `task`'s attempt has its answer (or the task left without one): its passes are settled with its tokens. */
  settle(task: object): void {
    const held = this.#passes.get(task);
    const used = this.#tokens.get(task);
    this.#tokens.delete(task);
    if (held === undefined) return;
    this.#passes.delete(task);
    for (const { gate, pass } of held) gate.release(pass, used);
  }
}
