/**
 * Compares this working tree's `@weft/core` with the one at a git revision, side by side in one
 * process, run by run: first every Weft case of the bench (medians and the median paired
 * change), then the 1000 Sends × 20 ms wait in detail (marks inside the runs). Wall times of
 * separate bench runs move with the machine's load by more than most single changes are
 * worth; paired runs in one process do not.
 *
 *   pnpm --filter @weft/bench run compare [revision = HEAD] [runs = 100]
 */
import * as workspaceCore from "@weft/core";
import { formatMs, markdownTable } from "../table.js";
import { median } from "../stats.js";
import { compareCase, compareCores, coreAt, coreCases, medianMarks, pairedChange, type RunMarks } from "./compare.js";

const [revision = "HEAD", runsArg = "100"] = process.argv.slice(2);
const runs = Number(runsArg);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`compare: runs must be a positive whole number, got "${runsArg}".`);

const { commit, core } = await coreAt(revision);
process.stderr.write(`compare: core at ${commit} (before) and this working tree (after), ${runs} runs each…\n`);

const caseRows: string[][] = [];
for (const kase of coreCases()) {
  process.stderr.write(`compare: ${kase.id}\n`);
  const times = await compareCase(core, workspaceCore, kase, runs);
  if ("unsupported" in times) {
    caseRows.push([kase.id, "cannot run it", "–", "–", "–"]);
    process.stderr.write(`compare: ${kase.id} skipped: core at ${commit} cannot build it (${times.unsupported})\n`);
    continue;
  }
  const change = pairedChange(times.before, times.after);
  const sign = change.medianMs >= 0 ? "+" : "−";
  caseRows.push([
    kase.id,
    formatMs(median(times.before)),
    formatMs(median(times.after)),
    `${sign}${formatMs(Math.abs(change.medianMs))} (${sign}${((Math.abs(change.medianMs) / median(times.before)) * 100).toFixed(1)} %)`,
    `${change.faster} of ${change.pairs}`,
  ]);
}
const result = await compareCores(core, workspaceCore, { sends: 1000, waitMs: 20, runs });

const rows: [string, keyof RunMarks][] = [
  ["whole invoke", "wallMs"],
  ["invoke → last worker starts (route, plan, start)", "lastStartMs"],
  ["first worker resumes → last resumes (completions)", "completionsMs"],
  ["last worker resumes → invoke returns (commit, final step)", "tailMs"],
];
const medians = { before: medianMarks(result.before), after: medianMarks(result.after), none: medianMarks(result.none) };
console.log(`# Every Weft case: core at ${commit} vs this working tree\n`);
console.log(`Medians of ${runs} timed runs per side, alternating run by run in one process; after − before paired run by run.\n`);
console.log(
  markdownTable(["case", `before (${commit})`, "after (working tree)", "after − before (median pair)", "after faster in"], caseRows, [
    "left",
    "right",
    "right",
    "right",
    "right",
  ]),
);
console.log(`\n# 1000 Sends × 20 ms wait in detail\n`);
console.log(
  `Medians of ${runs} timed runs per side, alternating run by run in one process. no engine = the same workers under Promise.all.\n`,
);
console.log(
  markdownTable(
    ["phase", `before (${commit})`, "after (working tree)", "no engine"],
    rows.map(([label, key]) => [label, formatMs(medians.before[key]), formatMs(medians.after[key]), formatMs(medians.none[key])]),
    ["left", "right", "right", "right"],
  ),
);
const wall = pairedChange(
  result.before.map((run) => run.wallMs),
  result.after.map((run) => run.wallMs),
);
console.log(
  `\nafter − before, paired run by run: median ${wall.medianMs >= 0 ? "+" : "−"}${formatMs(Math.abs(wall.medianMs))}; faster in ${wall.faster} of ${wall.pairs} pairs.`,
);
