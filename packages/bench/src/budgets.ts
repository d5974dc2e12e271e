/**
 * What a budget check costs per task: 1000 Sends to a synchronous worker, without budgets and
 * with a run budget, a budget per Send and a reserve-and-settle in every worker. The two are
 * measured in turns, twice each, so that load from other processes falls on both; the figure is
 * the difference of their medians, per task.
 *
 *   pnpm --filter @weft/bench run bench:budgets
 */
import { FULL, measureCase, QUICK } from "./runner.js";
import { median } from "./stats.js";
import { formatMs, markdownTable } from "./table.js";
import { budgetedSends } from "./workloads/budgeted-sends.js";

const N = 1000;
const plan = process.env.BENCH_QUICK === "1" ? QUICK : FULL;
const plain = budgetedSends(N, false);
const budgeted = budgetedSends(N, true);

const medians = { plain: [] as number[], budgeted: [] as number[] };
for (let round = 0; round < 2; round++) {
  medians.plain.push((await measureCase(plain, plan, ["weft"])).weft!.median);
  medians.budgeted.push((await measureCase(budgeted, plan, ["weft"])).weft!.median);
}
const without = median(medians.plain);
const withBudget = median(medians.budgeted);
const perTaskUs = ((withBudget - without) / N) * 1000;

console.log("");
console.log("## Budgets");
console.log("");
console.log(
  markdownTable(
    ["case", "median run", "per task"],
    [
      [plain.title, formatMs(without), `${((without / N) * 1000).toFixed(2)} µs`],
      [budgeted.title, formatMs(withBudget), `${((withBudget / N) * 1000).toFixed(2)} µs`],
    ],
  ),
);
console.log("");
console.log(`A budget check (reserve, settle, count under two budgets) adds ${perTaskUs.toFixed(2)} µs per task.`);
