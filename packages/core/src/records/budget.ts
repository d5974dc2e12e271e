import type { TaskRef } from "./task-ref.js";

/**
 * What a run or a Send may spend: tokens, dollars, or both. A limit that is left out is not
 * checked.
 *
 * @example
 * ```ts
 * const limit: BudgetLimit = { tokens: 20_000, costUsd: 0.5 };
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export interface BudgetLimit {
  /** The most tokens (input and output together) the run or branch may spend: a finite number ≥ 0. */
  readonly tokens?: number;
  /** The most it may cost in US dollars: a finite number ≥ 0. Needs prices, or nodes that report cost. */
  readonly costUsd?: number;
}

/**
 * What one model costs, in US dollars per million tokens. Weft knows no prices of its own: the
 * cost of a call is computed from the table a run is given.
 *
 * @example
 * ```ts
 * const price: ModelPrice = { inputPerMillion: 0.15, outputPerMillion: 0.6 };
 * ```
 */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/**
 * A run's budget: its limits, and the prices that turn a model's tokens into dollars.
 *
 * @example
 * ```ts
 * await graph.invoke(input, {
 *   budget: { tokens: 50_000, costUsd: 1, prices: { "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 } } },
 * });
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export interface RunBudget extends BudgetLimit {
  /** Prices by model name, as the usage reports name the model. */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

/**
 * What a node used, as it reports it with `ctx.reportUsage`: the tokens of one call (or of
 * several), and either its cost or the model and the input and output tokens that price it.
 *
 * @example
 * ```ts
 * ctx.reportUsage({ model: "gpt-4o-mini", inputTokens: 812, outputTokens: 95 });
 * ctx.reportUsage({ tokens: 1200, costUsd: 0.002 }); // a provider that bills by itself
 * ```
 */
export interface Usage {
  /** Tokens in all; default `inputTokens + outputTokens`. */
  readonly tokens?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** The cost in US dollars; default: from the run's `budget.prices` for `model`. */
  readonly costUsd?: number;
  /** The model, as `budget.prices` names it. */
  readonly model?: string;
}

/** What was spent: tokens and US dollars. */
export interface Spent {
  readonly tokens: number;
  readonly costUsd: number;
}

/**
 * One budget that covers a task: the run's, or that of a Send the task descends from, with
 * what it allows, what was spent under it and what remains.
 */
export interface BudgetStatus {
  /** `"run"` for the run's budget; `"send"` for a Send's. */
  readonly scope: "run" | "send";
  /** For a Send's budget: the task the Send started (`"<step>:<position>"`). */
  readonly id?: string;
  readonly limit: BudgetLimit;
  readonly spent: Spent;
  /** What is left of each limit that is set (never below zero). */
  readonly remaining: BudgetLimit;
  /**
   * For a budget of a subgraph's inner run (its own, or a Send's inside it): the outer tasks the
   * inner run is in, outermost first, as events' paths name them. Absent for the budgets of the
   * run you started.
   */
  readonly path?: readonly string[];
}

/** Who spends: a task, with its path from the run whose budget is asked when it is an inner run's task. */
export interface Spender extends TaskRef {
  /** The outer tasks the spender runs in, outermost first, then the spender itself; absent for the run's own tasks. */
  readonly path?: readonly string[];
}

/**
 * The budgets over a subgraph task, which every usage of its inner run, at any depth, also
 * counts against: the outer run's and those of the Sends the task descends from, and through
 * them the budgets of the runs further out.
 */
export interface OuterBudget {
  /** The outer run's prices, which the inner run prices its usage by; undefined when it has none. */
  readonly prices: Readonly<Record<string, ModelPrice>> | undefined;
  /** Holds back `estimate` under the outer budgets, or throws `BUDGET_EXCEEDED` naming `by`. Returns the hold for {@link release}. */
  reserve(by: Spender, estimate: Usage): unknown;
  /** Frees what {@link reserve} held. */
  release(hold: unknown): void;
  /** Counts `usage` under the outer budgets; throws `INVALID_OPTION` before counting anything when a cost limit cannot price it. */
  charge(by: Spender, usage: Usage): void;
  /** Counts what was already spent and priced (an inner run's spending the outer run had not seen). */
  count(by: Spender, spent: Spent): void;
}

/** A Send's budget on a task: its id (the task the Send started) and its limit. */
export interface ScopeLimit extends BudgetLimit {
  readonly id: string;
}

/**
 * The budget of a run as a checkpoint keeps it, so a resumed run does not start afresh: the
 * run's limit, what the run spent, and what each Send budget still in use spent.
 */
export interface SavedBudget {
  /** The run's limit; null when the run had none. */
  readonly limit: BudgetLimit | null;
  readonly spent: Spent;
  /** What was spent under each Send budget that tasks still waiting to run are under, by id. */
  readonly scopes: Readonly<Record<string, Spent>>;
  /** The run's prices, so that a run resumed without its options still prices its calls. */
  readonly prices?: Readonly<Record<string, ModelPrice>> | undefined;
}

/**
 * Budget held back for a call in flight: settle it with what the call used once it ends (or
 * with nothing when it failed), which frees the reservation and counts the usage.
 *
 * @example
 * ```ts
 * const reservation = ctx.reserveUsage({ model: "gpt-4o-mini", inputTokens: 900, outputTokens: 300 });
 * try {
 *   const answer = await callMyModel();
 *   reservation.settle({ model: "gpt-4o-mini", inputTokens: answer.inputTokens, outputTokens: answer.outputTokens });
 * } catch (error) {
 *   reservation.settle();
 *   throw error;
 * }
 * ```
 */
export interface UsageReservation {
  /** Ends the reservation, counting `usage` if given. Calls after the first do nothing. */
  settle(usage?: Usage): void;
}

/** Where a task's usage goes: the run's budgets. Executors pass it to the node's context. */
export interface UsageMeter {
  /** Counts what a task used against every budget over it. */
  report(usage: Usage): void;
  /** Holds back `estimate` for a call about to start; throws `BUDGET_EXCEEDED` when it does not fit. */
  reserve(estimate: Usage): UsageReservation;
}
