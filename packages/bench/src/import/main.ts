/**
 * Import cost of `@weft/core` (its built `dist`) over zod and immer alone, in fresh processes
 * in turns, with the target's verdict. Build core first (`pnpm build`).
 *
 *   pnpm --filter @weft/bench run bench:import [turns = 30]
 */
import { verdict } from "../targets.js";
import { formatMs, markdownTable } from "../table.js";
import { IMPORT_BUDGET_MS, measureImport } from "./measure.js";

const turns = Number(process.argv[2] ?? 30);
const probe = measureImport(turns);
console.log(`## Import\n`);
if (probe === undefined) {
  console.log("Not measured: @weft/core has no dist; run `pnpm build` first.");
} else {
  console.log(
    markdownTable(
      ["import, fresh process", "median", "target", "result"],
      [
        ["zod + immer", formatMs(probe.depsMs), "", ""],
        ["@weft/core (dist)", formatMs(probe.coreMs), "", ""],
        [
          "@weft/core over zod + immer (median of turns)",
          formatMs(probe.overMs),
          `≤ ${IMPORT_BUDGET_MS} ms`,
          verdict(probe.overMs <= IMPORT_BUDGET_MS),
        ],
      ],
      ["left", "right", "right", "left"],
    ),
  );
  console.log(`\n${probe.turns} turns, one process of each per turn, the order swapping every turn.`);
}
