/**
 * How each engine's run time comes back after a forced full collection: the evidence for the
 * bench's rewarm runs (see `FULL` in ../runner.ts). Prints, per case and engine, the median
 * time of the 1st, 2nd, … run after a collection over the steady time (the median from run
 * `settledFrom` on).
 *
 *   pnpm --filter @weft/bench run warmup [case ids, comma-separated] [runs = 16] [repeats = 12]
 */
import { benchCases } from "../cases.js";
import { FULL } from "../runner.js";
import { formatMs, markdownTable } from "../table.js";
import { timesAfterCollection, warmupCurve } from "./curve.js";

const DEFAULT_CASES = "sends/100,chain/1000,loop/200@10000,waiting-sends/1000";
const [idsArg = DEFAULT_CASES, runsArg = "16", repeatsArg = "12"] = process.argv.slice(2);
const runs = Number(runsArg);
const repeats = Number(repeatsArg);
const settledFrom = FULL.rewarm + 1;
if (!Number.isInteger(runs) || runs < settledFrom)
  throw new Error(`warmup: runs must be a whole number ≥ ${settledFrom}, got "${runsArg}".`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`warmup: repeats must be a positive whole number, got "${repeatsArg}".`);

const ids = idsArg.split(",");
const cases = benchCases(true).filter((entry) => ids.includes(entry.workload.id));
const unknown = ids.filter((id) => !cases.some((entry) => entry.workload.id === id));
if (unknown.length > 0)
  throw new Error(
    `warmup: no case ${unknown.join(", ")}. Cases: ${benchCases(true)
      .map((entry) => entry.workload.id)
      .join(", ")}`,
  );

const collect = (globalThis as { gc?: () => void }).gc;
const rows: string[][] = [];
for (const { workload, engines } of cases) {
  for (const engine of engines) {
    const run = workload[engine]!;
    process.stderr.write(`warmup: ${workload.id} on ${engine}…\n`);
    for (let i = 0; i < 5; i++) await run(); // compiled once before any curve
    const curve = warmupCurve(await timesAfterCollection(run, runs, repeats, collect), settledFrom);
    rows.push([`${workload.id} ${engine}`, formatMs(curve.steadyMs), ...curve.relative.map((ratio) => ratio.toFixed(2))]);
  }
}
console.log(`# Run time after a forced collection, over the steady time (median of runs ${settledFrom}…${runs}); ${repeats} repeats\n`);
console.log(
  markdownTable(["case", "steady", ...Array.from({ length: runs }, (_, i) => `#${i + 1}`)], rows, [
    "left",
    "right",
    ...Array<"right">(runs).fill("right"),
  ]),
);
