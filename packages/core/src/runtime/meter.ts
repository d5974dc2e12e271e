import type { Gate, Pass } from "../controls/gate.js";

/** A rate pass a retried attempt took, to settle when that attempt ends. */
export interface HeldPass {
  readonly gate: Gate;
  readonly pass: Pass;
}

/**
 * The tokens a step's rate-limited tasks report, attempt by attempt, so that each rate pass
 * is settled with the tokens of the attempt it let through: the first attempt's pass (held by
 * the admission) with the first attempt's tokens, a retry's passes with the retry's. Tokens
 * are read from custom events with a numeric `totalTokens`, as `@weft/openai`'s usage events
 * carry them; a task that reports none keeps its estimate.
 */
export class Meter {
  // Tasks are the keys, by identity (typed as objects: the task module refers to this one).
  /** Tokens reported by the attempt running now, by task. */
  readonly #tokens = new Map<object, number>();
  /** Tokens of the first attempt, once a retry has taken passes of its own. */
  readonly #first = new Map<object, number | undefined>();
  readonly #retry = new Map<object, readonly HeldPass[]>();

  /** Counts a custom event of `task` that reports tokens. */
  count(task: object, data: unknown): void {
    const tokens = (data as { totalTokens?: unknown } | null)?.totalTokens;
    if (typeof tokens !== "number" || !Number.isFinite(tokens) || tokens < 0) return;
    this.#tokens.set(task, (this.#tokens.get(task) ?? 0) + tokens);
  }

  /** `task` is retried with new passes: the attempt that failed settles the passes it ran on. */
  retried(task: object, passes: readonly HeldPass[]): void {
    const used = this.#endAttempt(task);
    if (!this.#first.has(task)) this.#first.set(task, used);
    this.#retry.set(task, passes);
  }

  /** `task` has ended: settles its retry's passes, and returns the tokens for its first pass. */
  ended(task: object): number | undefined {
    const used = this.#endAttempt(task);
    if (!this.#first.has(task)) return used;
    const first = this.#first.get(task);
    this.#first.delete(task);
    return first;
  }

  /** The tokens of the attempt that just ended; its retry passes, if any, are settled with them. */
  #endAttempt(task: object): number | undefined {
    const used = this.#tokens.get(task);
    this.#tokens.delete(task);
    const held = this.#retry.get(task);
    if (held !== undefined) {
      this.#retry.delete(task);
      for (const { gate, pass } of held) gate.release(pass, used);
    }
    return used;
  }
}
