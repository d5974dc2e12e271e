/** What a gate gives a task that passes, and takes back when it ends: a slot, or a rate limit's ticket. */
export type Pass = NonNullable<unknown>;

/**
 * Something that waits at a {@link Gate} for its tasks: a step. It is given passes one at a
 * time, for its tasks in the order they asked.
 */
export interface SlotWaiter {
  /** `pass` of `gate` is now held for this waiter: it goes to its next waiting task. */
  grant(gate: Gate, pass: Pass): void;
  /** The tokens the next task waiting at `gate` is expected to use (undefined: the gate's own estimate). */
  cost(gate: Gate): number | undefined;
  /** `gate` could not serve the next waiting task (its shared store failed): that task fails with `error`. */
  refuse(gate: Gate, error: unknown): void;
}

/**
 * What a task passes before it runs: a concurrency slot or a rate limit's turn. A gate serves
 * its waiters in the order they asked; a waiter is a step, so a waiting task costs an index in
 * that step's queue and nothing else.
 */
export interface Gate {
  /** What the gate guards, as events and errors name it. */
  readonly kind: "slot" | "rate";
  /** The name of the limit, for events (a shared limit's key), when it has one. */
  readonly name: string | undefined;
  /** False when every pass is the same (a slot of a semaphore): the engine need not keep it. */
  readonly keepsPass: boolean;
  /** Lets a task through at once when it can and nobody waits before it: its pass, else undefined. */
  tryAcquire(cost: number | undefined): Pass | undefined;
  /** Asks for one pass for `waiter`, after every pass asked for before. */
  wait(waiter: SlotWaiter): void;
  /** Takes back every pass `waiter` still asks for (its tasks were cancelled); returns how many. */
  withdraw(waiter: SlotWaiter): number;
  /**
   * The task that held `pass` has ended: a slot is given back; a rate limit learns the tokens
   * the task used (`used`, undefined when unknown) against those it was let through for.
   */
  release(pass: Pass, used: number | undefined): void;
}

/** A place in a gate's queue: `count` passes asked for by one waiter, one after another. */
export interface Claim {
  readonly waiter: SlotWaiter;
  count: number;
}

/** Queues one more pass for `waiter`: one claim more, or one more on its claim at the back. */
export function addClaim(claims: Claim[], waiter: SlotWaiter): void {
  const last = claims[claims.length - 1];
  if (last !== undefined && last.waiter === waiter) last.count++;
  else claims.push({ waiter, count: 1 });
}

/** Takes every claim of `waiter` out of `claims`; returns how many passes they asked for. */
export function removeClaims(claims: Claim[], waiter: SlotWaiter): number {
  let count = 0;
  for (let i = claims.length - 1; i >= 0; i--) {
    const claim = claims[i]!;
    if (claim.waiter !== waiter) continue;
    count += claim.count;
    claims.splice(i, 1);
  }
  return count;
}
