import { graphError } from "../errors.js";
import type {
  BudgetLimit,
  BudgetStatus,
  ModelPrice,
  OuterBudget,
  RunBudget,
  SavedBudget,
  ScopeLimit,
  Spender,
  Spent,
  Usage,
} from "../records/budget.js";
import type { AttemptBudget } from "../records/attempt.js";
import type { TaskRef } from "../records/task-ref.js";

/** A task as the ledger sees it: which task, and the Send budgets over it (innermost first). */
export interface BudgetedTask extends TaskRef {
  readonly budget?: readonly ScopeLimit[] | undefined;
}

/** What one budget has spent and holds back for calls in flight. */
interface Account {
  tokens: number;
  costUsd: number;
  reservedTokens: number;
  reservedCost: number;
}

/** What a reservation held: the amount, and the outer budgets' hold for an inner run's call. */
interface Held extends Spent {
  readonly outer?: unknown;
}

const ZERO: Spent = Object.freeze({ tokens: 0, costUsd: 0 });

/** A usage report or estimate in tokens and dollars; `costUsd` is undefined when nothing prices it. */
interface Amount {
  readonly tokens: number;
  readonly costUsd: number | undefined;
}

/**
 * What a run has spent, under its own budget and under each Send's: the one place usage is
 * counted and calls are let through or refused.
 *
 * A call may start when, for every budget over its task and every limit that budget sets, what
 * was spent plus what calls in flight reserved is below the limit, and adding the call's
 * estimate does not go past it. A call that started is always counted in full when it ends, so
 * a budget is overspent by at most what calls in flight used beyond their estimates.
 *
 * The ledger of a subgraph's inner run has the budgets over the outer task as its `outer`:
 * every usage it counts and every call it lets through is counted and checked there too.
 */
export class BudgetLedger {
  readonly #limit: BudgetLimit | null;
  readonly #prices: Readonly<Record<string, ModelPrice>> | undefined;
  readonly #run: Account;
  readonly #scopes = new Map<string, Account>();
  /** What each task of the step running now spent, for its saved result. */
  readonly #byTask = new Map<string, { tokens: number; costUsd: number }>();
  /** Whether anything was reported, so a run that never reports shows no budget. */
  #reported: boolean;
  /** The budgets over the outer task, for a subgraph's inner run. */
  readonly #outer: OuterBudget | undefined;

  constructor(budget: RunBudget | undefined, saved: SavedBudget | undefined, outer?: OuterBudget) {
    this.#limit = budget === undefined ? (saved?.limit ?? null) : limitOf(budget);
    this.#outer = outer;
    // The outer run's prices, so both count a call alike; else prices given now, else those the
    // run started with: a resume without options still prices its calls.
    this.#prices = outer?.prices ?? budget?.prices ?? saved?.prices;
    this.#run = account(saved?.spent ?? ZERO);
    for (const [id, spent] of Object.entries(saved?.scopes ?? {})) this.#scopes.set(id, account(spent));
    this.#reported = saved !== undefined && (saved.spent.tokens > 0 || saved.spent.costUsd > 0);
  }

  /** The prices usage is counted by; undefined when the run has none. */
  get prices(): Readonly<Record<string, ModelPrice>> | undefined {
    return this.#prices;
  }

  /**
   * Counts `usage` of `task` against the run, every Send budget over it and the outer budgets.
   * Throws `INVALID_OPTION`, before counting anything, when a cost limit applies and nothing
   * prices the usage. `by` names who spent, when it is a task of an inner run.
   */
  charge(task: BudgetedTask, usage: Usage, by: Spender = task): Spent {
    const amount = this.#amount(usage);
    if (amount.costUsd === undefined && this.#limitsCost(task)) throw noPrice(by, usage);
    this.#outer?.charge(by, usage);
    const spent: Spent = { tokens: amount.tokens, costUsd: amount.costUsd ?? 0 };
    this.#add(task, spent);
    return spent;
  }

  /**
   * Counts what a task spent in an earlier attempt at the same step (its saved result), so
   * that the task's next saved result still holds it. Not counted again under the outer
   * budgets: the outer task's own saved result holds it there.
   */
  carry(task: BudgetedTask, spent: Spent): void {
    this.#add(task, spent);
  }

  /**
   * A subgraph task's inner run had spent `previous` in its earlier runs (before an interrupt,
   * a failed attempt or a crash): counts what of it the task does not hold yet, here and under
   * the outer budgets, so that no inner spending is left out or counted twice.
   */
  catchUp(task: BudgetedTask, previous: Spent): void {
    const mine = this.#byTask.get(task.taskId);
    const tokens = Math.max(0, previous.tokens - (mine?.tokens ?? 0));
    const costUsd = Math.max(0, previous.costUsd - (mine?.costUsd ?? 0));
    if (tokens === 0 && costUsd === 0) return;
    this.count(task, { tokens, costUsd });
  }

  /** Counts what was already spent and priced, here and under the outer budgets. */
  count(task: BudgetedTask, spent: Spent, by: Spender = task): void {
    this.#outer?.count(by, spent);
    this.#add(task, spent);
  }

  /**
   * Holds back `estimate` for a call of `task`, or throws `BUDGET_EXCEEDED` naming the budget
   * that has no room: this run's, a Send's, or an outer one. Returns what it held, for
   * {@link release}.
   */
  reserve(task: BudgetedTask, estimate: Usage, by: Spender = task): Spent {
    const amount = this.#amount(estimate);
    const chain = task.budget;
    this.#check(by, { scope: "run", account: this.#run, limit: this.#limit }, amount);
    if (chain !== undefined) {
      for (const scope of chain) this.#check(by, { scope: "send", id: scope.id, account: this.#scope(scope.id), limit: scope }, amount);
    }
    const outer = this.#outer?.reserve(by, estimate);
    const held: Held = { tokens: amount.tokens, costUsd: amount.costUsd ?? 0, outer };
    this.#hold(task, held, 1);
    return held;
  }

  /** Frees what {@link reserve} held for a call of `task`. */
  release(task: BudgetedTask, held: Spent): void {
    this.#hold(task, held, -1);
    const outer = (held as Held).outer;
    if (outer !== undefined) this.#outer?.release(outer);
  }

  #hold(task: BudgetedTask, held: Spent, sign: 1 | -1): void {
    const run = this.#run;
    run.reservedTokens += sign * held.tokens;
    run.reservedCost += sign * held.costUsd;
    const chain = task.budget;
    if (chain === undefined) return;
    for (const scope of chain) {
      const account = this.#scope(scope.id);
      account.reservedTokens += sign * held.tokens;
      account.reservedCost += sign * held.costUsd;
    }
  }

  /**
   * The budgets over `task` as they stand, what calls in flight hold counted as spent, for an
   * attempt sent to another process; undefined when no limit is over the task.
   */
  snapshot(task: BudgetedTask): AttemptBudget | undefined {
    const chain = task.budget;
    if (this.#limit === null && chain === undefined) return undefined;
    const scopes: Record<string, Spent> = {};
    for (const scope of chain ?? []) scopes[scope.id] = used(this.#scope(scope.id));
    const saved: SavedBudget = { limit: this.#limit, spent: used(this.#run), scopes };
    const prices = this.#prices;
    const snapshot: { saved: SavedBudget; chain?: readonly ScopeLimit[]; prices?: Readonly<Record<string, ModelPrice>> } = { saved };
    if (chain !== undefined) snapshot.chain = chain;
    if (prices !== undefined) snapshot.prices = prices;
    return snapshot;
  }

  /** The budgets over `task`, the run's first, as events show them. */
  statusOf(task: BudgetedTask): BudgetStatus[] {
    const statuses = [status("run", undefined, this.#limit ?? {}, this.#run)];
    for (const scope of task.budget ?? []) statuses.push(status("send", scope.id, scope, this.#scope(scope.id)));
    return statuses;
  }

  /** The run's budget, what it spent and what is left; undefined when it has none and nothing was reported. */
  runStatus(): BudgetStatus | undefined {
    if (this.#limit === null && !this.#reported) return undefined;
    return status("run", undefined, this.#limit ?? {}, this.#run);
  }

  /** What `taskId` spent in the step running now (with what it spent in earlier attempts at it). */
  spentBy(taskId: string): Spent | undefined {
    const mine = this.#byTask.get(taskId);
    return mine === undefined ? undefined : { tokens: mine.tokens, costUsd: mine.costUsd };
  }

  /** A step was committed: what its tasks spent is in the totals, and task ids start over. */
  stepCommitted(): void {
    this.#byTask.clear();
  }

  /**
   * The ledger as a checkpoint keeps it, with the Send budgets the tasks still to run are
   * under; undefined when there is nothing to keep.
   */
  save(pending: readonly (readonly ScopeLimit[] | undefined)[]): SavedBudget | undefined {
    if (this.#limit === null && !this.#reported) return undefined;
    const scopes: Record<string, Spent> = {};
    for (const chain of pending) {
      for (const scope of chain ?? []) {
        const held = this.#scopes.get(scope.id);
        if (held !== undefined) scopes[scope.id] = { tokens: held.tokens, costUsd: held.costUsd };
      }
    }
    const saved: SavedBudget = { limit: this.#limit, spent: { tokens: this.#run.tokens, costUsd: this.#run.costUsd }, scopes };
    return this.#prices === undefined ? saved : { ...saved, prices: this.#prices };
  }

  #add(task: BudgetedTask, spent: Spent): void {
    this.#reported = true;
    const mine = this.#byTask.get(task.taskId);
    if (mine === undefined) this.#byTask.set(task.taskId, { tokens: spent.tokens, costUsd: spent.costUsd });
    else {
      mine.tokens += spent.tokens;
      mine.costUsd += spent.costUsd;
    }
    this.#run.tokens += spent.tokens;
    this.#run.costUsd += spent.costUsd;
    for (const scope of task.budget ?? []) {
      const held = this.#scope(scope.id);
      held.tokens += spent.tokens;
      held.costUsd += spent.costUsd;
    }
  }

  #scope(id: string): Account {
    let held = this.#scopes.get(id);
    if (held === undefined) {
      held = account(ZERO);
      this.#scopes.set(id, held);
    }
    return held;
  }

  #check(task: Spender, budget: { scope: "run" | "send"; id?: string; account: Account; limit: BudgetLimit | null }, amount: Amount): void {
    const { limit, account: held } = budget;
    if (limit === null) return;
    if (limit.tokens !== undefined) {
      const used = held.tokens + held.reservedTokens;
      if (used >= limit.tokens || used + amount.tokens > limit.tokens) {
        throw exceeded(task, { ...budget, limit: "tokens", max: limit.tokens, spent: used, estimate: amount.tokens });
      }
    }
    if (limit.costUsd !== undefined) {
      const used = held.costUsd + held.reservedCost;
      const estimate = amount.costUsd ?? 0;
      if (used >= limit.costUsd || used + estimate > limit.costUsd) {
        throw exceeded(task, { ...budget, limit: "costUsd", max: limit.costUsd, spent: used, estimate });
      }
    }
  }

  /** Whether a cost limit is over `task`: then every usage must be priced. */
  #limitsCost(task: BudgetedTask): boolean {
    return this.#limit?.costUsd !== undefined || (task.budget?.some((scope) => scope.costUsd !== undefined) ?? false);
  }

  #amount(usage: Usage): Amount {
    const tokens = usage.tokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
    if (usage.costUsd !== undefined) return { tokens, costUsd: usage.costUsd };
    const prices = this.#prices;
    const model = usage.model;
    // Own keys only: a model named "constructor" has no price.
    if (model === undefined || prices === undefined || !Object.hasOwn(prices, model))
      return { tokens, costUsd: tokens === 0 ? 0 : undefined };
    return { tokens, costUsd: priced(prices[model]!, usage, tokens) };
  }
}

/**
 * The cost of `usage` at `price`: input and output tokens at their prices, and tokens reported
 * only as a total at the dearer of the two, so that a cost limit is never undercounted.
 */
function priced(price: ModelPrice, usage: Usage, tokens: number): number {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const rest = Math.max(0, tokens - input - output);
  const dearer = Math.max(price.inputPerMillion, price.outputPerMillion);
  return (input * price.inputPerMillion + output * price.outputPerMillion + rest * dearer) / 1_000_000;
}

function limitOf(budget: RunBudget): BudgetLimit {
  const limit: { tokens?: number; costUsd?: number } = {};
  if (budget.tokens !== undefined) limit.tokens = budget.tokens;
  if (budget.costUsd !== undefined) limit.costUsd = budget.costUsd;
  return limit;
}

/** What an account spent with what it holds for calls in flight. */
function used(held: Account): Spent {
  return { tokens: held.tokens + held.reservedTokens, costUsd: held.costUsd + held.reservedCost };
}

function account(spent: Spent): Account {
  return { tokens: spent.tokens, costUsd: spent.costUsd, reservedTokens: 0, reservedCost: 0 };
}

function status(scope: "run" | "send", id: string | undefined, limit: BudgetLimit, held: Account): BudgetStatus {
  const remaining: { tokens?: number; costUsd?: number } = {};
  if (limit.tokens !== undefined) remaining.tokens = Math.max(0, limit.tokens - held.tokens);
  if (limit.costUsd !== undefined) remaining.costUsd = Math.max(0, limit.costUsd - held.costUsd);
  const spent = { tokens: held.tokens, costUsd: held.costUsd };
  const own = { tokens: limit.tokens, costUsd: limit.costUsd };
  const shown: BudgetLimit = Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined));
  return id === undefined ? { scope, limit: shown, spent, remaining } : { scope, id, limit: shown, spent, remaining };
}

function exceeded(
  task: Spender,
  at: { scope: "run" | "send"; id?: string; limit: "tokens" | "costUsd"; max: number; spent: number; estimate: number },
) {
  const { taskId, node, step, sendIndex, path } = task;
  return graphError("BUDGET_EXCEEDED", "spent", {
    taskId,
    node,
    step,
    sendIndex,
    ...(path === undefined ? {} : { path }),
    budget: at.scope,
    scopeId: at.id,
    limit: at.limit,
    max: at.max,
    spent: at.spent,
    estimate: at.estimate,
  });
}

function noPrice(task: TaskRef, usage: Usage) {
  return graphError("INVALID_OPTION", "noPrice", {
    scope: "run",
    option: "budget.prices",
    node: task.node,
    value: usage.model,
  });
}
