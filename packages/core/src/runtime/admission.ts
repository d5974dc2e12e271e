import type { Limiter, SlotWaiter } from "../controls/limiter.js";
import type { Task } from "./task.js";

/** The slots a step's tasks need: per node, and for the whole run. */
export interface Slots {
  readonly nodeLimiters: ReadonlyMap<string, Limiter>;
  readonly runLimiter: Limiter | undefined;
}

/** What the step does with a task once it holds its slots, or when it must wait for them. */
export interface AdmissionHooks {
  /** Starts task `index`: it holds every slot it needs. `waited` says whether it was queued first. */
  readonly start: (index: number, waited: boolean) => void;
  /** Task `index` waits for a slot; `first` is false when it already waited for another one. */
  readonly queued: (index: number, first: boolean) => void;
}

/** Task indices in arrival order, taken from the front. */
class IndexQueue {
  readonly #items: number[] = [];
  #head = 0;

  push(index: number): void {
    this.#items.push(index);
  }

  shift(): number {
    const index = this.#items[this.#head++]!;
    // Drop what was taken once it is most of the array, so a long queue does not keep it all.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return index;
  }

  /** The indices still queued, emptying the queue. */
  drain(): number[] {
    const rest = this.#items.slice(this.#head);
    this.#items.length = 0;
    this.#head = 0;
    return rest;
  }
}

/**
 * Lets a step's tasks in as their concurrency slots free up: a task takes its node's slot,
 * then the run's, and waits in FIFO order for each it cannot take at once. A waiting task is
 * an index in a queue; the step, not the task, waits in the limiter.
 */
export class Admission implements SlotWaiter {
  readonly #tasks: readonly Task[];
  readonly #slots: Slots;
  readonly #hooks: AdmissionHooks;
  /** The tasks waiting for each limiter, in the order they asked. */
  readonly #waiting = new Map<Limiter, IndexQueue>();

  constructor(tasks: readonly Task[], slots: Slots, hooks: AdmissionHooks) {
    this.#tasks = tasks;
    this.#slots = slots;
    this.#hooks = hooks;
  }

  /** Whether any task of the step needs a slot. */
  static needed(slots: Slots): boolean {
    return slots.nodeLimiters.size > 0 || slots.runLimiter !== undefined;
  }

  /** Starts task `index` now if its slots are free; otherwise it waits for them. */
  admit(index: number): void {
    const nodeLimiter = this.#slots.nodeLimiters.get(this.#tasks[index]!.node);
    if (nodeLimiter === undefined || nodeLimiter.tryAcquire()) this.#holdsNodeSlot(index, false);
    else this.#wait(nodeLimiter, index, true);
  }

  /** A limiter gave the step a slot: the task that asked first gets it. */
  grant(limiter: Limiter): void {
    const index = this.#waiting.get(limiter)!.shift();
    if (limiter === this.#slots.runLimiter) this.#hooks.start(index, true);
    else this.#holdsNodeSlot(index, true);
  }

  /** Task `index`, which had started, has ended: its slots go to the next waiting tasks. */
  release(index: number): void {
    this.#slots.runLimiter?.release();
    this.#slots.nodeLimiters.get(this.#tasks[index]!.node)?.release();
  }

  /**
   * Takes every waiting task out of the queues (the step was cancelled) and gives back the
   * node slots of those that held one; returns their indices, in task order.
   */
  withdraw(): number[] {
    const withdrawn: number[] = [];
    let holdingNodeSlots: number[] = [];
    // Every claim first, then the slots: a slot given back must not go to a task of this step.
    for (const [limiter, queue] of this.#waiting) {
      limiter.withdraw(this);
      const indices = queue.drain();
      if (limiter === this.#slots.runLimiter) holdingNodeSlots = indices;
      withdrawn.push(...indices);
    }
    for (const index of holdingNodeSlots) this.#slots.nodeLimiters.get(this.#tasks[index]!.node)?.release();
    return withdrawn.sort((a, b) => a - b);
  }

  #holdsNodeSlot(index: number, waited: boolean): void {
    const runLimiter = this.#slots.runLimiter;
    if (runLimiter === undefined || runLimiter.tryAcquire()) this.#hooks.start(index, waited);
    else this.#wait(runLimiter, index, !waited);
  }

  #wait(limiter: Limiter, index: number, first: boolean): void {
    let queue = this.#waiting.get(limiter);
    if (queue === undefined) this.#waiting.set(limiter, (queue = new IndexQueue()));
    queue.push(index);
    limiter.wait(this);
    this.#hooks.queued(index, first);
  }
}
