import type { BudgetLimit } from "./budget.js";

/**
 * Options of one `Send`.
 *
 * @example
 * ```ts
 * new Send("research", { topic }, { budget: { tokens: 8_000 } });
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export interface SendOptions {
  /**
   * What the task this Send starts may spend, with every task it causes through Sends of its
   * own (not tasks that edges trigger: those belong to the whole run). Spending counts against
   * the run's budget too.
   */
  readonly budget?: BudgetLimit;
}
