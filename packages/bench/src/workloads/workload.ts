import { deepStrictEqual } from "node:assert/strict";
import { median } from "../stats.js";

/**
 * What runs a workload: Weft, LangGraph.js, or `none` — the same node functions called and
 * awaited by hand, with no engine: the floor any engine's wall time sits on.
 */
export type Engine = "weft" | "langgraph" | "none";

/** One run of a workload on one engine: resolves to the final state. */
export type RunOnce = () => Promise<unknown>;

/**
 * A workload at one size: the same graph built on both engines, and the final state both
 * must reach. `langgraph` is absent for Weft-only cases.
 */
export interface Workload {
  /** Stable id, e.g. `sends/1000`; rows and targets refer to it. */
  readonly id: string;
  readonly title: string;
  /** What the time is divided by for a per-unit figure: steps of a chain or a loop. */
  readonly per?: { readonly count: number; readonly unit: string };
  /**
   * For a `ctx.step` cost case: the steps one run makes. Its `none` engine is then the same
   * graph without `ctx.step`, and the report shows the difference per step.
   */
  readonly stepsPerRun?: number;
  /**
   * For a subgraph cost case: the subgraph runs one run makes. Its `none` engine is then the
   * same nodes inlined in the parent graph, and the report shows the difference per subgraph run.
   */
  readonly subgraphRuns?: number;
  /** The time this case would take with zero engine overhead, when there is one (timer waits). */
  readonly idealMs?: number;
  readonly weft: RunOnce;
  readonly langgraph?: RunOnce;
  /** The same work with no engine, where that is meaningful (timer waits): the floor. */
  readonly none?: RunOnce;
  /** Ticked by the node of a loop on both engines: the time between steps, inside a run. */
  readonly stepClock?: StepClock;
  /** The part of the final state that is compared, in both engines' shape. */
  readonly project: (state: unknown) => unknown;
  /** `project(final state)` must deep-equal this. */
  readonly expected: unknown;
}

/**
 * Records when a looping node is called, so a step's cost is read inside the run: the time
 * from one call to the next is one whole superstep (validate, commit, route, plan, call),
 * with no one-time work of the run (validating its input) in it.
 */
export class StepClock {
  #ticks: number[] = [];

  /** Called by the node at each step. */
  tick(): void {
    this.#ticks.push(performance.now());
  }

  /** Forgets the ticks of earlier runs. */
  reset(): void {
    this.#ticks = [];
  }

  /** The median time between consecutive ticks of the last run, in ms; undefined before two ticks. */
  medianStepMs(): number | undefined {
    const gaps = this.#ticks.slice(1).map((tick, i) => tick - this.#ticks[i]!);
    return gaps.length === 0 ? undefined : median(gaps);
  }
}

/** `[0, 1, …, n - 1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Picks `keys` from a final state object, so extra keys of either engine do not matter. */
export function pick(...keys: string[]): (state: unknown) => Record<string, unknown> {
  return (state) => {
    const record = state as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = record[key];
    return out;
  };
}

/** Throws unless `state` is the expected final state of `workload`. */
export function checkFinalState(workload: Workload, engine: Engine, state: unknown): void {
  try {
    // Weft's states are frozen plain objects; compare them as plain data.
    deepStrictEqual(structuredClone(workload.project(state)), structuredClone(workload.expected));
  } catch (error) {
    const reason = (error as Error).message.slice(0, 600);
    throw new Error(`${engine} computed a wrong final state for ${workload.id}: ${reason}`, { cause: error });
  }
}
