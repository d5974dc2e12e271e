import type { BudgetLimit, ModelPrice, RunBudget, Usage } from "../records/budget.js";
import type { SendOptions } from "../records/send.js";
import { isPlainObject } from "../errors.js";
import { checkOptions, invalidOption, type OptionOwner, type Rule } from "./rules.js";
import { optionObject } from "./values.js";

/** An amount of tokens: a whole number ≥ 0. */
const tokens: Rule = { expected: "a whole number ≥ 0", accepts: (value) => Number.isInteger(value) && (value as number) >= 0 };

/** An amount of money, or a price: a finite number ≥ 0. */
const dollars: Rule = {
  expected: "a finite number ≥ 0",
  accepts: (value) => typeof value === "number" && Number.isFinite(value) && value >= 0,
};

/** The rules of a budget's limits, shared by the run's budget and a Send's. */
const LIMIT_RULES = { tokens, costUsd: dollars } as const satisfies Record<keyof BudgetLimit, Rule>;

const PRICE_RULES = {
  inputPerMillion: { ...dollars, required: true },
  outputPerMillion: { ...dollars, required: true },
} as const satisfies Record<keyof ModelPrice, Rule>;

/** The rules of a run's `budget`. */
export const RUN_BUDGET_RULES = {
  ...LIMIT_RULES,
  prices: { expected: "an object of prices by model name", accepts: isPlainObject },
} as const satisfies Record<keyof RunBudget, Rule>;

/** The rule of a run's `budget` option; {@link checkBudget} checks what a rule table cannot. */
export const runBudget: Rule = optionObject(RUN_BUDGET_RULES);

/** The rules of a Send's options. */
export const SEND_RULES = { budget: optionObject(LIMIT_RULES) } as const satisfies Record<keyof SendOptions, Rule>;

/**
 * Checks what the rule tables cannot: a budget sets at least one limit (an empty one would
 * limit nothing while looking like it does), and every price of `prices` is a price.
 */
export function checkBudget(budget: RunBudget | undefined, owner: OptionOwner): void {
  if (budget === undefined) return;
  if (budget.tokens === undefined && budget.costUsd === undefined) {
    throw invalidOption(owner, { option: "budget", value: budget, expected: "an object with tokens, costUsd or both" });
  }
  const prices = budget.prices;
  if (prices === undefined) return;
  for (const model of Object.keys(prices)) {
    checkOptions(prices[model], PRICE_RULES, owner, `budget.prices.${model}.`);
  }
}

const USAGE_RULES = {
  tokens,
  inputTokens: tokens,
  outputTokens: tokens,
  costUsd: dollars,
  model: { expected: "a non-empty string", accepts: (value) => typeof value === "string" && value.length > 0 },
} as const satisfies Record<keyof Usage, Rule>;

/**
 * Checks a usage report or estimate from a node (`ctx.reportUsage`, `ctx.reserveUsage`): a
 * negative or NaN count would give budget back, so it is an `INVALID_OPTION` naming the node
 * and the field (`usage.tokens`).
 */
export function checkUsage(usage: unknown, node: string): asserts usage is Usage {
  checkOptions(usage, USAGE_RULES, { scope: "node", node }, "usage.");
}
