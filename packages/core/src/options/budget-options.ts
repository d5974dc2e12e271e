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
const SEND_RULES = { budget: optionObject(LIMIT_RULES) } as const satisfies Record<keyof SendOptions, Rule>;

/**
 * Checks a `Send`'s options where the Send is made, naming its node: a budget's limits, and
 * that it sets one. A fan-out makes thousands of Sends, so a budget that is plainly right
 * skips the rule table.
 */
export function checkSendOptions(options: unknown, node: string): void {
  const owner: OptionOwner = { scope: "send", node };
  if (!isPlainSendOptions(options)) checkOptions(options, SEND_RULES, owner);
  const budget = (options as SendOptions).budget;
  if (budget !== undefined && budget.tokens === undefined && budget.costUsd === undefined) {
    throw invalidOption(owner, { option: "budget", value: budget, expected: "an object with tokens, costUsd or both" });
  }
}

function isPlainSendOptions(options: unknown): boolean {
  try {
    if (!isPlainObject(options)) return false;
    for (const key in options) if (Object.hasOwn(options, key) && key !== "budget") return false;
    const budget = options.budget;
    if (budget === undefined) return true;
    if (!isPlainObject(budget)) return false;
    for (const key in budget) {
      if (!Object.hasOwn(budget, key)) continue;
      const value = budget[key];
      if (value === undefined) continue;
      if (key === "tokens" ? !tokens.accepts(value) : key !== "costUsd" || !dollars.accepts(value)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

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
  // Every model call passes here: the rule table, which also words the error, only runs for a
  // usage that is not plainly right.
  if (!isPlainUsage(usage)) checkOptions(usage, USAGE_RULES, { scope: "node", node }, "usage.");
}

/** A usage whose every own key is a known field with an acceptable value; false for anything odd (a Proxy, a getter that throws). */
function isPlainUsage(usage: unknown): boolean {
  try {
    return hasUsageFields(usage);
  } catch {
    return false;
  }
}

function hasUsageFields(usage: unknown): boolean {
  if (!isPlainObject(usage)) return false;
  for (const key in usage) {
    if (!Object.hasOwn(usage, key)) continue;
    const value = usage[key];
    if (value === undefined) continue;
    if (key === "model") {
      if (typeof value !== "string" || value.length === 0) return false;
    } else if (key === "costUsd") {
      if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) return false;
    } else if (key === "tokens" || key === "inputTokens" || key === "outputTokens") {
      if (!Number.isInteger(value) || (value as number) < 0) return false;
    } else return false;
  }
  return true;
}
