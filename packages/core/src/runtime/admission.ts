import type { Gate, Pass, SlotWaiter } from "../controls/gate.js";
import { SLOT } from "../controls/limiter.js";
import type { Task } from "./task.js";

/** The gates a step's tasks pass before they run: per node, in order, and for every other node. */
export interface Slots {
  /** The gates of a node's tasks, in the order a task passes them (its slots first, its rate limits last). */
  readonly nodeGates: ReadonlyMap<string, readonly Gate[]>;
  /** The gates of a node not in `nodeGates`: the run's `maxConcurrency`, or none. */
  readonly runGates: readonly Gate[];
}

/** What the step does with a task once it is through its gates, or while it waits at one. */
export interface AdmissionHooks {
  /** Starts task `index`: it is through every gate. `waited` says whether it was queued first. */
  start(index: number, waited: boolean): void;
  /** Task `index` waits at `gate`; `first` is false when it already waited at another one. */
  queued(index: number, first: boolean, gate: Gate): void;
  /** Task `index` could not pass `gate` (its store failed): it fails with `error` without running. */
  refused(index: number, waited: boolean, error: unknown): void;
  /** The tokens task `index` is expected to use (undefined: each rate limit's own estimate). */
  cost(index: number): number | undefined;
  /** Task `index` got `pass` of rate gate `gate`: the step holds it until the task's attempt has its answer. */
  holdRate(index: number, gate: Gate, pass: Pass): void;
  /** Task `index` gives back the rate passes it holds (it ended, or left before it ran). */
  settleRates(index: number): void;
}

const NO_GATES: readonly Gate[] = [];

/** Task indices in arrival order, taken from the front. */
class IndexQueue {
  readonly #items: number[] = [];
  #head = 0;

  push(index: number): void {
    this.#items.push(index);
  }

  peek(): number {
    return this.#items[this.#head]!;
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
 * Lets a step's tasks in as their gates allow: a task passes its node's gates in order (its
 * concurrency slot, the run's, then its rate limits), and waits in FIFO order at each it
 * cannot pass at once. A waiting task is an index in a queue; the step, not the task, waits
 * at the gate.
 */
export class Admission implements SlotWaiter {
  readonly #tasks: readonly Task[];
  readonly #slots: Slots;
  readonly #hooks: AdmissionHooks;
  /** The tasks waiting at each gate, in the order they asked. */
  readonly #waiting = new Map<Gate, IndexQueue>();
  /** The passes a task holds of gates that tell passes apart (rate tickets, leased slots), by task. */
  readonly #passes = new Map<number, Pass[]>();

  constructor(tasks: readonly Task[], slots: Slots, hooks: AdmissionHooks) {
    this.#tasks = tasks;
    this.#slots = slots;
    this.#hooks = hooks;
  }

  /** Whether any task of the step has a gate to pass. */
  static needed(slots: Slots): boolean {
    return slots.nodeGates.size > 0 || slots.runGates.length > 0;
  }

  /** Starts task `index` now if it can pass its gates; otherwise it waits at the first that stops it. */
  admit(index: number): void {
    this.#from(index, 0, false);
  }

  /** A gate let the step through: the task that asked first passes. */
  grant(gate: Gate, pass: Pass): void {
    const index = this.#waiting.get(gate)!.shift();
    const chain = this.#chain(index);
    const at = chain.indexOf(gate);
    if (gate.keepsPass) this.#keep(index, at, pass);
    this.#from(index, at + 1, true);
  }

  cost(gate: Gate): number | undefined {
    return this.#hooks.cost(this.#waiting.get(gate)!.peek());
  }

  /** The task first in line at `gate` cannot pass it: it gives back what it holds and fails. */
  refuse(gate: Gate, error: unknown): void {
    const index = this.#waiting.get(gate)!.shift();
    this.#giveBack(index, this.#chain(index).indexOf(gate));
    this.#hooks.refused(index, true, error);
  }

  /** Task `index`, which had started, has ended: its slots go back (its rate passes are the step's to settle). */
  release(index: number): void {
    this.#giveBack(index, this.#chain(index).length);
  }

  /**
   * Takes every waiting task out of the queues (the step was cancelled) and gives back what
   * they hold of earlier gates; returns their indices, in task order.
   */
  withdraw(): number[] {
    const withdrawn: number[] = [];
    const holding: { gate: Gate; indices: number[] }[] = [];
    // Every claim first, then the passes: a slot given back must not go to a task of this step.
    for (const [gate, queue] of this.#waiting) {
      gate.withdraw(this);
      const indices = queue.drain();
      holding.push({ gate, indices });
      withdrawn.push(...indices);
    }
    for (const { gate, indices } of holding) {
      for (const index of indices) this.#giveBack(index, this.#chain(index).indexOf(gate));
    }
    return withdrawn.sort((a, b) => a - b);
  }

  #chain(index: number): readonly Gate[] {
    return this.#slots.nodeGates.get(this.#tasks[index]!.node) ?? this.#slots.runGates ?? NO_GATES;
  }

  /** Task `index` goes on through its gates from position `at`; it starts when it is through. */
  #from(index: number, at: number, waited: boolean): void {
    const chain = this.#chain(index);
    for (let i = at; i < chain.length; i++) {
      const gate = chain[i]!;
      let pass: Pass | undefined;
      try {
        pass = gate.tryAcquire(gate.kind === "rate" ? this.#hooks.cost(index) : undefined);
      } catch (error) {
        this.#giveBack(index, i);
        this.#hooks.refused(index, waited, error);
        return;
      }
      if (pass === undefined) {
        this.#wait(gate, index, !waited);
        return;
      }
      if (gate.keepsPass) this.#keep(index, i, pass);
    }
    this.#hooks.start(index, waited);
  }

  #keep(index: number, at: number, pass: Pass): void {
    const gate = this.#chain(index)[at]!;
    if (gate.kind === "rate") {
      this.#hooks.holdRate(index, gate, pass);
      return;
    }
    let passes = this.#passes.get(index);
    if (passes === undefined) this.#passes.set(index, (passes = []));
    passes[at] = pass;
  }

  /** Gives back the passes task `index` holds of the first `count` gates of its chain, last first. */
  #giveBack(index: number, count: number): void {
    const chain = this.#chain(index);
    const passes = this.#passes.get(index);
    if (passes !== undefined) this.#passes.delete(index);
    let rated = false;
    for (let i = count - 1; i >= 0; i--) {
      const gate = chain[i]!;
      if (gate.kind === "rate") rated = true;
      else gate.release(gate.keepsPass ? passes![i]! : SLOT, undefined);
    }
    if (rated) this.#hooks.settleRates(index);
  }

  #wait(gate: Gate, index: number, first: boolean): void {
    let queue = this.#waiting.get(gate);
    if (queue === undefined) this.#waiting.set(gate, (queue = new IndexQueue()));
    queue.push(index);
    gate.wait(this);
    this.#hooks.queued(index, first, gate);
  }
}
