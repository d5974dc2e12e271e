import { checkUsage } from "../options/budget-options.js";
import type { AttemptRequest } from "../records/attempt.js";
import type { Usage, UsageMeter, UsageReservation } from "../records/budget.js";
import { BudgetLedger, type BudgetedTask } from "./budget-ledger.js";

/**
 * The usage meter of an attempt that runs in another process than its run (a BullMQ worker,
 * say): the node's calls are checked against the budgets as they stood when the attempt was
 * sent (`request.budget`), less what this attempt itself reserved and used since, and every
 * usage is handed to `report`, which carries it back to the run. The run counts it there and
 * reports it as a `task:usage` event; attempts running at once on several workers do not see
 * each other's calls, so a budget is passed by at most what they used beyond what was left.
 *
 * @example
 * ```ts
 * const usage = workerUsage(request, (used) => sendToDriver({ usage: used }));
 * const result = await runNodeAttempt(spec, request, { signal, emit, usage });
 * ```
 * @see ../../../../docs/concepts/budgets.md
 */
export function workerUsage(request: AttemptRequest, report: (usage: Usage) => void): UsageMeter {
  const budget = request.budget;
  const ledger = budget === undefined ? undefined : new BudgetLedger({ ...budget.saved.limit, prices: budget.prices }, budget.saved);
  const task: BudgetedTask = {
    taskId: request.taskId,
    node: request.node,
    step: request.step,
    sendIndex: request.sendIndex,
    budget: budget?.chain,
  };
  const meter: UsageMeter = {
    report(usage: Usage): void {
      ledger?.charge(task, usage);
      report(usage);
    },
    reserve(estimate: Usage): UsageReservation {
      const held = ledger?.reserve(task, estimate);
      let open = true;
      return {
        settle(usage?: Usage): void {
          if (!open) return;
          open = false;
          if (held !== undefined) ledger!.release(task, held);
          if (usage === undefined) return;
          checkUsage(usage, request.node);
          meter.report(usage);
        },
      };
    },
  };
  return meter;
}
