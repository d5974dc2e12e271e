import type { ScopeLimit } from "./budget.js";

/** One task of a frontier as data: a Send carries its input, an edge task reads the state. */
export interface FrontierTask {
  readonly node: string;
  readonly sendIndex?: number;
  readonly input?: unknown;
  /** The budgets of the Sends the task descends from, innermost first. */
  readonly budget?: readonly ScopeLimit[] | undefined;
}

/** What the planner remembers between steps, as data (it is part of every checkpoint). */
export interface PlannerState {
  /** For each join, in declaration order, the sources that ran since its target last ran. */
  readonly joins: readonly (readonly string[])[];
  readonly deferredNodes: readonly string[];
  readonly deferredSends: readonly {
    readonly node: string;
    readonly input: unknown;
    readonly budget?: readonly ScopeLimit[] | undefined;
  }[];
}
